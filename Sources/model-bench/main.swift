// Times forward + backward of lgmcl's encoders and fine-tuning model on one batch written by
// scripts/bench_models.py (which runs the PyTorch peers and writes docs/benchmarks-models.md).
// Prints one JSON object per component: {"component": …, "seconds": median}.
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
let repeats = Int(argument("--repeats") ?? "3") ?? 3

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
    let graph = GraphInput(atomFeatures: try floats("atom_features"), edgeIndex: integers("edge_index").map(Int32.init),
                           bondFeatures: try floats("bond_features"), atomOffsets: integers("atom_offsets"))
    let smiles = tokens("smiles"), descriptions = tokens("description")
    let fingerprints = try floats("fingerprints")
    var configuration = preset.configuration
    configuration.text.vocabularySize = integers("vocab_size")[0]
    let model = LGMCLModel<Float>(configuration)

    let steps: [(String, () -> Void)] = [
        ("local", { model.localVectors(graph).sum().backward() }),
        ("global", { model.globalVectors(graph).sum().backward() }),
        ("text", { (model.textVectors(smiles).sum() + model.textVectors(descriptions).sum()).backward() }),
        ("finetune", {
            model.predictions(graph: graph, smiles: smiles, descriptions: descriptions, fingerprints: fingerprints)
                .predictions.sum().backward()
        }),
    ]
    for (component, step) in steps {
        step()
        var times: [Double] = []
        for _ in 0..<repeats {
            let start = DispatchTime.now().uptimeNanoseconds
            step()
            times.append(Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9)
        }
        print("{\"component\": \"\(component)\", \"seconds\": \(times.sorted()[times.count / 2])}")
        fflush(stdout)
    }
} catch {
    FileHandle.standardError.write(Data("model-bench: \(error)\n".utf8))
    exit(1)
}
