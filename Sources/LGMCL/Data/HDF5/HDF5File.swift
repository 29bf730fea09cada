import CHDF5
import Foundation

/// An open HDF5 file. Datasets and attributes are addressed by absolute path ("/graph/edge_index").
///
/// The file is closed by `close()` or when the last reference (including datasets opened from
/// it) goes away. All calls are serialised through `HDF5.call`.
public final class HDF5File {
    /// The path as given, used in every error message.
    public let path: String
    public let isWritable: Bool
    var handle: HDF5Handle?

    private init(path: String, id: hid_t, writable: Bool) {
        self.path = path
        self.isWritable = writable
        self.handle = HDF5Handle(id, close: H5Fclose)
    }

    /// Creates (or truncates) a file for writing.
    public static func create(_ path: String) throws -> HDF5File {
        try HDF5.call {
            let access = try accessList(path)
            defer { H5Pclose(access) }
            let id = try HDF5.check(
                H5Fcreate(path, lgmcl_h5f_acc_trunc(), lgmcl_h5p_default(), access),
                file: path, object: "", "creating the file")
            return HDF5File(path: path, id: id, writable: true)
        }
    }

    /// Opens an existing file; a missing file or one that is not HDF5 gets its own clear error.
    public static func open(_ path: String, writable: Bool = false) throws -> HDF5File {
        try HDF5.call {
            guard FileManager.default.fileExists(atPath: path) else {
                throw HDF5Error(file: path, object: "", operation: "opening", reasons: ["no such file"])
            }
            guard H5Fis_hdf5(path) > 0 else {
                _ = HDF5.takeErrorStack()
                throw HDF5Error(file: path, object: "", operation: "opening", reasons: ["not an HDF5 file"])
            }
            let flags = writable ? lgmcl_h5f_acc_rdwr() : lgmcl_h5f_acc_rdonly()
            let access = try accessList(path)
            defer { H5Pclose(access) }
            let id = try HDF5.check(H5Fopen(path, flags, access), file: path, object: "", "opening")
            return HDF5File(path: path, id: id, writable: writable)
        }
    }

    /// File access without HDF5's file locks. They would protect nothing here (lgmcl writes
    /// under a temporary name and renames), and they outlive the file: a process launched while
    /// a file is open inherits its descriptor (HDF5 does not set close-on-exec), and with it the
    /// lock, so reopening the finished file fails "unable to lock the file".
    private static func accessList(_ path: String) throws -> hid_t {
        let access = try HDF5.check(H5Pcreate(lgmcl_h5p_file_access()), file: path, object: "", "H5Pcreate")
        try HDF5.check(H5Pset_file_locking(access, false, true), file: path, object: "", "H5Pset_file_locking")
        return access
    }

    var id: hid_t {
        get throws {
            guard let handle else {
                throw HDF5Error(file: path, object: "", operation: "using the file", reasons: ["file already closed"])
            }
            return handle.id
        }
    }

    /// Flushes and closes the file now. Datasets opened from it must not be used afterwards.
    public func close() throws {
        try HDF5.call {
            guard let handle else { return }
            try HDF5.check(H5Fflush(handle.id, H5F_SCOPE_GLOBAL), file: path, object: "", "flushing")
            self.handle = nil
        }
    }

    // MARK: Links

    /// Whether an object exists at `objectPath`, checking each level so that a missing parent
    /// group is "no", not an error.
    public func contains(_ objectPath: String) throws -> Bool {
        try HDF5.call {
            let fileID = try id
            var prefix = ""
            for component in objectPath.split(separator: "/") {
                prefix += "/" + component
                let exists = H5Lexists(fileID, prefix, lgmcl_h5p_default())
                if exists < 0 { _ = HDF5.takeErrorStack() }
                if exists <= 0 { return false }
            }
            return true
        }
    }

    /// Creates a group and any missing parents.
    public func createGroup(_ groupPath: String) throws {
        try HDF5.call {
            let linkList = try HDF5.check(H5Pcreate(lgmcl_h5p_link_create()), file: path, object: groupPath, "H5Pcreate")
            defer { H5Pclose(linkList) }
            try HDF5.check(H5Pset_create_intermediate_group(linkList, 1), file: path, object: groupPath, "H5Pset_create_intermediate_group")
            let group = try HDF5.check(
                H5Gcreate2(try id, groupPath, linkList, lgmcl_h5p_default(), lgmcl_h5p_default()),
                file: path, object: groupPath, "creating the group")
            H5Gclose(group)
        }
    }

    // MARK: Datasets

    /// Target size of one chunk: large enough for deflate to work well and for reads to be few,
    /// small enough that a reader touching one molecule does not decompress much more.
    public static let chunkBytes = 1 << 20

