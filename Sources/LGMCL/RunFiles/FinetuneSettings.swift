import Foundation

/// Everything a fine-tuning run is, as written into its manifest. Defaults are the paper's
/// (`FinetuneRecipe.paper`, 50 epochs), what manifests without a field mean.
public struct FinetuneSettings: Codable, Sendable {
    /// A CSV file, or an HDF5 dataset written by `preprocess`.
    public var data: String
    public var output: String
    /// The model fine-tuned. With `pretrained` it is the configuration the pretraining run wrote
    /// (whatever the preset), with the run's fine-tuning choices (fusion, readout, dropouts,
    /// `--set`) on top: the encoders' shapes must be the pretrained weights'.
    public var model: ModelConfiguration
    /// A pretraining output directory (config.json, graph.safetensors, text.safetensors, vocab.txt).
    public var pretrained: String?
    /// Inferred from the labels when nil.
    public var task: TaskKind?
    public var split: SplitProtocol = .random
    /// A fixed split from this column (train/val/test cells) instead of `split`.
    public var splitColumn: String?
    public var seeds: [UInt64] = [0]
    /// The seed of the random or scaffold split all model seeds share (and of the
    /// `trainFraction` subsample); nil: each seed draws the split of its own number, which is
    /// what runs before `--split-seed` did and what manifests without it mean.
    public var splitSeed: UInt64? = 0
    /// Train on this fraction of each seed's training molecules (a low-label regime), val and
    /// test unchanged; nil: all of them.
    public var trainFraction: Double?
    /// How the ensemble's probabilities are calibrated on the shared validation split
    /// (classification; regression always gets z-scaling and conformal scores); nil in manifests
    /// written before calibration existed.
    public var probabilityCalibration: ProbabilityCalibration? = .platt
    public var epochs = 50
    /// The recipe (`FinetuneRecipe`) the training values below started from, before any flag
    /// changed one of them; nil in manifests written before recipes had names: the paper's.
    public var recipe: String?
    /// Which validation score picks the kept epoch and drives `patience`; nil (and in manifests
    /// written before it existed): the metric.
    public var epochSelection: EpochSelection?
    /// Stop a seed after this many epochs without a better validation score.
    public var patience: Int?
    public var globalBatchSize = FinetuneRecipe.paper.globalBatchSize
    public var learningRate = FinetuneRecipe.paper.learningRate
    /// Beyond the paper (constant): chemprop's warm-up and decay (`NoamLikeSchedule`), with
    /// `learningRate` as its peak; nil in manifests written before it existed: constant.
    public var learningRateSchedule: FinetuneSchedule? = .constant
    /// The learning rate of the encoders pretraining trains (AttentiveFP, graph transformer,
    /// DeBERTa); nil: `learningRate`, as in the paper. Fingerprint network, fusion and head
    /// always take `learningRate`.
    public var encoderLearningRate: Double?
    public var weightDecay = FinetuneRecipe.paper.weightDecay
    /// Beyond the paper: score and keep an exponential moving average of the weights with this
    /// decay per step (`WeightAverage`); nil: the weights themselves.
    public var emaDecay: Double?
    public var smilesColumn: String?
    public var labelColumns: [String]?
    public var descriptionColumn: String?
    public var collectiveTimeout = 600.0
    public var deterministic = false
    public var bucketMiB = GradientBucketSize.defaultMiB
    /// How matrix products round their operands; nil (manifests written before it existed): Float32.
    public var matrixProducts: MatrixProducts?
    /// Seconds between progress lines within an epoch (rank 0, stderr).
    public var logInterval = 10.0

    public init(data: String, output: String, model: ModelConfiguration) {
        self.data = data
        self.output = output
        self.model = model
    }
}

/// The learning rate over a fine-tuning run.
public enum FinetuneSchedule: Codable, Hashable, Sendable {
    /// The paper's: `learningRate` throughout.
    case constant
    /// chemprop's: linear from `initial` to `learningRate` over `warmupEpochs`, then exponential
    /// decay to `final` at the last epoch (chemprop's defaults: 2 epochs, 1e-4 and 1e-4).
    case warmupDecay(warmupEpochs: Int, initial: Double, final: Double)

    /// chemprop 2.3.1's defaults: 2 epochs of warm-up from 1e-4, decay to 1e-4.
    public static let chempropDefaults = warmupDecay(warmupEpochs: 2, initial: 1e-4, final: 1e-4)

    /// A warm-up/decay's parts; nil for a constant rate.
    public var warmupEpochs: Int? {
        guard case .warmupDecay(let epochs, _, _) = self else { return nil }
        return epochs
    }

    public var initialRate: Double? {
        guard case .warmupDecay(_, let initial, _) = self else { return nil }
        return initial
    }

    public var finalRate: Double? {
        guard case .warmupDecay(_, _, let final) = self else { return nil }
        return final
    }
}

/// A schedule's shape by name (`--lr-schedule`, hpopt's lr-schedule), without its parts.
public enum FinetuneScheduleKind: String, CaseIterable, Sendable {
    case constant
    case warmupDecay = "warmup-decay"

    public init(_ schedule: FinetuneSchedule) {
        self = schedule == .constant ? .constant : .warmupDecay
    }
}

/// What picks a seed's kept epoch: the task's metric on the validation molecules (the paper's:
/// ROC-AUC or RMSE), or the training loss on them (chemprop's default, its `val_loss`). Why the
/// loss: on a validation split of a few hundred molecules ROC-AUC moves in steps and its best
/// epoch is often a lucky one, while the loss also sees over-confident probabilities, the first
/// sign of memorising. For one regression task the two pick the same epoch.
public enum EpochSelection: String, Codable, CaseIterable, Sendable {
    case metric
    case loss
}
