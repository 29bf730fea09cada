/// What one column of the results table changes about the model or its input.
///
/// The LLM-text comparison runs on the molecules the authors' descriptions cover (their cleaned
/// subset, split by the same protocol and seed), once with those descriptions and once with
/// lgmcl's generated ones, so that the text is the only difference between the two.
public enum BenchmarkVariant: String, Codable, Sendable, CaseIterable, Comparable {
    /// Pretrained encoders, generated descriptions, the whole dataset.
    case pretrained
    /// Encoders initialised at random (the ablation), generated descriptions, the whole dataset.
    case scratch = "no-pretraining"
    /// Generated descriptions on the same molecules and split as `llmText`.
    case generatedTextOnLLMSubset = "generated-text-llm-subset"
    /// The authors' LLM descriptions, on the molecules they cover.
    case llmText = "llm-text"

    public var title: String {
        switch self {
        case .pretrained: "pretrained"
        case .scratch: "no pretraining"
        case .llmText: "LLM text"
        case .generatedTextOnLLMSubset: "generated text"
        }
    }

    /// Whether this variant reads the dataset's LLM-text subset rather than the whole CSV.
    public var usesLLMSubset: Bool { self == .llmText || self == .generatedTextOnLLMSubset }

    public static func < (a: Self, b: Self) -> Bool {
        allCases.firstIndex(of: a)! < allCases.firstIndex(of: b)!
    }
}