    /// Creates an extendible dataset of rows, each of shape `columns` ([] for scalars per row),
    /// chunked along the rows and compressed with shuffle + deflate. `chunkRows` defaults to
    /// about `chunkBytes` per chunk.
    @discardableResult
    public func createDataset<T: HDF5Scalar>(
        _ datasetPath: String, of type: T.Type, columns: [Int] = [], chunkRows: Int? = nil, deflateLevel: UInt32 = 4
    ) throws -> HDF5Dataset {
        let rowBytes = max(1, columns.reduce(MemoryLayout<T>.size, *))
        let rows = chunkRows ?? max(1, Self.chunkBytes / rowBytes)
        return try createDataset(datasetPath, fileType: T.fileType, columns: columns, chunkRows: rows,
                                 deflateLevel: deflateLevel, ownsType: false)
    }

    /// Creates an extendible dataset of variable-length UTF-8 strings (h5py reads them as `str`).
    @discardableResult
    public func createStringDataset(_ datasetPath: String, chunkRows: Int = 4096, deflateLevel: UInt32 = 4) throws -> HDF5Dataset {
        let type = try HDF5.call { try HDF5Strings.variableType(file: path, object: datasetPath) }
        return try createDataset(datasetPath, fileType: type, columns: [], chunkRows: chunkRows,
                                 deflateLevel: deflateLevel, ownsType: true)
    }

    private func createDataset(
        _ datasetPath: String, fileType: hid_t, columns: [Int], chunkRows: Int, deflateLevel: UInt32, ownsType: Bool
    ) throws -> HDF5Dataset {
        try HDF5.call {
            defer { if ownsType { H5Tclose(fileType) } }
            let fileID = try id
            let parent = (datasetPath as NSString).deletingLastPathComponent
            if parent != "/", parent != "", try !contains(parent) { try createGroup(parent) }

            var dims = [hsize_t(0)] + columns.map { hsize_t($0) }
            // A zero-width column (labels of a dataset without tasks) must be extendible for
            // HDF5 to accept a chunk of width 1.
            var maxDims = [lgmcl_h5s_unlimited()] + columns.map { $0 == 0 ? lgmcl_h5s_unlimited() : hsize_t($0) }
            let space = try HDF5.check(H5Screate_simple(Int32(dims.count), &dims, &maxDims),
                                       file: path, object: datasetPath, "H5Screate_simple")
            defer { H5Sclose(space) }
            let create = try HDF5.check(H5Pcreate(lgmcl_h5p_dataset_create()), file: path, object: datasetPath, "H5Pcreate")
            defer { H5Pclose(create) }
            var chunk = [hsize_t(chunkRows)] + columns.map { hsize_t(max(1, $0)) }
            try HDF5.check(H5Pset_chunk(create, Int32(chunk.count), &chunk), file: path, object: datasetPath, "H5Pset_chunk")
            // Shuffle first: grouping the bytes of each significance lets deflate see the long
            // runs in float32 one-hot features and int64 offsets.
            try HDF5.check(H5Pset_shuffle(create), file: path, object: datasetPath, "H5Pset_shuffle")
            try HDF5.check(H5Pset_deflate(create, deflateLevel), file: path, object: datasetPath, "H5Pset_deflate")
            let dataset = try HDF5.check(
                H5Dcreate2(fileID, datasetPath, fileType, space, lgmcl_h5p_default(), create, lgmcl_h5p_default()),
                file: path, object: datasetPath, "creating the dataset")
            return HDF5Dataset(file: self, name: datasetPath, id: dataset)
        }
    }

    /// Opens an existing dataset.
    public func dataset(_ datasetPath: String) throws -> HDF5Dataset {
        try HDF5.call {
            let fileID = try id
            guard try contains(datasetPath) else {
                throw HDF5Error(file: path, object: datasetPath, operation: "opening the dataset", reasons: ["no such dataset"])
            }
            // A chunk cache that holds several 1 MiB chunks, so that reading consecutive row
            // ranges decompresses each chunk once.
            let access = try HDF5.check(H5Pcreate(lgmcl_h5p_dataset_access()), file: path, object: datasetPath, "H5Pcreate")
            defer { H5Pclose(access) }
            try HDF5.check(H5Pset_chunk_cache(access, 521, 16 << 20, 0.75), file: path, object: datasetPath, "H5Pset_chunk_cache")
            let dataset = try HDF5.check(H5Dopen2(fileID, datasetPath, access), file: path, object: datasetPath, "opening the dataset")
            return HDF5Dataset(file: self, name: datasetPath, id: dataset)
        }
    }
}
