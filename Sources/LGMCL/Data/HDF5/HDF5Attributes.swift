import CHDF5

/// Attributes of the file's objects ("/" for the file itself), as h5py's `obj.attrs` sees them:
/// integers are scalar int64, strings scalar variable-length UTF-8, string lists 1-D arrays of them.
extension HDF5File {
    public func setAttribute(_ name: String, _ value: Int64, on objectPath: String = "/") throws {
        try writeAttribute(name, on: objectPath, count: nil, fileType: Int64.fileType) { attribute in
            var value = value
            return H5Awrite(attribute, Int64.memoryType, &value)
        }
    }

    public func setAttribute(_ name: String, _ value: String, on objectPath: String = "/") throws {
        try writeStrings(name, [value], scalar: true, on: objectPath)
    }

    public func setAttribute(_ name: String, _ values: [String], on objectPath: String = "/") throws {
        try writeStrings(name, values, scalar: false, on: objectPath)
    }

    /// An integer attribute, nil when absent.
    public func integerAttribute(_ name: String, on objectPath: String = "/") throws -> Int64? {
        try readAttribute(name, on: objectPath) { attribute, _, count in
            guard count == 1 else { throw attributeError(name, objectPath, "expected one value, found \(count)") }
            var value: Int64 = 0
            try HDF5.check(H5Aread(attribute, Int64.memoryType, &value), file: path, object: "\(objectPath) attribute \(name)", "reading")
            return value
        }
    }

    /// A string attribute (scalar or the first of an array), nil when absent.
    public func stringAttribute(_ name: String, on objectPath: String = "/") throws -> String? {
        try stringsAttribute(name, on: objectPath)?.first
    }

    /// A string-array attribute (a scalar string reads as one element), nil when absent.
    public func stringsAttribute(_ name: String, on objectPath: String = "/") throws -> [String]? {
        try readAttribute(name, on: objectPath) { attribute, type, count in
            guard H5Tget_class(type) == H5T_STRING else { throw attributeError(name, objectPath, "not a string") }
            let space = H5Aget_space(attribute)
            defer { H5Sclose(space) }
            return try HDF5Strings.read(count: count, fileType: type, file: path, object: "\(objectPath) attribute \(name)") { memoryType, buffer in
                H5Aread(attribute, memoryType, buffer)
            } reclaim: { memoryType, buffer in
                H5Dvlen_reclaim(memoryType, space, lgmcl_h5p_default(), buffer)
            }
        }
    }

    public func attributeExists(_ name: String, on objectPath: String = "/") throws -> Bool {
        try HDF5.call {
            let object = try openObject(objectPath)
            defer { H5Oclose(object) }
            return try HDF5.check(H5Aexists(object, name), file: path, object: objectPath, "H5Aexists") > 0
        }
    }

    // MARK: Plumbing

    private func attributeError(_ name: String, _ objectPath: String, _ reason: String) -> HDF5Error {
        HDF5Error(file: path, object: "\(objectPath) attribute \(name)", operation: "reading", reasons: [reason])
    }

    private func openObject(_ objectPath: String) throws -> hid_t {
        try HDF5.check(H5Oopen(try id, objectPath, lgmcl_h5p_default()), file: path, object: objectPath, "opening the object")
    }

    private func writeAttribute(
        _ name: String, on objectPath: String, count: Int?, fileType: hid_t, write: (hid_t) -> herr_t
    ) throws {
        try HDF5.call {
            let where_ = "\(objectPath) attribute \(name)"
            let object = try openObject(objectPath)
            defer { H5Oclose(object) }
            if try HDF5.check(H5Aexists(object, name), file: path, object: where_, "H5Aexists") > 0 {
                try HDF5.check(H5Adelete(object, name), file: path, object: where_, "replacing")
            }
            let space: hid_t
            if let count {
                var dims = [hsize_t(count)]
                space = try HDF5.check(H5Screate_simple(1, &dims, nil), file: path, object: where_, "H5Screate_simple")
            } else {
                space = try HDF5.check(H5Screate(H5S_SCALAR), file: path, object: where_, "H5Screate")
            }
            defer { H5Sclose(space) }
            let attribute = try HDF5.check(
                H5Acreate2(object, name, fileType, space, lgmcl_h5p_default(), lgmcl_h5p_default()),
                file: path, object: where_, "creating")
            defer { H5Aclose(attribute) }
            try HDF5.check(write(attribute), file: path, object: where_, "writing")
        }
    }

    private func writeStrings(_ name: String, _ values: [String], scalar: Bool, on objectPath: String) throws {
        try HDF5.call {
            let type = try HDF5Strings.variableType(file: path, object: "\(objectPath) attribute \(name)")
            defer { H5Tclose(type) }
            try HDF5Strings.withCStringPointers(values) { pointers in
                try writeAttribute(name, on: objectPath, count: scalar ? nil : values.count, fileType: type) { attribute in
                    H5Awrite(attribute, type, pointers.baseAddress)
                }
            }
        }
    }

    private func readAttribute<R>(
        _ name: String, on objectPath: String, _ body: (hid_t, hid_t, Int) throws -> R
    ) throws -> R? {
        try HDF5.call {
            let where_ = "\(objectPath) attribute \(name)"
            guard try contains(objectPath) || objectPath == "/" else { return nil }
            let object = try openObject(objectPath)
            defer { H5Oclose(object) }
            guard try HDF5.check(H5Aexists(object, name), file: path, object: where_, "H5Aexists") > 0 else { return nil }
            let attribute = try HDF5.check(H5Aopen(object, name, lgmcl_h5p_default()), file: path, object: where_, "opening")
            defer { H5Aclose(attribute) }
            let type = try HDF5.check(H5Aget_type(attribute), file: path, object: where_, "H5Aget_type")
            defer { H5Tclose(type) }
            let space = try HDF5.check(H5Aget_space(attribute), file: path, object: where_, "H5Aget_space")
            defer { H5Sclose(space) }
            let count = Int(try HDF5.check(H5Sget_simple_extent_npoints(space), file: path, object: where_, "H5Sget_simple_extent_npoints"))
            return try body(attribute, type, count)
        }
    }
}
