import CHDF5

/// One dataset of an `HDF5File`, seen as rows along its first dimension: appended to by whole
/// rows, read by row ranges (HDF5 hyperslabs).
public final class HDF5Dataset {
    public let file: HDF5File
    /// The dataset's path inside the file, used in every error message.
    public let name: String
    let handle: HDF5Handle

    init(file: HDF5File, name: String, id: hid_t) {
        self.file = file
        self.name = name
        self.handle = HDF5Handle(id, close: H5Dclose)
    }

    @discardableResult
    private func check<T: BinaryInteger>(_ result: T, _ operation: String) throws -> T {
        try HDF5.check(result, file: file.path, object: name, operation)
    }

    /// The current extent, rows first.
    public var shape: [Int] {
        get throws {
            try HDF5.call {
                let space = try check(H5Dget_space(handle.id), "H5Dget_space")
                defer { H5Sclose(space) }
                let rank = Int(try check(H5Sget_simple_extent_ndims(space), "H5Sget_simple_extent_ndims"))
                var dims = [hsize_t](repeating: 0, count: rank)
                try check(H5Sget_simple_extent_dims(space, &dims, nil), "H5Sget_simple_extent_dims")
                return dims.map { Int($0) }
            }
        }
    }

    public var rowCount: Int { get throws { try shape.first ?? 1 } }

    /// The stored element type in numpy's words ("float32", "int64", "uint8", "string" …), for
    /// checking a file against its schema.
    public var elementType: String {
        get throws {
            try HDF5.call {
                let type = try check(H5Dget_type(handle.id), "H5Dget_type")
                defer { H5Tclose(type) }
                let size = H5Tget_size(type)
                switch H5Tget_class(type) {
                case H5T_FLOAT: return "float\(size * 8)"
                case H5T_INTEGER: return (H5Tget_sign(type) == H5T_SGN_NONE ? "uint" : "int") + "\(size * 8)"
                case H5T_STRING: return "string"
                default: return "other"
                }
            }
        }
    }

    /// Rows per chunk, nil when the dataset is not chunked.
    public var chunkRows: Int? {
        get throws {
            try HDF5.call {
                let create = try check(H5Dget_create_plist(handle.id), "H5Dget_create_plist")
                defer { H5Pclose(create) }
                guard H5Pget_layout(create) == H5D_CHUNKED else { return nil }
                var dims = [hsize_t](repeating: 0, count: 32)
                let rank = try check(H5Pget_chunk(create, 32, &dims), "H5Pget_chunk")
                return rank > 0 ? Int(dims[0]) : nil
            }
        }
    }

    // MARK: Writing

    /// Appends `values.count / rowLength` rows, growing the dataset.
    public func append<T: HDF5Scalar>(_ values: [T]) throws {
        try values.withUnsafeBufferPointer { buffer in
            try append(rows: buffer.count / max(1, try rowLength())) { memoryType, memorySpace, fileSpace in
                H5Dwrite(handle.id, T.memoryType, memorySpace, fileSpace, lgmcl_h5p_default(), buffer.baseAddress)
            }
        }
    }

    /// Appends strings as rows of a string dataset, stored as UTF-8.
    public func append(strings: [String]) throws {
        try HDF5Strings.withCStringPointers(strings) { pointers in
            let type = try HDF5.call { try HDF5Strings.variableType(file: file.path, object: name) }
            defer { HDF5.call { _ = H5Tclose(type) } }
            try append(rows: strings.count) { _, memorySpace, fileSpace in
                H5Dwrite(handle.id, type, memorySpace, fileSpace, lgmcl_h5p_default(), pointers.baseAddress)
            }
        }
    }

    /// Adds `rows` rows without writing them, for datasets whose rows hold no values.
    public func grow(by rows: Int) throws {
        try HDF5.call {
            var dims = try shape.map { hsize_t($0) }
            dims[0] += hsize_t(rows)
            try check(H5Dset_extent(handle.id, &dims), "extending")
        }
    }

    private func rowLength() throws -> Int {
        try shape.dropFirst().reduce(1, *)
    }

