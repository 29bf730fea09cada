// Times forward + backward of lgmcl's encoders and fine-tuning model on one batch written by
// scripts/bench_models.py (which runs the PyTorch peers and writes docs/benchmarks-models.md).
// Prints one JSON object per component: {"component": …, "seconds": median}, then the same run's
// single-thread sgemm rate per CPU second: {"component": "sgemm", "gflops": …}.
import Foundation
import LGMCL

func argument(_ name: String) -> String? {
    guard let i = CommandLine.arguments.firstIndex(of: name), i + 1 < CommandLine.arguments.count else { return nil }
    return CommandLine.arguments[i + 1]
}

guard let presetName = argument("--preset"), let preset = Preset(rawValue: presetName), let path = argument("--batch")
else {
    FileHandle.standardError.write(Data("usage: model-bench --preset tiny|small|paper --batch F.safetensors [--repeats N]\n".utf8))
    exit(2)
}

do {
    let file = try SafeTensors.read(URL(fileURLWithPath: path))
    func floats(_ name: String) throws -> [Float] { try file.tensor(name, as: Float.self).scalars }
    func integers(_ name: String) -> [Int] {
        let entry = file.entries[name]!
        return entry.bytes.withUnsafeBytes { raw in
            entry.dtype == "I64" ? raw.bindMemory(to: Int64.self).map(Int.init) : raw.bindMemory(to: Int32.self).map(Int.init)
        }
    }
    func tokens(_ name: String) -> TokenInput {
        let shape = file.entries["\(name)_ids"]!.shape
        return TokenInput(ids: integers("\(name)_ids").map(Int32.init), mask: integers("\(name)_mask").map(Float.init),
                          rows: shape[0], length: shape[1])
    }
    var configuration = preset.configuration
    configuration.text.vocabularySize = integers("vocab_size")[0]
    let results = ModelTiming.forwardBackward(
        configuration: configuration,
        graph: GraphInput(atomFeatures: try floats("atom_features"), edgeIndex: integers("edge_index").map(Int32.init),
                          bondFeatures: try floats("bond_features"), atomOffsets: integers("atom_offsets")),
        smiles: tokens("smiles"), descriptions: tokens("description"), fingerprints: try floats("fingerprints"),
        repeats: Int(argument("--repeats") ?? "3") ?? 3)
    for (component, seconds) in results { print("{\"component\": \"\(component)\", \"seconds\": \(seconds)}") }
    print("{\"component\": \"sgemm\", \"gflops\": \(ModelTiming.sgemmRate() / 1e9)}")
} catch {
    FileHandle.standardError.write(Data("model-bench: \(error)\n".utf8))
    exit(1)
}
