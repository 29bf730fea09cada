import Foundation

/// Where a prediction's uncertainty comes from. A calibration is fitted for one source and applies
/// only to predictions with the same source.
public enum UncertaintySource: String, Codable, Sendable {
    /// One model, no variance head: no per-molecule uncertainty.
    case none
    /// The population variance among several seeds' models.
    case ensemble
    /// A mean–variance head (`finetune --loss mve`), averaged over the seeds.
    case meanVariance = "mean-variance"
    /// Monte-Carlo dropout (`predict --mc-dropout K`).
    case dropout
}

/// How `finetune` calibrates classification probabilities.
public enum ProbabilityCalibration: String, Codable, Sendable, CaseIterable {
    /// σ(a·logit(p) + b), a and b maximising the likelihood of the validation labels (Platt 1999).
    case platt
    /// A non-decreasing step map fitted by pool-adjacent-violators, linear between its points and
    /// clipped outside them (scikit-learn's IsotonicRegression, as chemprop uses it).
    case isotonic
}

/// σ(a·logit(p) + b).
public struct PlattScaling: Codable, Equatable, Sendable {
    public var a: Double
    public var b: Double

    /// The maximum-likelihood a and b for `labels` (0/1) given `probabilities`: Newton's method on
    /// the two-parameter logistic regression, halving steps that do not lower the loss. chemprop
    /// fits the same objective with Nelder–Mead to a 1e-4 tolerance.
    public init(fitting probabilities: [Double], labels: [Double]) {
        let x = probabilities.map(Self.logit)
        func loss(_ a: Double, _ b: Double) -> Double {
            x.indices.reduce(0) { sum, i in
                let z = a * x[i] + b
                return sum + (max(z, 0) + log1p(exp(-abs(z)))) - labels[i] * z
            }
        }
        var a = 1.0, b = 0.0, current = loss(a, b)
        for _ in 0 ..< 100 {
            var ga = 0.0, gb = 0.0, haa = 0.0, hab = 0.0, hbb = 0.0
            for i in x.indices {
                let s = 1 / (1 + exp(-(a * x[i] + b))), r = s - labels[i], w = s * (1 - s)
                ga += r * x[i]; gb += r
                haa += w * x[i] * x[i]; hab += w * x[i]; hbb += w
            }
            let determinant = haa * hbb - hab * hab
            guard determinant > 0 else { break }
            var da = (hbb * ga - hab * gb) / determinant, db = (haa * gb - hab * ga) / determinant
            var next = loss(a - da, b - db)
            while next > current, abs(da) + abs(db) > 1e-14 {
                da /= 2; db /= 2
                next = loss(a - da, b - db)
            }
            guard next <= current else { break }
            a -= da; b -= db
            let converged = current - next <= 1e-14 * max(1, current)
            current = next
            if converged { break }
        }
        self.a = a
        self.b = b
    }

    public func callAsFunction(_ p: Double) -> Double { 1 / (1 + exp(-(a * Self.logit(p) + b))) }

    /// logit of p kept finite: a probability that rounded to exactly 0 or 1 is moved in by 1e-12.
    static func logit(_ p: Double) -> Double {
        let q = min(max(p, 1e-12), 1 - 1e-12)
        return log(q / (1 - q))
    }
}

/// A non-decreasing map of probabilities fitted by pool-adjacent-violators.
public struct IsotonicMap: Codable, Equatable, Sendable {
    /// Distinct probabilities seen, ascending, and the fitted value at each.
    public var x: [Double]
    public var y: [Double]

    /// scikit-learn's IsotonicRegression(y_min=0, y_max=1, out_of_bounds="clip"): equal x pooled
    /// first (their labels averaged, weighted by count), then adjacent blocks that violate the
    /// order merged into their weighted mean.
    public init(fitting probabilities: [Double], labels: [Double]) {
        let order = probabilities.indices.sorted { probabilities[$0] < probabilities[$1] }
        var xs: [Double] = [], sums: [Double] = [], weights: [Double] = []
        for i in order {
            if let last = xs.last, last == probabilities[i] {
                sums[sums.count - 1] += labels[i]; weights[weights.count - 1] += 1
            } else {
                xs.append(probabilities[i]); sums.append(labels[i]); weights.append(1)
            }
        }
        // Blocks of consecutive points: (value, weight, how many points).
        var blocks: [(value: Double, weight: Double, count: Int)] = []
        for k in xs.indices {
            blocks.append((sums[k] / weights[k], weights[k], 1))
            while blocks.count > 1, blocks[blocks.count - 2].value >= blocks[blocks.count - 1].value {
                let top = blocks.removeLast(), below = blocks.removeLast()
                let weight = below.weight + top.weight
                blocks.append(((below.value * below.weight + top.value * top.weight) / weight, weight, below.count + top.count))
            }
        }
        x = xs
        y = blocks.flatMap { Array(repeating: min(max($0.value, 0), 1), count: $0.count) }
    }

    public func callAsFunction(_ p: Double) -> Double {
        guard let first = x.first, let last = x.last else { return p }
        if p <= first { return y[0] }
        if p >= last { return y[y.count - 1] }
        var low = 0, high = x.count - 1
        while high - low > 1 {
            let middle = (low + high) / 2
            if x[middle] <= p { low = middle } else { high = middle }
        }
        return y[low] + (y[high] - y[low]) * (p - x[low]) / (x[high] - x[low])
    }
}

