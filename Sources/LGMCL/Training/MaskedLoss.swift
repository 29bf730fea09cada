import Foundation

/// The sum of a loss's terms on one rank and how many terms there are.
///
/// Fine-tuning losses are means over the *global* batch (DESIGN.md, "Exact losses across ranks"):
/// each rank sums its own terms, the term counts are SUM-allreduced, and each rank divides its sum
/// by the global count before gradients are SUM-allreduced. So the mean is the same whatever the
/// rank count, and a rank whose molecules happen to lack labels contributes nothing rather than
/// skewing the average.
public struct LossTerms: Equatable, Sendable {
    public var sum: Double
    /// Local count of terms: present labels (masked BCE) or targets (MSE).
    public var count: Int

    public init(sum: Double, count: Int) {
        self.sum = sum
        self.count = count
    }

    /// This rank's share of the global mean; `globalCount` is the allreduced sum of `count`.
    /// Zero when no rank has a term (a batch without labels trains nothing).
    public func share(ofGlobalCount globalCount: Int) -> Double {
        globalCount > 0 ? sum / Double(globalCount) : 0
    }
}

/// The masked losses of fine-tuning, on plain arrays of one batch (molecules × tasks, row-major):
/// the reference the tape-based trainer is tested against, and the masks it uses.
public enum MaskedLoss {
    /// Present labels as 1, missing (NaN) as 0, the labels with missing set to 0, and the count of
    /// present labels.
    public static func mask(_ labels: [Double]) -> (targets: [Double], mask: [Double], count: Int) {
        var targets = labels, mask = [Double](repeating: 1, count: labels.count), count = 0
        for i in labels.indices {
            if labels[i].isNaN {
                targets[i] = 0
                mask[i] = 0
            } else {
                count += 1
            }
        }
        return (targets, mask, count)
    }

    /// Σ over present labels of BCE(σ(logit), label), computed stably as
    /// max(x, 0) − x·y + log(1 + e^−|x|).
    public static func binaryCrossEntropy(logits: [Double], labels: [Double]) -> LossTerms {
        precondition(logits.count == labels.count, "binaryCrossEntropy: \(logits.count) logits for \(labels.count) labels")
        var terms = LossTerms(sum: 0, count: 0)
        for (x, y) in zip(logits, labels) where !y.isNaN {
            terms.sum += max(x, 0) - x * y + log1p(exp(-abs(x)))
            terms.count += 1
        }
        return terms
    }

    /// d(loss)/d(logit) of the global mean: (σ(x) − y) / globalCount for present labels, 0 for
    /// missing ones.
    public static func binaryCrossEntropyGradient(logits: [Double], labels: [Double], globalCount: Int) -> [Double] {
        precondition(logits.count == labels.count, "binaryCrossEntropyGradient: \(logits.count) logits for \(labels.count) labels")
        return zip(logits, labels).map { x, y in
            y.isNaN || globalCount == 0 ? 0 : (1 / (1 + exp(-x)) - y) / Double(globalCount)
        }
    }

    /// Σ (prediction − target)² over present (standardized) targets.
    public static func squaredError(predictions: [Double], targets: [Double]) -> LossTerms {
        precondition(predictions.count == targets.count, "squaredError: \(predictions.count) predictions for \(targets.count) targets")
        var terms = LossTerms(sum: 0, count: 0)
        for (p, y) in zip(predictions, targets) where !y.isNaN {
            terms.sum += (p - y) * (p - y)
            terms.count += 1
        }
        return terms
    }
}
