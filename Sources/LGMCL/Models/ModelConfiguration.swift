import Foundation

/// Every dimension and rate of an LGM-CL model. Written as JSON beside the weights
/// (`config.json`), so a checkpoint rebuilds its model without knowing the preset it came from.
/// Presets are named starting points (docs/design.md, Presets); any field can be overridden.
public struct ModelConfiguration: Codable, Sendable, Equatable {
    public var preset: String
    public var local: AttentiveFPConfiguration
    public var graphTransformer: GraphTransformerConfiguration
    public var graphProjection: ProjectionHeadConfiguration
    public var text: TextEncoderConfiguration
    public var textProjection: ProjectionHeadConfiguration
    public var fusion: FusionConfiguration
}

/// A graph encoder's configuration, which may name how the encoder pools its atoms.
public protocol GraphEncoderConfiguration {
    /// nil: the authors' mean (configurations written before the field existed have none).
    var readout: GraphReadout? { get }
}

extension GraphEncoderConfiguration {
    /// How the encoder pools its atoms into a molecule vector: the readout named, else the mean.
    public var pooling: GraphReadout { readout ?? .mean }
}

public struct AttentiveFPConfiguration: GraphEncoderConfiguration, Codable, Sendable, Equatable {
    public var atomFeatures = 57
    public var bondFeatures = 15
    public var layers: Int
    public var hidden: Int
    public var dropout = 0.5
    public var leakySlope = 0.01
    public var eluAlpha = 1.0
    public var readout: GraphReadout?
}

public struct GraphTransformerConfiguration: GraphEncoderConfiguration, Codable, Sendable, Equatable {
    public var atomFeatures = 57
    public var layers: Int
    public var heads: Int
    public var headDimension: Int
    /// Width of the atom vectors after the final Linear + GELU (the local encoder's width).
    public var output: Int
    public var feedForwardLayers = 2
    public var attentionDropout = 0.5
    public var dropout = 0.05
    public var leakySlope = 0.01
    /// Initial (λ_att, λ_adj).
    public var lambdaAttention = 1.0
    public var layerNormEpsilon = 1e-5
    public var readout: GraphReadout?
    public var width: Int { heads * headDimension }
}

public struct ProjectionHeadConfiguration: Codable, Sendable, Equatable {
    public var input: Int
    public var hidden: [Int]
    public var output: Int
    public var dropout = 0.05
}

public struct TextEncoderConfiguration: Codable, Sendable, Equatable {
    /// Replaced by the dataset's vocabulary size when a model is built for data.
    public var vocabularySize: Int
    public var layers: Int
    public var hidden: Int
    public var heads: Int
    public var feedForward: Int
    public var positionBuckets: Int
    public var maxRelativePositions: Int
    /// Absolute positions: the longest sequence the encoder takes.
    public var maxPositions: Int
    public var maxSMILESTokens: Int
    public var maxDescriptionTokens: Int
    public var convolutionKernel = 3
    public var dropout = 0.1
    public var attentionDropout = 0.1
    public var layerNormEpsilon = 1e-7
    public var headDimension: Int { hidden / heads }
}

public struct FusionConfiguration: Codable, Sendable, Equatable {
    public var width: Int
    public var fingerprintFeatures = 1489
    public var fingerprintHidden: Int
    public var fingerprintOutput: Int
    public var fingerprintDropout = 0.1
    public var predictionDropout = 0.05
    public var tasks = 1
    public var mode = FusionMode.gated
    /// Regression with a mean–variance head (`finetune --loss mve`, beyond the paper): the head's
    /// last layer has 2 × tasks outputs, each task's mean and then each task's raw variance.
    public var predictsVariance = false

    /// The width of the prediction head's input: [GF ‖ TF], and FP when the mode feeds it.
    public var headInputWidth: Int { 2 * width + (mode.readsFingerprints ? fingerprintOutput : 0) }
}

