import Foundation
@testable import LGMCL
import TestSupport
import Testing

/// The reader against a file written by Python's safetensors package, the writer against a
/// committed file that scripts/make_tensor_fixtures.py loads in Python (see its docstring).
struct SafeTensorsTests {
    static let directory = repositoryRoot.appendingPathComponent("Tests/LGMCLTests/Fixtures/tensor")

    @Test func readsPythonWrittenFile() throws {
        let file = try SafeTensors.read(Self.directory.appendingPathComponent("python_written.safetensors"))
        #expect(file.metadata == ["source": "python"])
        #expect(file.entries["ramp"]?.dtype == "F32" && file.entries["third"]?.dtype == "F64")
        let ramp: Tensor<Float> = try file.tensor("ramp")
        #expect(ramp.shape == [3, 4] && ramp.scalars == (0..<12).map { Float($0) / 8 })
        let third: Tensor<Double> = try file.tensor("third")
        let expected: [Double] = [1.0 / 3, -2.0 / 3]
        #expect(third.scalars == expected)
    }

    static func swiftFile() -> SafeTensors {
        var file = SafeTensors()
        file.add("ramp_f32", Tensor<Float>((0..<6).map { Float($0) * 0.25 - 1 }, shape: [2, 3]))
        file.add("inverse", Tensor<Double>((0..<3).map { 1 / Double($0 + 1) }, shape: [3]))
        file.add("scalar", Tensor<Float>(3.5))
        file.add("empty", Tensor<Float>.zeros([0, 4]))
        file.metadata = ["format": "pt", "written_by": "lgmcl"]
        return file
    }

    @Test func writerOutputIsStable() throws {
        let committed = Self.directory.appendingPathComponent("written_by_swift.safetensors")
        if ProcessInfo.processInfo.environment["LGMCL_WRITE_FIXTURES"] != nil { try Self.swiftFile().write(to: committed) }
        let scratch = FileManager.default.temporaryDirectory.appendingPathComponent("lgmcl-st-\(UUID().uuidString).safetensors")
        defer { try? FileManager.default.removeItem(at: scratch) }
        try Self.swiftFile().write(to: scratch)
        #expect(try Data(contentsOf: scratch) == Data(contentsOf: committed))
        let back = try SafeTensors.read(scratch)
        #expect(back.metadata == Self.swiftFile().metadata)
        let inverse: [Double] = [1, 0.5, 1.0 / 3]
        #expect(try back.tensor("inverse", as: Double.self).scalars == inverse)
        #expect(try back.tensor("empty", as: Float.self).shape == [0, 4])
        #expect(try back.tensor("scalar", as: Float.self).shape == [])
    }

    @Test func brokenFilesAreClearErrors() throws {
        let scratch = FileManager.default.temporaryDirectory.appendingPathComponent("lgmcl-bad-\(UUID().uuidString).safetensors")
        defer { try? FileManager.default.removeItem(at: scratch) }
        try Data([1, 2, 3]).write(to: scratch)
        #expect { try SafeTensors.read(scratch) } throws: { "\($0)".contains(scratch.path) && "\($0)".contains("shorter") }
        var bad = Data()
        withUnsafeBytes(of: UInt64(1000).littleEndian) { bad.append(contentsOf: $0) }
        try bad.write(to: scratch)
        #expect { try SafeTensors.read(scratch) } throws: { "\($0)".contains("exceeds") }
        let header = Data(#"{"w":{"dtype":"F32","shape":[2],"data_offsets":[0,4]}}"#.utf8)
        var short = Data()
        withUnsafeBytes(of: UInt64(header.count).littleEndian) { short.append(contentsOf: $0) }
        short.append(header)
        short.append(contentsOf: [0, 0, 0, 0])
        try short.write(to: scratch)
        #expect { try SafeTensors.read(scratch) } throws: { "\($0)".contains("'w'") && "\($0)".contains("shape [2]") }
    }
}