    private func append(rows: Int, write: (hid_t, hid_t, hid_t) -> herr_t) throws {
        guard rows > 0 else { return }
        try HDF5.call {
            var dims = try shape.map { hsize_t($0) }
            let start = dims[0]
            dims[0] += hsize_t(rows)
            try check(H5Dset_extent(handle.id, &dims), "extending")
            let fileSpace = try check(H5Dget_space(handle.id), "H5Dget_space")
            defer { H5Sclose(fileSpace) }
            var offset = [start] + Array(repeating: hsize_t(0), count: dims.count - 1)
            var count = dims
            count[0] = hsize_t(rows)
            try check(H5Sselect_hyperslab(fileSpace, H5S_SELECT_SET, &offset, nil, &count, nil), "selecting rows")
            let memorySpace = try check(H5Screate_simple(Int32(count.count), &count, nil), "H5Screate_simple")
            defer { H5Sclose(memorySpace) }
            try check(write(0, memorySpace, fileSpace), "writing \(rows) rows at row \(start)")
        }
    }

    // MARK: Reading

    /// Reads rows `rows` into `buffer` (which must hold exactly those rows), converting to `T`.
    public func read<T: HDF5Scalar>(rows: Range<Int>, into buffer: UnsafeMutableBufferPointer<T>) throws {
        try withRowSelection(rows) { memorySpace, fileSpace, rowLength in
            precondition(buffer.count == rows.count * rowLength, "read buffer does not match the selected rows")
            return H5Dread(handle.id, T.memoryType, memorySpace, fileSpace, lgmcl_h5p_default(), buffer.baseAddress)
        }
    }

    public func read<T: HDF5Scalar>(rows: Range<Int>, as type: T.Type = T.self) throws -> [T] {
        let count = rows.count * (try rowLength())
        // No zeroing first: HDF5 writes every element, and a failed read throws the array away
        // (its scalars need no deinitialization).
        return try [T](unsafeUninitializedCapacity: count) { buffer, initialized in
            try read(rows: rows, into: buffer)
            initialized = count
        }
    }

    public func readAll<T: HDF5Scalar>(as type: T.Type = T.self) throws -> [T] {
        try read(rows: 0 ..< rowCount)
    }

    /// Reads string rows, whether stored variable-length (h5py's default) or fixed-length.
    public func readStrings(rows: Range<Int>) throws -> [String] {
        try HDF5.call {
            let fileType = try check(H5Dget_type(handle.id), "H5Dget_type")
            defer { H5Tclose(fileType) }
            var result: [String] = []
            try withRowSelection(rows) { memorySpace, fileSpace, _ in
                result = try HDF5Strings.read(count: rows.count, fileType: fileType, file: file.path, object: name) { memoryType, buffer in
                    H5Dread(handle.id, memoryType, memorySpace, fileSpace, lgmcl_h5p_default(), buffer)
                } reclaim: { memoryType, buffer in
                    H5Dvlen_reclaim(memoryType, memorySpace, lgmcl_h5p_default(), buffer)
                }
                return 0
            }
            return result
        }
    }

    public func readAllStrings() throws -> [String] {
        try readStrings(rows: 0 ..< rowCount)
    }

    private func withRowSelection(_ rows: Range<Int>, _ body: (hid_t, hid_t, Int) throws -> herr_t) throws {
        try HDF5.call {
            let fileSpace = try check(H5Dget_space(handle.id), "H5Dget_space")
            defer { H5Sclose(fileSpace) }
            let rank = Int(try check(H5Sget_simple_extent_ndims(fileSpace), "H5Sget_simple_extent_ndims"))
            var dims = [hsize_t](repeating: 0, count: rank)
            try check(H5Sget_simple_extent_dims(fileSpace, &dims, nil), "H5Sget_simple_extent_dims")
            guard rank > 0 else {
                throw HDF5Error(file: file.path, object: name, operation: "reading rows", reasons: ["dataset is a scalar"])
            }
            guard rows.lowerBound >= 0, rows.upperBound <= Int(dims[0]) else {
                throw HDF5Error(file: file.path, object: name, operation: "reading rows \(rows)",
                                reasons: ["dataset has \(dims[0]) rows"])
            }
            let rowLength = dims.dropFirst().reduce(1) { $0 * Int($1) }
            var offset = [hsize_t(rows.lowerBound)] + Array(repeating: hsize_t(0), count: rank - 1)
            var count = dims
            count[0] = hsize_t(rows.count)
            if rows.isEmpty { return }
            try check(H5Sselect_hyperslab(fileSpace, H5S_SELECT_SET, &offset, nil, &count, nil), "selecting rows \(rows)")
            let memorySpace = try check(H5Screate_simple(Int32(rank), &count, nil), "H5Screate_simple")
            defer { H5Sclose(memorySpace) }
            try check(try body(memorySpace, fileSpace, rowLength), "reading rows \(rows)")
        }
    }
}
