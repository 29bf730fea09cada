import Foundation

/// A linear model on frozen embeddings: how much of a property the embeddings make linearly
/// available, the standard online measure of self-supervised representations. Features are
/// standardized on the training rows (as scikit-learn's StandardScaler); the model is ridge
/// regression or L2-regularized logistic regression with an unpenalized intercept, the same
/// objectives as scikit-learn's `Ridge(alpha)` and `LogisticRegression(C)`.
struct LinearProbe {
    enum Kind { case ridge(alpha: Double), logistic(c: Double) }

    let means: [Double]
    let scales: [Double]
    let weights: [Double]
    let intercept: Double
    let kind: Kind

    /// Fits on `rows` of the n × d row-major `features` with `targets` (0/1 for logistic).
    init(_ kind: Kind, features: [Double], dimension d: Int, rows: [Int], targets: [Double]) throws {
        precondition(rows.count == targets.count, "LinearProbe: \(rows.count) rows, \(targets.count) targets")
        self.kind = kind
        let n = rows.count
        var means = [Double](repeating: 0, count: d), scales = [Double](repeating: 0, count: d)
        for r in rows { for k in 0 ..< d { means[k] += features[r * d + k] } }
        for k in 0 ..< d { means[k] /= Double(max(n, 1)) }
        for r in rows { for k in 0 ..< d { scales[k] += (features[r * d + k] - means[k]) * (features[r * d + k] - means[k]) } }
        // Population standard deviation; a constant feature is left unscaled, as StandardScaler does.
        scales = scales.map { $0 > 0 ? ($0 / Double(n)).squareRoot() : 1 }
        self.means = means
        self.scales = scales
        var x = [Double](repeating: 0, count: n * d)
        for (i, r) in rows.enumerated() { for k in 0 ..< d { x[i * d + k] = (features[r * d + k] - means[k]) / scales[k] } }
        switch kind {
        case .ridge(let alpha): (weights, intercept) = try Self.ridge(x, n: n, d: d, y: targets, alpha: alpha)
        case .logistic(let c): (weights, intercept) = try Self.logistic(x, n: n, d: d, y: targets, c: c)
        }
    }

    /// The probe's outputs for `rows`: values (ridge) or probabilities (logistic).
    func predict(_ features: [Double], dimension d: Int, rows: [Int]) -> [Double] {
        rows.map { r in
            var z = intercept
            for k in 0 ..< d { z += (features[r * d + k] - means[k]) / scales[k] * weights[k] }
            if case .logistic = kind { return 1 / (1 + exp(-z)) }
            return z
        }
    }

    /// min ‖y − Xw − b‖² + α‖w‖²: centered, w = (XᵀX + αI)⁻¹Xᵀy, b = ȳ (X is centered already).
    static func ridge(_ x: [Double], n: Int, d: Int, y: [Double], alpha: Double) throws -> ([Double], Double) {
        let mean = y.reduce(0, +) / Double(max(n, 1))
        var gram = SymmetricMatrix.gram(x, rows: n, columns: d)
        for k in 0 ..< d { gram.values[k * d + k] += alpha }
        var xty = [Double](repeating: 0, count: d)
        for i in 0 ..< n { for k in 0 ..< d { xty[k] += x[i * d + k] * (y[i] - mean) } }
        return (try gram.solve(xty, columns: 1), mean)
    }

    /// min C·Σ log(1 + exp(−ỹ(xw + b))) + ½‖w‖² by Newton's method with a backtracking line
    /// search; the intercept is the last coordinate, unpenalized.
    static func logistic(_ x: [Double], n: Int, d: Int, y: [Double], c: Double) throws -> ([Double], Double) {
        let m = d + 1
        var design = [Double](repeating: 1, count: n * m)
        for i in 0 ..< n { for k in 0 ..< d { design[i * m + k] = x[i * d + k] } }
        func objective(_ theta: [Double]) -> Double {
            var total = 0.0
            for i in 0 ..< n {
                var z = 0.0
                for k in 0 ..< m { z += design[i * m + k] * theta[k] }
                // log(1 + exp(−s)) with s = ±z, computed without overflow.
                let s = y[i] > 0.5 ? z : -z
                total += max(-s, 0) + log1p(exp(-abs(s)))
            }
            var penalty = 0.0
            for k in 0 ..< d { penalty += theta[k] * theta[k] }
            return c * total + 0.5 * penalty
        }
        var theta = [Double](repeating: 0, count: m)
        var value = objective(theta)
        for _ in 0 ..< 100 {
            var gradient = [Double](repeating: 0, count: m)
            var weighted = [Double](repeating: 0, count: n * m)
            for i in 0 ..< n {
                var z = 0.0
                for k in 0 ..< m { z += design[i * m + k] * theta[k] }
                let p = 1 / (1 + exp(-z))
                let root = (c * p * (1 - p)).squareRoot()
                for k in 0 ..< m {
                    gradient[k] += c * (p - y[i]) * design[i * m + k]
                    weighted[i * m + k] = root * design[i * m + k]
                }
            }
            for k in 0 ..< d { gradient[k] += theta[k] }
            if gradient.map(abs).max() ?? 0 < 1e-10 * max(1, c * Double(n)) { break }
            var hessian = SymmetricMatrix.gram(weighted, rows: n, columns: m)
            for k in 0 ..< d { hessian.values[k * m + k] += 1 }
            // The intercept's curvature vanishes on separable data; a tiny ridge keeps it solvable.
            hessian.values[d * m + d] += 1e-12
            let direction = try hessian.solve(gradient, columns: 1)
            var step = 1.0, next = theta, nextValue = value
            while step > 1e-12 {
                next = zip(theta, direction).map { $0 - step * $1 }
                nextValue = objective(next)
                if nextValue <= value { break }
                step /= 2
            }
            if nextValue > value { break }
            let converged = value - nextValue <= 1e-15 * max(1, abs(value))
            theta = next
            value = nextValue
            if converged { break }
        }
        return (Array(theta[0 ..< d]), theta[d])
    }
}
