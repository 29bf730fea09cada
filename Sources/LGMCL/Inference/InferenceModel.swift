import Foundation

/// A model directory opened for inference (`embed`, `predict`).
///
/// A pretraining output (`pretrain --output DIR`) holds `config.json`, the encoders of each stage
/// that ran (`graph.safetensors`: local and global encoders; `graph-self.safetensors`: the local
/// encoder of the positive-control stage; `text.safetensors`: the text encoder)
/// and, after the text stage, `vocab.txt`. The views it can embed are those of the encoders it
/// holds. A fine-tuning output (`finetune --output DIR`, `FinetunedModel`) holds one whole model
/// per seed and supports every view.
public final class InferenceModel {
    public enum Kind: String, Sendable {
        case pretrained
        case finetuned
    }

    /// One set of weights: one model (a pretraining run, or one seed of a fine-tuning run).
    public struct Member: Sendable {
        public let name: String
        /// The fine-tuning seed the model belongs to.
        public let seed: UInt64?
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
    /// The manifest, scalers and seeds of a fine-tuned directory.
    public let finetuned: FinetunedModel?

    init(directory: URL, kind: Kind, configuration: ModelConfiguration, vocabulary: Vocabulary?,
         views: [EmbeddingView], members: [Member], finetuned: FinetunedModel? = nil) {
        self.directory = directory
        self.kind = kind
        self.configuration = configuration
        self.vocabulary = vocabulary
        self.views = views
        self.members = members
        self.finetuned = finetuned
    }

    /// Opens a pretraining or fine-tuning output directory.
    public static func open(_ directory: URL) throws -> InferenceModel {
        // Both write config.json: fine-tuning's is a manifest with a format tag, pretraining's the
        // bare model configuration.
        let config = RunDirectory(directory).configuration
        if let data = FileManager.default.contents(atPath: config.path),
           let object = try? JSONSerialization.jsonObject(with: data) as? [String: Any], object["format"] != nil {
            return try finetuned(FinetunedModel(directory: directory))
        }
        return try pretrained(directory)
    }

    /// A fine-tuned directory: one member per seed, in the manifest's order.
    public static func finetuned(_ model: FinetunedModel) throws -> InferenceModel {
        let members = model.manifest.seeds.map { seed in
            Member(name: "seed-\(seed)", seed: seed, files: [(model.weightsURL(seed: seed), nil)])
        }
        return InferenceModel(directory: model.directory, kind: .finetuned, configuration: model.manifest.model,
                              vocabulary: model.vocabulary, views: EmbeddingView.allCases, members: members, finetuned: model)
    }

    /// Opens a pretraining output directory.
    public static func pretrained(_ directory: URL) throws -> InferenceModel {
        let fm = FileManager.default
        let run = RunDirectory(directory)
        let config = run.configuration
        guard fm.fileExists(atPath: config.path) else {
            throw InferenceError(description: "\(directory.path): no config.json; --model takes the directory written by `lgmcl-dist pretrain` or `finetune`")
        }
        let configuration = try ModelConfiguration.load(from: config)
        let encoders: PretrainedEncoders
        do { encoders = try PretrainedEncoders(directory: directory) } catch let failure as PretrainedEncoders.Failure {
            throw InferenceError(description: failure.description)
        }
        var files: [(url: URL, components: [LGMCLModel<Float>.Component]?)] = []
        var views: [EmbeddingView] = []
        var vocabulary: Vocabulary?
        for (stage, url) in encoders.files {
            files.append((url, stage.components(of: LGMCLModel<Float>.self)))
            switch stage {
            case .graph: views += [.local, .global]
            case .graphSelf: views += [.local]
            case .text:
                vocabulary = try readVocabulary(directory)
                guard let vocabulary else {
                    throw InferenceError(description: "\(directory.path): text.safetensors without vocab.txt; the text encoder cannot be used without its vocabulary")
                }
                guard vocabulary.tokens.count == configuration.text.vocabularySize else {
                    throw InferenceError(description: "\(directory.path): vocab.txt has \(vocabulary.tokens.count) tokens, config.json says text.vocabularySize \(configuration.text.vocabularySize)")
                }
                views += [.smiles, .text]
            }
        }
        return InferenceModel(directory: directory, kind: .pretrained, configuration: configuration, vocabulary: vocabulary,
                              views: views, members: [Member(name: "pretrained", seed: nil, files: files)])
    }

    /// DIR/vocab.txt (one token per line), nil when absent.
    static func readVocabulary(_ directory: URL) throws -> Vocabulary? {
        let url = RunDirectory(directory).vocabulary
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
            case .local, .global: reason = "it holds no \(view.rawValue) encoder (pretrain --stage graph writes both graph encoders, --stage graph-self the local one)"
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

extension InferenceModel {
    /// The input columns to read given the user's choices (nil: the default). A fine-tuned model
    /// is fed the kind of text it was trained on: generated descriptions, or a column (by default
    /// the one it was trained with); its SMILES column is the default too.
    public func inputColumns(smiles: String?, description: String?) throws -> (smiles: String?, description: String?) {
        guard let manifest = finetuned?.manifest else { return (smiles, description) }
        let smiles = smiles ?? (manifest.smilesColumn.lowercased() == "smiles" ? nil : manifest.smilesColumn)
        switch manifest.descriptions {
        case .generated:
            if let description {
                throw InferenceError(description: "\(directory.path) was trained on descriptions generated from RDKit facts; --description-column \(description) would feed it another kind of text (leave the option out)")
            }
            return (smiles, nil)
        case .column(let name):
            return (smiles, description ?? name)
        }
    }
}
