import Foundation

/// A model directory opened for inference (`embed`, `predict`).
///
/// A pretraining output (`pretrain --output DIR`) holds `config.json`, the encoders of each stage
/// that ran (`graph.safetensors`: local and global encoders; `text.safetensors`: the text encoder)
/// and, after the text stage, `vocab.txt`. The views it can embed are those of the encoders it
/// holds.
public final class InferenceModel {
    public enum Kind: String, Sendable {
        case pretrained
        case finetuned
    }

    /// One set of weights: one model (a pretraining run, or one seed of a fine-tuning run).
    public struct Member: Sendable {
        public let name: String
        /// Safetensors files with the components each provides (nil: every parameter).
        let files: [(url: URL, components: [LGMCLModel<Float>.Component]?)]
    }

    public let directory: URL
    public let kind: Kind
    public let configuration: ModelConfiguration
    /// The vocabulary the text encoder was trained with; nil for a graph-only pretraining.
    public let vocabulary: Vocabulary?
    /// The views the weights support, in `EmbeddingView` order.
    public let views: [EmbeddingView]
    public let members: [Member]

    init(directory: URL, kind: Kind, configuration: ModelConfiguration, vocabulary: Vocabulary?,
         views: [EmbeddingView], members: [Member]) {
        self.directory = directory
        self.kind = kind
        self.configuration = configuration
        self.vocabulary = vocabulary
        self.views = views
        self.members = members
    }

    /// Opens a pretraining or fine-tuning output directory.
    public static func open(_ directory: URL) throws -> InferenceModel {
        try pretrained(directory)
    }

    /// Opens a pretraining output directory.
    public static func pretrained(_ directory: URL) throws -> InferenceModel {
        let fm = FileManager.default
        let config = directory.appendingPathComponent("config.json")
        guard fm.fileExists(atPath: config.path) else {
            throw InferenceError(description: "\(directory.path): no config.json; --model takes the directory written by `lgmcl-dist pretrain` or `finetune`")
        }
        let configuration = try ModelConfiguration.load(from: config)
        var files: [(url: URL, components: [LGMCLModel<Float>.Component]?)] = []
        var views: [EmbeddingView] = []
        let graph = directory.appendingPathComponent("graph.safetensors")
        if fm.fileExists(atPath: graph.path) {
            files.append((graph, [.local, .global]))
            views += [.local, .global]
        }
        let text = directory.appendingPathComponent("text.safetensors")
        var vocabulary: Vocabulary?
        if fm.fileExists(atPath: text.path) {
            vocabulary = try readVocabulary(directory)
            guard let vocabulary else {
                throw InferenceError(description: "\(directory.path): text.safetensors without vocab.txt; the text encoder cannot be used without its vocabulary")
            }
            guard vocabulary.tokens.count == configuration.text.vocabularySize else {
                throw InferenceError(description: "\(directory.path): vocab.txt has \(vocabulary.tokens.count) tokens, config.json says text.vocabularySize \(configuration.text.vocabularySize)")
            }
            files.append((text, [.text]))
            views += [.smiles, .text]
        }
        guard !files.isEmpty else {
            throw InferenceError(description: "\(directory.path): neither graph.safetensors nor text.safetensors; run `lgmcl-dist pretrain --output \(directory.path)` first")
        }
        return InferenceModel(directory: directory, kind: .pretrained, configuration: configuration, vocabulary: vocabulary,
                              views: views, members: [Member(name: "pretrained", files: files)])
    }

    /// DIR/vocab.txt (one token per line), nil when absent.
    static func readVocabulary(_ directory: URL) throws -> Vocabulary? {
        let url = directory.appendingPathComponent("vocab.txt")
        guard FileManager.default.fileExists(atPath: url.path) else { return nil }
        guard let text = try? String(contentsOf: url, encoding: .utf8) else {
            throw InferenceError(description: "\(url.path): cannot read the vocabulary (UTF-8, one token per line)")
        }
        do {
            return try Vocabulary(tokens: text.split(separator: "\n").map(String.init))
        } catch {
            throw InferenceError(description: "\(url.path): \(error)")
        }
    }

    /// Checks that every view of `requested` can be computed from this directory's weights.
    public func check(views requested: [EmbeddingView]) throws {
        for view in requested where !views.contains(view) {
            let reason: String
            switch view {
            case .local, .global: reason = "it holds no graph encoders (pretrain --stage graph writes graph.safetensors)"
            case .smiles, .text: reason = "it holds no text encoder (pretrain --stage text writes text.safetensors)"
            case .fused: reason = "the fused view needs a fine-tuned model (lgmcl-dist finetune)"
            }
            throw InferenceError(description: "\(directory.path): no '\(view.rawValue)' view: \(reason); available: \(views.map(\.rawValue).joined(separator: ", "))")
        }
    }

    /// The model of `member`, built from the configuration with that member's weights.
    public func model(_ member: Member) throws -> LGMCLModel<Float> {
        let model = LGMCLModel<Float>(configuration)
        for file in member.files { try model.loadWeights(from: file.url, components: file.components) }
        return model
    }
}
