import Foundation

/// The safetensors format (Hugging Face; what PyTorch checkpoints are shared in):
///   8 bytes  little-endian u64 N
///   N bytes  JSON: {"name": {"dtype": "F32", "shape": [..], "data_offsets": [begin, end]}, …,
///                   "__metadata__": {"key": "value"}}   (padded with spaces)
///   data     little-endian tensor bytes, offsets relative to the end of the header
/// F32 and F64 are read and written; other dtypes are reported as unsupported.
public struct SafeTensors {
    public struct Entry {
        public let dtype: String
        public let shape: [Int]
        public let bytes: Data
    }

    public private(set) var entries: [String: Entry] = [:]
    public var metadata: [String: String] = [:]

    public init() {}

    /// The values, or the gradients, of named parameters: a state-dict file as PyTorch writes one.
    public init<S: TensorScalar>(_ parameters: [(name: String, parameter: Parameter<S>)], gradients: Bool = false,
                                 metadata: [String: String]) {
        self.metadata = metadata
        for (name, parameter) in parameters { add(name, (gradients ? parameter.gradient : parameter.value).detached()) }
    }

    public var names: [String] { entries.keys.sorted() }

    public mutating func add<S: TensorScalar>(_ name: String, _ tensor: Tensor<S>) {
        precondition(name != "__metadata__", "safetensors: '__metadata__' is reserved")
        let bytes = Data(UnsafeRawBufferPointer(tensor.storage.buffer))
        entries[name] = Entry(dtype: S.safetensorsType, shape: tensor.shape, bytes: bytes)
    }

    /// The tensor called `name`, converted to `S` if stored in the other precision.
    public func tensor<S: TensorScalar>(_ name: String, as type: S.Type = S.self) throws -> Tensor<S> {
        guard let entry = entries[name] else { throw SafeTensorsError(file: nil, reason: "no tensor named '\(name)'") }
        let count = entry.shape.reduce(1, *)
        let values: [S]
        switch entry.dtype {
        case "F32": values = entry.bytes.withUnsafeBytes { raw in (0..<count).map { S(Float(bitPattern: raw.loadUnaligned(fromByteOffset: 4 * $0, as: UInt32.self).littleEndian)) } }
        case "F64": values = entry.bytes.withUnsafeBytes { raw in (0..<count).map { S(Double(bitPattern: raw.loadUnaligned(fromByteOffset: 8 * $0, as: UInt64.self).littleEndian)) } }
        default: throw SafeTensorsError(file: nil, reason: "tensor '\(name)' has dtype \(entry.dtype); only F32 and F64 are supported")
        }
        return Tensor(values, shape: entry.shape)
    }

    public static func read(_ url: URL) throws -> SafeTensors {
        func fail(_ reason: String) -> SafeTensorsError { SafeTensorsError(file: url.path, reason: reason) }
        let data: Data
        do { data = try Data(contentsOf: url, options: .mappedIfSafe) } catch { throw fail("cannot read: \(error.localizedDescription)") }
        guard data.count >= 8 else { throw fail("shorter than the 8-byte header length") }
        let headerLength = data.prefix(8).withUnsafeBytes { UInt64(littleEndian: $0.loadUnaligned(as: UInt64.self)) }
        guard headerLength <= UInt64(data.count - 8) else { throw fail("header length \(headerLength) exceeds the file size \(data.count)") }
        let headerEnd = 8 + Int(headerLength)
        guard let header = try? JSONSerialization.jsonObject(with: data.subdata(in: 8..<headerEnd)) as? [String: Any] else {
            throw fail("header is not a JSON object (not a safetensors file?)")
        }
        var file = SafeTensors()
        let payload = data.count - headerEnd
        for (name, value) in header {
            if name == "__metadata__" {
                guard let map = value as? [String: String] else { throw fail("__metadata__ is not a map of strings") }
                file.metadata = map
                continue
            }
            guard let info = value as? [String: Any], let dtype = info["dtype"] as? String,
                  let shape = info["shape"] as? [Int], let offsets = info["data_offsets"] as? [Int], offsets.count == 2
            else { throw fail("tensor '\(name)': missing dtype, shape or data_offsets") }
            let width = ["F64": 8, "F32": 4, "I64": 8, "I32": 4, "F16": 2, "BF16": 2, "U8": 1, "I8": 1, "BOOL": 1, "I16": 2][dtype] ?? 0
            guard width > 0 else { throw fail("tensor '\(name)': unknown dtype \(dtype)") }
            guard shape.allSatisfy({ $0 >= 0 }), offsets[0] >= 0, offsets[0] <= offsets[1], offsets[1] <= payload else {
                throw fail("tensor '\(name)': data_offsets \(offsets) outside the \(payload)-byte data section")
            }
            guard offsets[1] - offsets[0] == shape.reduce(1, *) * width else {
                throw fail("tensor '\(name)': \(offsets[1] - offsets[0]) bytes for shape \(shape) of \(dtype)")
            }
            file.entries[name] = Entry(dtype: dtype, shape: shape,
                                       bytes: data.subdata(in: (headerEnd + offsets[0])..<(headerEnd + offsets[1])))
        }
        return file
    }

    /// The file's bytes: tensors in name order.
    public func encoded() -> Data {
        func quoted(_ s: String) -> String {
            String(data: try! JSONEncoder().encode(s), encoding: .utf8)!
        }
        var fields: [String] = []
        if !metadata.isEmpty {
            let pairs = metadata.keys.sorted().map { "\(quoted($0)):\(quoted(metadata[$0]!))" }
            fields.append("\"__metadata__\":{\(pairs.joined(separator: ","))}")
        }
        var offset = 0
        for name in names {
            let e = entries[name]!
            let shape = e.shape.map(String.init).joined(separator: ",")
            fields.append("\(quoted(name)):{\"dtype\":\"\(e.dtype)\",\"shape\":[\(shape)],\"data_offsets\":[\(offset),\(offset + e.bytes.count)]}")
            offset += e.bytes.count
        }
        var header = Data("{\(fields.joined(separator: ","))}".utf8)
        header.append(contentsOf: [UInt8](repeating: 0x20, count: (8 - header.count % 8) % 8))
        var out = Data()
        // One allocation: appended piece by piece, a file of hundreds of megabytes (`paper`
        // weights, Adam's moments) was copied again at every reallocation.
        out.reserveCapacity(8 + header.count + offset)
        withUnsafeBytes(of: UInt64(header.count).littleEndian) { out.append(contentsOf: $0) }
        out.append(header)
        for name in names { out.append(entries[name]!.bytes) }
        return out
    }

    /// Writes the file; it appears atomically (temporary name, then rename).
    public func write(to url: URL) throws {
        let out = encoded()
        let temporary = url.deletingLastPathComponent().appendingPathComponent(".\(url.lastPathComponent).tmp-\(getpid())")
        do {
            try out.write(to: temporary)
        } catch {
            throw SafeTensorsError(file: url.path, reason: "cannot write: \(error.localizedDescription)")
        }
        // rename(2) replaces an existing file atomically.
        guard rename(temporary.path, url.path) == 0 else {
            let reason = String(cString: strerror(errno))
            try? FileManager.default.removeItem(at: temporary)
            throw SafeTensorsError(file: url.path, reason: "cannot rename into place: \(reason)")
        }
    }
}

public struct SafeTensorsError: Error, CustomStringConvertible {
    public let file: String?
    public let reason: String
    public var description: String { file.map { "\($0): \(reason)" } ?? reason }
}
