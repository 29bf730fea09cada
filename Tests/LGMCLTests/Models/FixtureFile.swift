import Foundation
@testable import LGMCL
import TestSupport

/// A safetensors fixture written by scripts/make_model_fixtures.py, read independently of the
/// engine's reader (the fixtures also hold int32 / int64 inputs): 8-byte little-endian header
/// length, JSON header {name: {dtype, shape, data_offsets}}, raw little-endian data.
struct FixtureFile {
    struct Entry { let dtype: String; let shape: [Int]; let range: Range<Int> }
    let url: URL
    let entries: [String: Entry]
    private let payload: Data

    init(_ name: String) throws {
        url = repositoryRoot.appendingPathComponent("Tests/LGMCLTests/Fixtures/models/\(name)")
        let data = try Data(contentsOf: url)
        let headerLength = data.prefix(8).enumerated().reduce(0) { $0 | Int($1.element) << (8 * $1.offset) }
        let header = try JSONSerialization.jsonObject(with: data.subdata(in: 8..<(8 + headerLength))) as! [String: Any]
        var entries: [String: Entry] = [:]
        for (key, value) in header where key != "__metadata__" {
            let info = value as! [String: Any]
            let offsets = info["data_offsets"] as! [Int]
            entries[key] = Entry(dtype: info["dtype"] as! String, shape: info["shape"] as! [Int],
                                 range: offsets[0]..<offsets[1])
        }
        self.entries = entries
        payload = data.subdata(in: (8 + headerLength)..<data.count)
    }

    var names: [String] { entries.keys.sorted() }

    func shape(_ name: String) -> [Int] { entry(name).shape }

    func floats(_ name: String) -> [Float] {
        let e = entry(name)
        precondition(e.dtype == "F32", "\(name) is \(e.dtype)")
        return payload.subdata(in: e.range).withUnsafeBytes { Array($0.bindMemory(to: Float.self)) }
    }

    func integers(_ name: String) -> [Int] {
        let e = entry(name)
        let bytes = payload.subdata(in: e.range)
        switch e.dtype {
        case "I32": return bytes.withUnsafeBytes { $0.bindMemory(to: Int32.self).map(Int.init) }
        case "I64": return bytes.withUnsafeBytes { $0.bindMemory(to: Int64.self).map(Int.init) }
        default: preconditionFailure("\(name) is \(e.dtype)")
        }
    }

    func tensor<S: TensorScalar>(_ name: String, as: S.Type = S.self) -> Tensor<S> {
        Tensor(floats(name).map { S($0) }, shape: shape(name))
    }

    private func entry(_ name: String) -> Entry {
        guard let e = entries[name] else { preconditionFailure("\(url.lastPathComponent) has no tensor \(name)") }
        return e
    }
}
