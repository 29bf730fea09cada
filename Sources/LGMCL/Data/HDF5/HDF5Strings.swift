import CHDF5
import Foundation

/// UTF-8 strings in HDF5: written variable-length (what h5py writes for `str` and reads back as
/// `str`), read either variable- or fixed-length.
enum HDF5Strings {
    /// A variable-length UTF-8 string type; the caller closes it.
    static func variableType(file: String, object: String) throws -> hid_t {
        let type = try HDF5.check(H5Tcopy(lgmcl_h5t_c_s1()), file: file, object: object, "H5Tcopy")
        try HDF5.check(H5Tset_size(type, lgmcl_h5t_variable()), file: file, object: object, "H5Tset_size")
        try HDF5.check(H5Tset_cset(type, H5T_CSET_UTF8), file: file, object: object, "H5Tset_cset")
        return type
    }

    /// Calls `body` with one NUL-terminated C string per element, valid for the call.
    static func withCStringPointers<R>(
        _ strings: [String], _ body: (UnsafeBufferPointer<UnsafePointer<CChar>?>) throws -> R
    ) rethrows -> R {
        let copies = strings.map { strdup($0) }
        defer { copies.forEach { free($0) } }
        let pointers = copies.map { UnsafePointer($0) }
        return try pointers.withUnsafeBufferPointer(body)
    }

    /// Reads `count` strings whose stored type is `fileType` through `read(memoryType, buffer)`.
    static func read(
        count: Int, fileType: hid_t, file: String, object: String,
        read: (hid_t, UnsafeMutableRawPointer) -> herr_t,
        reclaim: (hid_t, UnsafeMutableRawPointer) -> herr_t
    ) throws -> [String] {
        guard H5Tget_class(fileType) == H5T_STRING else {
            throw HDF5Error(file: file, object: object, operation: "reading strings", reasons: ["not a string type"])
        }
        if count == 0 { return [] }
        if H5Tis_variable_str(fileType) > 0 {
            let memoryType = try variableType(file: file, object: object)
            defer { H5Tclose(memoryType) }
            var pointers = [UnsafeMutablePointer<CChar>?](repeating: nil, count: count)
            return try pointers.withUnsafeMutableBytes { buffer in
                try HDF5.check(read(memoryType, buffer.baseAddress!), file: file, object: object, "reading strings")
                defer { _ = reclaim(memoryType, buffer.baseAddress!) }
                return buffer.bindMemory(to: UnsafeMutablePointer<CChar>?.self).map { $0.map { String(cString: $0) } ?? "" }
            }
        }
        // Fixed-length: NUL-padded (or space-padded) bytes of one width.
        let width = H5Tget_size(fileType)
        let memoryType = try HDF5.check(H5Tcopy(lgmcl_h5t_c_s1()), file: file, object: object, "H5Tcopy")
        defer { H5Tclose(memoryType) }
        try HDF5.check(H5Tset_size(memoryType, width), file: file, object: object, "H5Tset_size")
        try HDF5.check(H5Tset_strpad(memoryType, H5T_STR_NULLPAD), file: file, object: object, "H5Tset_strpad")
        try HDF5.check(H5Tset_cset(memoryType, H5Tget_cset(fileType)), file: file, object: object, "H5Tset_cset")
        var bytes = [UInt8](repeating: 0, count: count * width)
        try bytes.withUnsafeMutableBytes { buffer in
            try HDF5.check(read(memoryType, buffer.baseAddress!), file: file, object: object, "reading strings")
        }
        let padding = H5Tget_strpad(fileType) == H5T_STR_SPACEPAD ? UInt8(ascii: " ") : 0
        return (0 ..< count).map { i in
            var element = bytes[i * width ..< (i + 1) * width]
            if let end = element.firstIndex(of: 0) { element = element[..<end] }
            if padding != 0 { while element.last == padding { element = element.dropLast() } }
            return String(decoding: element, as: UTF8.self)
        }
    }
}
