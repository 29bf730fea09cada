import Foundation

/// Where the descriptions of a molecule come from: generated from RDKit facts
/// (MoleculeDescriber) or taken from an input column. A model must be fed the same kind of text
/// it was trained on, so the choice is part of the model.
public enum DescriptionSource: Codable, Equatable, Sendable, CustomStringConvertible {
    case generated
    case column(String)

    public var column: String? {
        if case .column(let name) = self { return name }
        return nil
    }

    public var description: String {
        switch self {
        case .generated: "generated from RDKit facts"
        case .column(let name): "column '\(name)' of the input"
        }
    }
}

/// What `finetune` writes as DIR/config.json: everything `predict` and `embed` need to rebuild
/// the models and feed them the same features they were trained on.
public struct FinetuneManifest: Codable, Sendable {
    public static let currentFormat = "lgmcl-finetuned-v1"
    public var format = FinetuneManifest.currentFormat
    public var model: ModelConfiguration
    public var task: TaskKind
    public var tasks: [String]
    public var metric: Metric
    /// One model per seed, DIR/seed-S/model.safetensors.
    public var seeds: [UInt64]
    public var smilesColumn: String
    public var descriptions: DescriptionSource
    public var vocabularySHA256: String
    /// `random`, `scaffold`, or `column:NAME` for a fixed split.
    public var split: String
    public var pretrained: String?
    public var settings: FinetuneSettings
}

/// A fine-tuned model directory, opened for prediction or embedding.
public struct FinetunedModel: Sendable {
    public let directory: URL
    public let manifest: FinetuneManifest
    public let vocabulary: Vocabulary
    /// Regression only: each seed's standardization (fitted on that seed's training split),
    /// undone on every prediction.
    public let scalers: [UInt64: TargetScaler]
    /// What finetune fitted on the shared validation split; nil for models fine-tuned before it
    /// existed or on per-seed splits.
    public let calibration: Calibration?

    public func weightsURL(seed: UInt64) -> URL { RunDirectory(directory).weights(seed: seed) }

    /// Opens DIR, checking that it is a fine-tuned lgmcl model and that its parts agree.
    public init(directory: URL) throws {
        self.directory = directory
        let files = RunDirectory(directory)
        let manifestURL = files.configuration
        guard let data = FileManager.default.contents(atPath: manifestURL.path) else {
            throw FinetuneError(description: "\(directory.path) is not a fine-tuned lgmcl model: \(manifestURL.lastPathComponent) is missing (finetune writes it)")
        }
        do { manifest = try JSONDecoder().decode(FinetuneManifest.self, from: data) } catch {
            throw FinetuneError(description: "\(manifestURL.path): not a fine-tuned model's manifest (\(error))")
        }
        guard manifest.format == FinetuneManifest.currentFormat else {
            throw FinetuneError(description: "\(manifestURL.path): format '\(manifest.format)', this lgmcl reads '\(FinetuneManifest.currentFormat)'")
        }
        let vocabularyURL = files.vocabulary
        vocabulary = try Vocabulary(tokens: Preprocessor.loadVocabulary(directory.path))
        guard vocabulary.sha256 == manifest.vocabularySHA256 else {
            throw FinetuneError(description: "\(vocabularyURL.path): sha256 \(vocabulary.sha256) differs from the \(manifest.vocabularySHA256) the model was trained with")
        }
        var scalers: [UInt64: TargetScaler] = [:]
        for seed in manifest.seeds where manifest.task == .regression {
            let url = files.targetScaling(seed: seed)
            guard let data = FileManager.default.contents(atPath: url.path) else {
                throw FinetuneError(description: "\(url.path): missing; a regression model needs its target scaling")
            }
            scalers[seed] = try JSONDecoder().decode(TargetScaler.self, from: data)
        }
        self.scalers = scalers
        if let data = FileManager.default.contents(atPath: files.calibration.path) {
            let calibration: Calibration
            do { calibration = try JSONDecoder().decode(Calibration.self, from: data) } catch {
                throw FinetuneError(description: "\(files.calibration.path): not a calibration lgmcl wrote (\(error))")
            }
            guard calibration.format == Calibration.currentFormat, calibration.tasks.map(\.task) == manifest.tasks else {
                throw FinetuneError(description: "\(files.calibration.path): format '\(calibration.format)' for tasks \(calibration.tasks.map(\.task)); this lgmcl reads '\(Calibration.currentFormat)' for the model's tasks \(manifest.tasks)")
            }
            self.calibration = calibration
        } else {
            calibration = nil
        }
        for seed in manifest.seeds where !FileManager.default.fileExists(atPath: weightsURL(seed: seed).path) {
            throw FinetuneError(description: "\(weightsURL(seed: seed).path): missing (the manifest lists seed \(seed))")
        }
    }

    /// The trained model of one seed.
    public func model<Scalar: TensorScalar>(seed: UInt64, as: Scalar.Type = Float.self) throws -> LGMCLModel<Scalar> {
        let model = LGMCLModel<Scalar>(manifest.model)
        try model.loadWeights(from: weightsURL(seed: seed))
        return model
    }

    /// Task outputs of the model turned into what users read: probabilities (classification) or
    /// values in the targets' units (regression).
    public func userValues(fromOutputs outputs: TaskMatrix, seed: UInt64) -> TaskMatrix {
        LGMCL.userValues(outputs, kind: manifest.task, scaler: scalers[seed])
    }

    /// A mean–variance head's variances in the targets' squared units.
    public func userVariances(fromOutputs variances: TaskMatrix, seed: UInt64) -> TaskMatrix {
        scalers[seed].map { $0.destandardizedVariances(variances) } ?? variances
    }
}

/// Task outputs → probabilities (sigmoid of the logits) or values in the targets' units.
func userValues(_ outputs: TaskMatrix, kind: TaskKind, scaler: TargetScaler?) -> TaskMatrix {
    switch kind {
    case .classification:
        return TaskMatrix(rows: outputs.rows, tasks: outputs.tasks, values: outputs.values.map { 1 / (1 + exp(-$0)) })
    case .regression:
        return scaler.map { $0.destandardized(outputs) } ?? outputs
    }
}

public struct FinetuneError: Error, CustomStringConvertible {
    public let description: String
    public init(description: String) { self.description = description }
}