/// How the graph and text views reach the prediction head.
public enum FusionMode: String, Codable, Sendable, CaseIterable {
    /// The paper's: GF = CA(G, FP), TF = CA(T, FP). G and T enter only through one sigmoid gate
    /// per molecule each, so the head sees fingerprint values scaled by the encoders.
    case gated
    /// An ablation beyond the paper: GF = G + CA(G, FP), TF = T + CA(T, FP), so the encoder vectors
    /// themselves reach the head (the residual connection of a transformer block).
    case residual
    /// Beyond the paper: the residual fusion, and the fingerprint MLP's vector FP itself beside it,
    /// MLP([GF ‖ TF ‖ FP]). Through CA alone the fingerprints reach the head only scaled by one
    /// gate per molecule, and on Tox21 that fits worse than an MLP on the fingerprints alone
    /// (docs/results.md, "What the fusion does to the fingerprints").
    case residualFingerprints = "residual-fingerprints"

    /// Whether G and T are added to the gated outputs.
    var addsViews: Bool { self != .gated }
    /// Whether the head reads FP beside GF and TF.
    var readsFingerprints: Bool { self == .residualFingerprints }
}

extension FusionConfiguration {
    /// Configurations written before `mode` existed are the paper's gated fusion.
    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        width = try c.decode(Int.self, forKey: .width)
        fingerprintFeatures = try c.decode(Int.self, forKey: .fingerprintFeatures)
        fingerprintHidden = try c.decode(Int.self, forKey: .fingerprintHidden)
        fingerprintOutput = try c.decode(Int.self, forKey: .fingerprintOutput)
        fingerprintDropout = try c.decode(Double.self, forKey: .fingerprintDropout)
        predictionDropout = try c.decode(Double.self, forKey: .predictionDropout)
        tasks = try c.decode(Int.self, forKey: .tasks)
        mode = try c.decodeIfPresent(FusionMode.self, forKey: .mode) ?? .gated
        predictsVariance = try c.decodeIfPresent(Bool.self, forKey: .predictsVariance) ?? false
    }
}

/// The named configurations of the preset table in docs/design.md (Presets).
public enum Preset: String, CaseIterable, Codable, Sendable {
    /// The authors' dimensions.
    case paper
    /// CPU-sized; the default.
    case small
    /// Tests and `make demo`.
    case tiny

    public var configuration: ModelConfiguration {
        switch self {
        case .paper:
            return ModelConfiguration(
                preset: rawValue,
                local: AttentiveFPConfiguration(layers: 2, hidden: 110),
                graphTransformer: GraphTransformerConfiguration(layers: 3, heads: 19, headDimension: 96, output: 110),
                graphProjection: ProjectionHeadConfiguration(input: 110, hidden: [512, 256], output: 110),
                text: TextEncoderConfiguration(
                    vocabularySize: 8000, layers: 4, hidden: 768, heads: 12, feedForward: 3072,
                    positionBuckets: 256, maxRelativePositions: 512, maxPositions: 512,
                    maxSMILESTokens: 256, maxDescriptionTokens: 256),
                textProjection: ProjectionHeadConfiguration(input: 768, hidden: [768], output: 256),
                fusion: FusionConfiguration(width: 256, fingerprintHidden: 512, fingerprintOutput: 300))
        case .small:
            return ModelConfiguration(
                preset: rawValue,
                local: AttentiveFPConfiguration(layers: 2, hidden: 110),
                graphTransformer: GraphTransformerConfiguration(layers: 3, heads: 4, headDimension: 32, output: 110),
                graphProjection: ProjectionHeadConfiguration(input: 110, hidden: [512, 256], output: 110),
                text: TextEncoderConfiguration(
                    vocabularySize: 8000, layers: 4, hidden: 128, heads: 4, feedForward: 512,
                    positionBuckets: 64, maxRelativePositions: 256, maxPositions: 160,
                    maxSMILESTokens: 96, maxDescriptionTokens: 160),
                textProjection: ProjectionHeadConfiguration(input: 128, hidden: [128], output: 128),
                fusion: FusionConfiguration(width: 128, fingerprintHidden: 256, fingerprintOutput: 128))
        case .tiny:
            return ModelConfiguration(
                preset: rawValue,
                local: AttentiveFPConfiguration(layers: 2, hidden: 32),
                graphTransformer: GraphTransformerConfiguration(layers: 2, heads: 2, headDimension: 16, output: 32),
                graphProjection: ProjectionHeadConfiguration(input: 32, hidden: [64], output: 32),
                text: TextEncoderConfiguration(
                    vocabularySize: 512, layers: 2, hidden: 32, heads: 2, feedForward: 64,
                    positionBuckets: 16, maxRelativePositions: 64, maxPositions: 64,
                    maxSMILESTokens: 64, maxDescriptionTokens: 64),
                textProjection: ProjectionHeadConfiguration(input: 32, hidden: [32], output: 32),
                fusion: FusionConfiguration(width: 32, fingerprintHidden: 64, fingerprintOutput: 32))
        }
    }
}

