import Distributed

/// The fine-tuning loss of one rank's share of a global batch, normalized as docs/design.md "Exact
/// losses across ranks" requires: each rank sums its own terms and divides by the *global* count
/// of terms (present labels for masked BCE, present targets for MSE), counts SUM-allreduced, so
/// that the SUM-allreduced gradients are those of the mean over the whole global batch, whatever
/// the rank count and however the missing labels fall across ranks.
///
/// Usage in a training step:
///
///     let targets = MaskedTargets(labels)                       // this rank's molecules
///     let count = try FinetuneLoss.globalCount(targets.count, over: world)
///     let loss = FinetuneLoss.loss(kind, outputs: logits, targets: targets, globalCount: count)
public enum FinetuneLoss {
    /// The sum over ranks of the local counts: one allreduce of one integer per step.
    public static func globalCount(_ localCount: Int, over world: Communicator) throws -> Int {
        try world.allreduce(localCount, op: .sum)
    }

    /// Masked BCE with logits (classification) or squared error on standardized targets
    /// (regression), summed over this rank's present labels and divided by `globalCount`.
    /// Zero when no rank holds a label (a batch without labels trains nothing).
    public static func loss<S>(_ kind: TaskKind, outputs: Tensor<S>, targets: MaskedTargets<S>, globalCount: Int) -> Tensor<S> {
        precondition(outputs.shape == targets.filled.shape, "FinetuneLoss: outputs \(outputs.shape), targets \(targets.filled.shape)")
        guard globalCount > 0 else { return (outputs * Tensor.zeros(outputs.shape)).sum() }
        switch kind {
        case .classification:
            return maskedBinaryCrossEntropy(logits: outputs, targets: targets.labels, normalizer: globalCount)
        case .regression:
            // Missing targets: prediction and target both multiplied by 0, so no term and no gradient.
            return meanSquaredError(outputs * targets.mask, targets.filled, normalizer: globalCount)
        }
    }
}

extension FinetuneLoss {
    /// The Gaussian negative log-likelihood of a mean–variance head (chemprop's MVE loss,
    /// PyTorch's `GaussianNLLLoss(full=True)` per term): ½ log(2π σ²) + (y − μ)² / (2σ²), summed
    /// over this rank's present targets and divided by `globalCount`.
    public static func gaussianNegativeLogLikelihood<S>(mean: Tensor<S>, variance: Tensor<S>, targets: MaskedTargets<S>,
                                                         globalCount: Int) -> Tensor<S> {
        precondition(mean.shape == targets.filled.shape && variance.shape == mean.shape,
                     "gaussianNegativeLogLikelihood: mean \(mean.shape), variance \(variance.shape), targets \(targets.filled.shape)")
        guard globalCount > 0 else { return (mean * Tensor.zeros(mean.shape)).sum() + (variance * Tensor.zeros(mean.shape)).sum() }
        let error = mean * targets.mask - targets.filled
        let terms = (variance * S(2 * Double.pi)).log() * S(0.5) + error * error / (variance * S(2))
        return (terms * targets.mask).sum() * S(1 / Double(globalCount))
    }
}

/// Labels of a batch (molecules × tasks) with their missing entries made harmless: `labels` as
/// given (NaN = missing), `filled` with 0 where missing, `mask` 1 where present, and `count` the
/// present labels on this rank.
public struct MaskedTargets<S: TensorScalar> {
    public let labels: Tensor<S>
    public let filled: Tensor<S>
    public let mask: Tensor<S>
    public let count: Int

    init(labels: Tensor<S>, filled: Tensor<S>, mask: Tensor<S>, count: Int) {
        self.labels = labels
        self.filled = filled
        self.mask = mask
        self.count = count
    }

    public init(_ labels: Tensor<S>) {
        let values = labels.scalars
        var filled = values, mask = [S](repeating: 1, count: values.count), count = 0
        for i in values.indices {
            if values[i].isNaN {
                filled[i] = 0
                mask[i] = 0
            } else {
                count += 1
            }
        }
        self.labels = labels
        self.filled = Tensor(filled, shape: labels.shape)
        self.mask = Tensor(mask, shape: labels.shape)
        self.count = count
    }
}

extension MaskedTargets {
    /// The targets of a batch, built once from its labels and presence mask: regression targets
    /// standardized with the seed's scaler, missing labels NaN in `labels`, 0 in `filled`.
    init(_ batch: MoleculeBatch, scaler: TargetScaler?) {
        let tasks = batch.taskCount
        var labels = [S](repeating: .nan, count: batch.labels.count)
        var filled = [S](repeating: 0, count: batch.labels.count)
        var mask = [S](repeating: 0, count: batch.labels.count)
        var count = 0
        for i in labels.indices where batch.labelMask[i] != 0 {
            let value = Double(batch.labels[i])
            let target = S(scaler.map { (value - $0.means[i % tasks]) / $0.stds[i % tasks] } ?? value)
            labels[i] = target
            filled[i] = target
            mask[i] = 1
            count += 1
        }
        let shape = [batch.count, tasks]
        self.init(labels: Tensor(labels, shape: shape), filled: Tensor(filled, shape: shape), mask: Tensor(mask, shape: shape), count: count)
    }
}
