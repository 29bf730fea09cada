import Foundation

/// Loading and saving an `LGMCLModel`'s weights by state-dict name (docs/models.md, Weight names):
/// a directory holds `model.safetensors` and `config.json` beside it.
extension LGMCLModel {
    /// Assigns tensors by state-dict name. Without `components`, every parameter must be given
    /// and every tensor used; with them (loading pretrained encoders from a pretraining
    /// checkpoint), exactly the parameters under those components' prefixes are loaded and other
    /// tensors are ignored.
    public func loadStateDict(_ tensors: [String: Tensor<Scalar>], components: [Component]? = nil) throws {
        let wanted = stateDict().filter { entry in
            components.map { $0.contains { $0.owns(entry.name) } } ?? true
        }
        for (name, parameter) in wanted {
            guard let tensor = tensors[name] else { throw WeightsError.missing(name) }
            guard tensor.shape == parameter.shape else {
                throw WeightsError.shapeMismatch(name, expected: parameter.shape, found: tensor.shape)
            }
            parameter.assign(tensor)
        }
        if components == nil {
            let known = Set(wanted.map(\.name))
            if let extra = tensors.keys.sorted().first(where: { !known.contains($0) }) { throw WeightsError.unexpected(extra) }
        }
    }

    public static var weightsFileName: String { "model.safetensors" }
    public static var configurationFileName: String { "config.json" }

    /// Writes `model.safetensors` (state-dict names, this model's precision) and `config.json`.
    public func save(to directory: URL) throws {
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let file = SafeTensors(stateDict(), metadata: ["format": "pt", "preset": configuration.preset])
        try file.write(to: directory.appendingPathComponent(Self.weightsFileName))
        try configuration.save(to: directory.appendingPathComponent(Self.configurationFileName))
    }

    /// A model rebuilt from `config.json` with the weights of `model.safetensors` beside it.
    public static func load(from directory: URL) throws -> LGMCLModel {
        let configuration = try ModelConfiguration.load(from: directory.appendingPathComponent(configurationFileName))
        let model = LGMCLModel(configuration)
        try model.loadWeights(from: directory.appendingPathComponent(weightsFileName))
        return model
    }

    /// Loads a safetensors file by state-dict name (all parameters, or those of `components`).
    public func loadWeights(from url: URL, components: [Component]? = nil) throws {
        let file = try SafeTensors.read(url)
        var tensors: [String: Tensor<Scalar>] = [:]
        for name in file.names { tensors[name] = try file.tensor(name, as: Scalar.self) }
        do { try loadStateDict(tensors, components: components) } catch let error as WeightsError {
            throw SafeTensorsError(file: url.path, reason: error.description)
        }
    }

    /// Parameter counts per component, in state-dict order.
    public var parameterCounts: [(component: String, count: Int)] {
        var counts: [(String, Int)] = []
        for (name, parameter) in stateDict() {
            var component = String(name.prefix { $0 != "." })
            if component == "DeBERTa" {
                component = name.hasPrefix("DeBERTa.embeddings.word_embeddings")
                    || name.hasPrefix("DeBERTa.embeddings.position_embeddings") ? "DeBERTa (embeddings)" : "DeBERTa"
            }
            if let i = counts.firstIndex(where: { $0.0 == component }) {
                counts[i].1 += parameter.count
            } else {
                counts.append((component, parameter.count))
            }
        }
        return counts
    }
}

public enum WeightsError: Error, CustomStringConvertible, Equatable {
    case missing(String)
    case unexpected(String)
    case shapeMismatch(String, expected: [Int], found: [Int])

    public var description: String {
        switch self {
        case .missing(let name): return "weights: no tensor \(name)"
        case .unexpected(let name): return "weights: tensor \(name) is not a parameter of this model"
        case .shapeMismatch(let name, let expected, let found):
            return "weights: \(name) has shape \(found), the model expects \(expected)"
        }
    }
}