extension ModelConfiguration {
    public init(preset: Preset) { self = preset.configuration }

    /// Sets how both graph encoders pool their atoms (`--readout`, a recipe's, a searched one).
    public mutating func setGraphReadout(_ readout: GraphReadout) {
        local.readout = readout
        graphTransformer.readout = readout
    }

    /// Sets fields by dotted path, e.g. `["graphTransformer.heads": "8", "fusion.tasks": "12",
    /// "graphProjection.hidden": "[256,128]"]`. Values are JSON literals; an unknown path or a
    /// value of the wrong type is an error naming it.
    public func overriding(_ overrides: [String: String]) throws -> ModelConfiguration {
        guard !overrides.isEmpty else { return self }
        var tree = try JSONSerialization.jsonObject(with: JSONEncoder().encode(self)) as! [String: Any]
        let fields = Self.fieldNames(of: self)
        for (path, literal) in overrides.sorted(by: { $0.key < $1.key }) {
            let keys = path.split(separator: ".").map(String.init)
            guard let value = try? JSONSerialization.jsonObject(with: Data(literal.utf8), options: .fragmentsAllowed)
            else { throw ConfigurationError.invalidValue(path: path, value: literal) }
            try set(&tree, fields: fields, keys[...], value, path: path)
        }
        do {
            return try JSONDecoder().decode(ModelConfiguration.self, from: JSONSerialization.data(withJSONObject: tree))
        } catch {
            throw ConfigurationError.invalidValue(path: overrides.keys.sorted().joined(separator: ", "),
                                                  value: "\(error)")
        }
    }

    /// Every stored field's name, nested as in JSON, optional ones included (JSON leaves out a nil
    /// field, and the authors' files have no readout; such a field can still be set). Synthesized
    /// Codable names a JSON key after its stored property, so the properties are the keys.
    private static func fieldNames(of value: Any) -> [String: Any] {
        var names: [String: Any] = [:]
        for case let (label?, field) in Mirror(reflecting: value).children {
            let isStruct = Mirror(reflecting: field).displayStyle == .struct
            names[label] = isStruct ? fieldNames(of: field) : true
        }
        return names
    }

    /// Sets `keys` in `node`; `fields` is the same level of `fieldNames`, the names allowed.
    private func set(_ node: inout [String: Any], fields: [String: Any], _ keys: ArraySlice<String>, _ value: Any,
                     path: String) throws {
        guard let key = keys.first, let field = fields[key] else { throw ConfigurationError.unknownField(path) }
        if keys.count == 1 {
            node[key] = value
            return
        }
        guard var child = node[key] as? [String: Any], let childFields = field as? [String: Any]
        else { throw ConfigurationError.unknownField(path) }
        try set(&child, fields: childFields, keys.dropFirst(), value, path: path)
        node[key] = child
    }

    /// Reads `config.json` (a whole configuration, as written beside weights).
    public static func load(from url: URL) throws -> ModelConfiguration {
        let data: Data
        do { data = try Data(contentsOf: url) } catch {
            throw ConfigurationError.unreadable(url.path, "\(error.localizedDescription)")
        }
        do { return try JSONDecoder().decode(ModelConfiguration.self, from: data) } catch {
            throw ConfigurationError.unreadable(url.path, "\(error)")
        }
    }

    /// Writes the configuration as pretty JSON (temporary name, then rename; Foundation's
    /// replaceItemAt fails on Linux when the file exists).
    public func save(to url: URL) throws {
        try AtomicDirectory.replaceFile(url, with: JSONEncoder.pretty.encode(self))
    }
}

public enum ConfigurationError: Error, CustomStringConvertible, Equatable {
    case unknownField(String)
    case invalidValue(path: String, value: String)
    case unreadable(String, String)

    public var description: String {
        switch self {
        case .unknownField(let path): return "model configuration has no field '\(path)'"
        case .invalidValue(let path, let value): return "model configuration '\(path)': invalid value \(value)"
        case .unreadable(let file, let reason): return "\(file): not a model configuration (\(reason))"
        }
    }
}
