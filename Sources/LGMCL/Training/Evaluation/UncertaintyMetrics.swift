import Foundation

/// How good one task's uncertainty is, over the molecules that have its label. The definitions are
/// chemprop 2.3.1's evaluators where it has the metric (regression NLL, miscalibration area, ENCE,
/// Spearman, interval coverage; classification NLL); Brier score is scikit-learn's; the expected
/// calibration error is the usual equal-width-bin one (Guo et al. 2017). Oracles:
/// scripts/make_calibration_fixtures.py.
public enum UncertaintyMetrics {
    /// Mean Gaussian negative log-likelihood of the targets: ½ log(2πσ²) + (y − ŷ)² / 2σ².
    public static func regressionNLL(mean: [Double], variance: [Double], targets: [Double]) -> Double {
        average(mean.indices.map { i in
            let error = mean[i] - targets[i]
            return log(2 * .pi * variance[i]) / 2 + error * error / (2 * variance[i])
        })
    }

    /// The area between the observed and the ideal fraction of targets inside the Gaussian central
    /// intervals of probability k/bins, k = 0…bins (chemprop's 100 bins, trapezoid-free sum).
    public static func miscalibrationArea(mean: [Double], variance: [Double], targets: [Double], bins: Int = 100) -> Double {
        var area = 0.0
        for k in 1 ..< bins {
            let scaling = inverseErf(Double(k) / Double(bins)) * 2.0.squareRoot()
            let inside = mean.indices.filter { variance[$0].squareRoot() * scaling >= abs(mean[$0] - targets[$0]) }.count
            area += abs(Double(inside) / Double(mean.count) - Double(k) / Double(bins))
        }
        // k = 0 and k = bins contribute nothing: their observed fractions are 0 and 1 by definition.
        return area / Double(bins)
    }

    /// Expected normalized calibration error (Levi et al. 2022): molecules sorted by variance and
    /// cut as `torch.chunk` cuts them (⌈n / bins⌉ per bin, the last one shorter), then the mean over
    /// bins of |RMV − RMSE| / RMV.
    public static func expectedNormalizedError(mean: [Double], variance: [Double], targets: [Double], bins: Int = 100) -> Double {
        let order = variance.indices.sorted { variance[$0] < variance[$1] }
        let size = (order.count + bins - 1) / bins
        var sum = 0.0, count = 0
        for start in stride(from: 0, to: order.count, by: size) {
            let members = order[start ..< min(start + size, order.count)]
            let rootMeanVariance = average(members.map { variance[$0] }).squareRoot()
            let rmse = average(members.map { (mean[$0] - targets[$0]) * (mean[$0] - targets[$0]) }).squareRoot()
            sum += abs(rootMeanVariance - rmse) / rootMeanVariance
            count += 1
        }
        return sum / Double(count)
    }

    /// Spearman's rank correlation between the variances and the absolute errors (ties get their
    /// average rank).
    public static func spearman(mean: [Double], variance: [Double], targets: [Double]) -> Double {
        pearson(averageRanks(variance), averageRanks(mean.indices.map { abs(mean[$0] - targets[$0]) }))
    }

    /// The fraction of targets inside [lower, upper].
    public static func coverage(lower: [Double], upper: [Double], targets: [Double]) -> Double {
        Double(targets.indices.filter { lower[$0] <= targets[$0] && targets[$0] <= upper[$0] }.count) / Double(targets.count)
    }

    /// Mean negative log-likelihood of 0/1 labels under the predicted probabilities, which are
    /// clipped to [1e-15, 1 − 1e-15] so that a calibrator's exact 0 or 1 gives a large, finite value.
    public static func classificationNLL(probabilities: [Double], labels: [Double]) -> Double {
        average(probabilities.indices.map { i in
            let p = min(max(probabilities[i], 1e-15), 1 - 1e-15)
            return -log(labels[i] == 1 ? p : 1 - p)
        })
    }