/// Split-conformal intervals (Vovk et al. 2005; Lei et al. 2018): the conformity scores of the
/// calibration molecules — |y − ŷ| / σ when the prediction has a σ (normalized), |y − ŷ| when not —
/// and, for coverage c, the half-width q·σ or q, q chemprop's `conformal-regression` quantile of
/// the scores (`quantile(coverage:)`).
public struct ConformalScores: Codable, Equatable, Sendable {
    /// Ascending.
    public var scores: [Double]
    public var normalized: Bool

    public init(mean: [Double], variance: [Double]?, targets: [Double]) {
        normalized = variance != nil
        scores = mean.indices.map { i in abs(targets[i] - mean[i]) / (variance.map { $0[i].squareRoot() } ?? 1) }.sorted()
    }

    /// q for coverage c in (0, 1), as chemprop takes it: `torch.quantile` of the scores at level
    /// ℓ = min(⌈(n+1)c⌉/n, 1) with "higher" interpolation, the score at 0-based position
    /// ⌈ℓ(n − 1)⌉. That is the textbook ⌈(n+1)c⌉-th smallest score or, for most n, the one after
    /// it — a little wider than split-conformal needs, never narrower.
    public func quantile(coverage: Double) -> Double {
        let n = scores.count
        let level = min((Double(n + 1) * coverage).rounded(.up) / Double(n), 1)
        return scores[Int((level * Double(n - 1)).rounded(.up))]
    }
}

/// One task's calibration, fitted on the validation molecules that have its label.
public struct TaskCalibration: Codable, Equatable, Sendable {
    public var task: String
    public var molecules: Int
    /// Classification: the fitted map (nil when the validation split has one class only: the
    /// probabilities are then left as they are).
    public var platt: PlattScaling?
    public var isotonic: IsotonicMap?
    /// Regression with a σ: the factor s that minimises the Gaussian NLL of the validation
    /// molecules under variances s²σ² (z-scaling, Levi et al. 2022): s² = mean((y − ŷ)² / σ²).
    public var varianceScale: Double?
    public var conformal: ConformalScores?
}

/// What `finetune` stores as DIR/calibration.json: per task, a map from the ensemble's
/// probabilities to calibrated ones, or the variance scale and conformity scores from which
/// `predict` draws intervals. Fitted on the validation split every seed shares, from the
/// predictions `predict` makes (the seeds' mean, their uncertainty source).
public struct Calibration: Codable, Equatable, Sendable {
    public static let currentFormat = "lgmcl-calibration-v1"
    public var format = Calibration.currentFormat
    public var fittedOn: String
    public var uncertainty: UncertaintySource
    public var tasks: [TaskCalibration]

    /// Fits each task on the validation molecules with a label. Probabilities (classification) or
    /// values and variances in the labels' units (regression).
    /// - Parameters: mean and variance: the prediction (molecules × tasks); source: where its
    ///   variance comes from.
    public init(kind: TaskKind, method: ProbabilityCalibration, taskNames: [String], mean predicted: TaskMatrix,
                variance predictedVariance: TaskMatrix?, source: UncertaintySource, labels: TaskMatrix, fittedOn: String) {
        self.fittedOn = fittedOn
        uncertainty = source
        tasks = taskNames.indices.map { t in
            let present = (0 ..< labels.rows).filter { !labels[$0, t].isNaN }
            let y = present.map { labels[$0, t] }, mean = present.map { predicted[$0, t] }
            var task = TaskCalibration(task: taskNames[t], molecules: present.count)
            switch kind {
            case .classification:
                guard Set(y).count == 2 else { break }
                switch method {
                case .platt: task.platt = PlattScaling(fitting: mean, labels: y)
                case .isotonic: task.isotonic = IsotonicMap(fitting: mean, labels: y)
                }
            case .regression:
                guard !present.isEmpty else { break }
                let variance = predictedVariance.map { v in present.map { v[$0, t] } }
                if let variance {
                    let normalized = present.indices.map { i in (y[i] - mean[i]) * (y[i] - mean[i]) / variance[i] }
                    task.varianceScale = (normalized.reduce(0, +) / Double(normalized.count)).squareRoot()
                }
                task.conformal = ConformalScores(mean: mean, variance: variance, targets: y)
            }
            return task
        }
    }

    /// The calibrated probability of task t.
    public func probability(_ p: Double, task t: Int) -> Double {
        if let platt = tasks[t].platt { return platt(p) }
        if let isotonic = tasks[t].isotonic { return isotonic(p) }
        return p
    }

    /// The variance of task t rescaled (z-scaling), or as it was without a scale.
    public func variance(_ v: Double, task t: Int) -> Double {
        tasks[t].varianceScale.map { v * $0 * $0 } ?? v
    }

    /// The conformal interval of task t around `mean` at `coverage`; nil without scores, or when
    /// the scores are normalized and no variance is given.
    public func interval(mean: Double, variance: Double?, task t: Int, coverage: Double) -> ClosedRange<Double>? {
        guard let conformal = tasks[t].conformal else { return nil }
        let q = conformal.quantile(coverage: coverage)
        let half: Double
        if conformal.normalized {
            guard let variance else { return nil }
            half = q * variance.squareRoot()
        } else {
            half = q
        }
        return (mean - half) ... (mean + half)
    }
}
