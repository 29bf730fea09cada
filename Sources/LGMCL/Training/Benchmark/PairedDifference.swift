import Foundation

/// Pretrained against from scratch on the same split and seed: the mean of the paired
/// improvements (higher ROC-AUC, lower RMSE or MAE count as positive) and its 95% interval by the
/// paired Student t (mean ± t₀.₉₇₅,ₙ₋₁ · s/√n). Pairing removes the split-to-split spread that
/// dominates each arm's own standard deviation.
public struct PairedDifference: Equatable, Sendable {
    public let count: Int
    public let mean: Double
    /// nil with fewer than two pairs: no spread to estimate.
    public let interval: ClosedRange<Double>?

    /// `pretrained[i]` and `scratch[i]` were scored on the same split and seed.
    public init(pretrained: [Double], scratch: [Double], metric: Metric) {
        precondition(pretrained.count == scratch.count && !pretrained.isEmpty, "PairedDifference: unpaired values")
        let sign = metric.higherIsBetter ? 1.0 : -1.0
        let differences = zip(pretrained, scratch).map { sign * ($0 - $1) }
        let n = differences.count
        let average = differences.reduce(0, +) / Double(n)
        count = n
        mean = average
        guard n >= 2 else {
            interval = nil
            return
        }
        let variance = differences.reduce(0) { $0 + ($1 - average) * ($1 - average) } / Double(n - 1)
        let half = Self.studentQuantile(0.975, degreesOfFreedom: n - 1) * (variance / Double(n)).squareRoot()
        interval = average - half ... average + half
    }

    /// The p-quantile of Student's t with ν degrees of freedom (p > 0.5), by bisection on its
    /// distribution function.
    static func studentQuantile(_ p: Double, degreesOfFreedom nu: Int) -> Double {
        var low = 0.0, high = 1.0
        while studentCDF(high, nu) < p { high *= 2 }
        for _ in 0 ..< 200 {
            let middle = (low + high) / 2
            if studentCDF(middle, nu) < p { low = middle } else { high = middle }
        }
        return (low + high) / 2
    }

    /// P(T ≤ t) for t ≥ 0: 1 − I_x(ν/2, 1/2)/2 with x = ν/(ν + t²).
    static func studentCDF(_ t: Double, _ nu: Int) -> Double {
        let v = Double(nu)
        return 1 - 0.5 * regularizedBeta(v / (v + t * t), v / 2, 0.5)
    }

    /// The regularized incomplete beta function I_x(a, b), by its continued fraction (Lentz).
    static func regularizedBeta(_ x: Double, _ a: Double, _ b: Double) -> Double {
        guard x > 0 else { return 0 }
        guard x < 1 else { return 1 }
        if x > (a + 1) / (a + b + 2) { return 1 - regularizedBeta(1 - x, b, a) }
        let logBeta: Double = lgamma(a) + lgamma(b) - lgamma(a + b)
        let logPowers: Double = a * log(x) + b * log(1 - x)
        let front = exp(logPowers - logBeta) / a
        let tiny = 1e-300
        var c = 1.0, d = 1 - (a + b) * x / (a + 1)
        d = 1 / (abs(d) < tiny ? tiny : d)
        var f = d
        for m in 1 ... 500 {
            let m = Double(m)
            let even = m * (b - m) * x / ((a + 2 * m - 1) * (a + 2 * m))
            d = 1 + even * d; d = 1 / (abs(d) < tiny ? tiny : d)
            c = 1 + even / c; c = abs(c) < tiny ? tiny : c
            f *= d * c
            let odd = -(a + m) * (a + b + m) * x / ((a + 2 * m) * (a + 2 * m + 1))
            d = 1 + odd * d; d = 1 / (abs(d) < tiny ? tiny : d)
            c = 1 + odd / c; c = abs(c) < tiny ? tiny : c
            let delta = d * c
            f *= delta
            if abs(delta - 1) < 1e-15 { break }
        }
        return front * f
    }
}