    /// Mean squared difference between probability and label (scikit-learn's brier_score_loss).
    public static func brier(probabilities: [Double], labels: [Double]) -> Double {
        average(probabilities.indices.map { (probabilities[$0] - labels[$0]) * (probabilities[$0] - labels[$0]) })
    }

    /// One equal-width probability bin of a reliability diagram.
    public struct ReliabilityBin: Codable, Equatable, Sendable {
        public var lower: Double
        public var upper: Double
        public var count: Int
        public var meanProbability: Double?
        public var observedFraction: Double?
    }

    /// `bins` equal-width bins of [0, 1], each closed below, the last closed above as well.
    public static func reliability(probabilities: [Double], labels: [Double], bins: Int = 10) -> [ReliabilityBin] {
        var sums = Array(repeating: (count: 0, probability: 0.0, positives: 0.0), count: bins)
        for i in probabilities.indices {
            let bin = min(Int(probabilities[i] * Double(bins)), bins - 1)
            sums[bin].count += 1
            sums[bin].probability += probabilities[i]
            sums[bin].positives += labels[i]
        }
        return sums.enumerated().map { b, sum in
            ReliabilityBin(lower: Double(b) / Double(bins), upper: Double(b + 1) / Double(bins), count: sum.count,
                           meanProbability: sum.count > 0 ? sum.probability / Double(sum.count) : nil,
                           observedFraction: sum.count > 0 ? sum.positives / Double(sum.count) : nil)
        }
    }

    /// Expected calibration error over `bins` equal-width bins: Σ (n_b / n) |mean p − fraction of positives|.
    public static func expectedCalibrationError(probabilities: [Double], labels: [Double], bins: Int = 10) -> Double {
        reliability(probabilities: probabilities, labels: labels, bins: bins).reduce(0) { sum, bin in
            guard let p = bin.meanProbability, let observed = bin.observedFraction else { return sum }
            return sum + Double(bin.count) / Double(probabilities.count) * abs(p - observed)
        }
    }

    /// The x with erf(x) = y for y in (−1, 1): Newton's method on Foundation's erf. erf is concave
    /// for x > 0 (convex below), so the iterates reach the root from one side after the first step.
    public static func inverseErf(_ y: Double) -> Double {
        precondition(y > -1 && y < 1, "inverseErf: \(y) is outside (-1, 1)")
        var x = abs(y) < 0.7 ? y * Double.pi.squareRoot() / 2 : (y < 0 ? -1 : 1) * (-log(1 - abs(y))).squareRoot()
        for _ in 0 ..< 100 {
            let step = (erf(x) - y) / (2 / Double.pi.squareRoot() * exp(-x * x))
            x -= step
            if abs(step) <= 1e-15 * max(1, abs(x)) { break }
        }
        return x
    }

    /// The standard normal quantile of probability p.
    public static func normalQuantile(_ p: Double) -> Double { 2.0.squareRoot() * inverseErf(2 * p - 1) }

    static func average(_ values: [Double]) -> Double { values.reduce(0, +) / Double(values.count) }

    /// 1-based ranks, tied values sharing the mean of their ranks.
    static func averageRanks(_ values: [Double]) -> [Double] {
        let order = values.indices.sorted { values[$0] < values[$1] }
        var ranks = Array(repeating: 0.0, count: values.count)
        var start = 0
        while start < order.count {
            var end = start
            while end + 1 < order.count, values[order[end + 1]] == values[order[start]] { end += 1 }
            for k in start ... end { ranks[order[k]] = Double(start + end) / 2 + 1 }
            start = end + 1
        }
        return ranks
    }

    static func pearson(_ x: [Double], _ y: [Double]) -> Double {
        let mx = average(x), my = average(y)
        var sxy = 0.0, sxx = 0.0, syy = 0.0
        for i in x.indices {
            sxy += (x[i] - mx) * (y[i] - my)
            sxx += (x[i] - mx) * (x[i] - mx)
            syy += (y[i] - my) * (y[i] - my)
        }
        return sxy / (sxx * syy).squareRoot()
    }
}
