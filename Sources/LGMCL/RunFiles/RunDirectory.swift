import Foundation

/// The files of a run directory, named in one place: what `pretrain` and `finetune` write, and
/// what `finetune --pretrained`, `predict` and `embed` read back. Files are replaced whole or not
/// at all (temporary name, fsync, rename), so a reader never sees half of one.
///
///     pretrain OUTPUT/  STAGE.safetensors            the encoders a stage trained
///                       config.json, vocab.txt       their model configuration and vocabulary
///                       metrics-STAGE.jsonl          one line per step, epoch and diagnostics
///                       diagnostics-STAGE.svg        alignment, uniformity, effective rank, retrieval
///                       runs/STAGE/checkpoints/      CheckpointStore
///                       probes/NAME.h5               the --probe sets, featurized
///     finetune OUTPUT/  config.json, vocab.txt       the manifest (FinetuneManifest), the vocabulary
///                       metrics.json, learning_curves.{csv,svg}
///                       data.h5                      a CSV input, featurized
///                       seed-S/model.safetensors, target_scaling.json, predictions_PART.csv,
///                       predictions_val_epochs.csv, outcome.safetensors (a finished seed),
///                       checkpoints/ (while it trains; Finetuner+Checkpoints)
///     both              heartbeats/                  the watchdog's file per rank
public struct RunDirectory: Sendable {
    public let url: URL

    public init(_ url: URL) { self.url = url }
    public init(path: String) { url = URL(fileURLWithPath: path) }

    public var heartbeats: URL { url.appendingPathComponent("heartbeats") }
    /// Pretraining: the model configuration of the encoders. Fine-tuning: the manifest.
    public var configuration: URL { url.appendingPathComponent("config.json") }
    /// Written by rank 0 when a stop signal ends pretraining early (StopReport); removed when a
    /// run starts. cluster/lgmcl-launch reads it to requeue and to report the stop.
    public var stopReport: URL { url.appendingPathComponent("stop.json") }
    public var vocabulary: URL { url.appendingPathComponent("vocab.txt") }
    public var metrics: URL { url.appendingPathComponent("metrics.json") }
    public var featurizedData: URL { url.appendingPathComponent("data.h5") }
    /// Fine-tuning: train loss and val metric per seed and epoch, as a table and as a plot.
    public var learningCurves: URL { url.appendingPathComponent("learning_curves.csv") }
    public var learningCurvesPlot: URL { url.appendingPathComponent("learning_curves.svg") }
    /// Fine-tuning: what `predict` applies to the ensemble (Calibration), and for classification
    /// the reliability diagram of the test split before and after it.
    public var calibration: URL { url.appendingPathComponent("calibration.json") }
    public var reliabilityPlot: URL { url.appendingPathComponent("reliability.svg") }

    /// The encoders pretraining stage `stage` trained, where `--pretrained` finds them.
    public func encoders(stage: String) -> URL { url.appendingPathComponent("\(stage).safetensors") }
    public func metricsLog(stage: String) -> URL { url.appendingPathComponent("metrics-\(stage).jsonl") }
    /// The stage's diagnostics and retrieval against the step, drawn from its metrics log.
    public func diagnosticsPlot(stage: String) -> URL { url.appendingPathComponent("diagnostics-\(stage).svg") }
    /// `pretrain --probe`: the probe sets, featurized with the run's vocabulary.
    public var probes: URL { url.appendingPathComponent("probes") }
    /// The checkpoint store's directory of a pretraining stage.
    public func checkpoints(stage: String) -> URL { url.appendingPathComponent("runs/\(stage)") }

    public func seed(_ seed: UInt64) -> URL { url.appendingPathComponent("seed-\(seed)") }
    public func weights(seed: UInt64) -> URL { self.seed(seed).appendingPathComponent("model.safetensors") }
    /// Regression: the seed's target standardization, fitted on its own training split.
    public func targetScaling(seed: UInt64) -> URL { self.seed(seed).appendingPathComponent("target_scaling.json") }
    public func predictions(seed: UInt64, part: SplitPart) -> URL {
        self.seed(seed).appendingPathComponent("predictions_\(part.rawValue).csv")
    }
    /// The validation predictions of every epoch, as scored (for judging a rule that picks the
    /// epoch on molecules it did not pick with).
    public func validationEpochs(seed: UInt64) -> URL { self.seed(seed).appendingPathComponent("predictions_val_epochs.csv") }

    func replace(_ file: URL, with contents: Data) throws {
        try AtomicDirectory.replaceFile(file, with: contents)
    }

    func replace(_ file: URL, withJSON value: some Encodable) throws {
        try replace(file, with: JSONEncoder.pretty.encode(value))
    }

    /// One token per line, in id order: what `Preprocessor.loadVocabulary` reads.
    func writeVocabulary(_ tokens: [String]) throws {
        try replace(vocabulary, with: Data((tokens.joined(separator: "\n") + "\n").utf8))
    }
}
