/// The molecule vectors `lgmcl-dist embed` writes. The first four are pooled encoder outputs
/// before any projection head (chemprop's `fingerprint` likewise gives the encoder's output, not
/// the head's): the vectors fine-tuning fuses, and the most general for downstream models.
public enum EmbeddingView: String, CaseIterable, Codable, Sendable {
    /// Mean of the AttentiveFP atom vectors.
    case local
    /// Mean of the graph transformer's atom vectors.
    case global
    /// Pooled DeBERTa output for the molecule's SMILES tokens.
    case smiles
    /// Pooled DeBERTa output for the molecule's description.
    case text
    /// [GF ‖ TF]: the graph and text vectors after both cross-attention fusions with the
    /// fingerprint vector, i.e. exactly what the prediction MLP reads. Fine-tuned models only.
    case fused

    public var summary: String {
        switch self {
        case .local: return "mean of the local (AttentiveFP) encoder's atom vectors"
        case .global: return "mean of the global (graph transformer) encoder's atom vectors"
        case .smiles: return "pooled text-encoder (DeBERTa) output for the SMILES"
        case .text: return "pooled text-encoder (DeBERTa) output for the description"
        case .fused: return "[graph ‖ text] after the fingerprint cross-attention, the prediction MLP's input (fine-tuned models)"
        }
    }

    /// The vector's length for a model of `configuration`.
    public func width(_ configuration: ModelConfiguration) -> Int {
        switch self {
        case .local: return configuration.local.hidden
        case .global: return configuration.graphTransformer.output
        case .smiles, .text: return configuration.text.hidden
        case .fused: return 2 * configuration.fusion.width
        }
    }

    /// The components whose weights the view needs.
    var components: [LGMCLModel<Float>.Component] {
        switch self {
        case .local: return [.local]
        case .global: return [.global]
        case .smiles, .text: return [.text]
        case .fused: return LGMCLModel<Float>.Component.allCases
        }
    }

    /// Reads a comma-separated list ("local,global"); unknown names are an error listing the
    /// known ones.
    public static func list(_ text: String) throws -> [EmbeddingView] {
        var views: [EmbeddingView] = []
        for name in text.split(separator: ",").map({ $0.trimmingCharacters(in: .whitespaces) }) where !name.isEmpty {
            guard let view = EmbeddingView(rawValue: name) else {
                throw InferenceError(description: "unknown view '\(name)'; the views are \(allCases.map(\.rawValue).joined(separator: ", "))")
            }
            if !views.contains(view) { views.append(view) }
        }
        guard !views.isEmpty else { throw InferenceError(description: "no views given") }
        return views
    }
}

/// A model directory, input or output that `embed` or `predict` cannot use, with the reason.
public struct InferenceError: Error, CustomStringConvertible {
    public let description: String

    public init(description: String) { self.description = description }
}
