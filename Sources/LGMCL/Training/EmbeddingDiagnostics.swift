import Foundation

/// How a pretraining stage's two views look on molecules it does not train on, computed without
/// labels (docs/pretrain.md, "Diagnostics"):
/// - **alignment** (Wang & Isola 2020): the mean over molecules of ‖ẑ_a − ẑ_b‖², ẑ the
///   L2-normalized embeddings the contrastive loss compares. 0 when both views agree; 2 for
///   unrelated random directions.
/// - **uniformity** of each view: log of the mean over pairs i < j of exp(−2 ‖ẑ_i − ẑ_j‖²). Lower
///   is more evenly spread over the sphere; 0 when every molecule maps to one point.
/// - **effective rank** of each encoder's pooled vectors (RankMe, Garrido et al. 2023): exp of the
///   entropy of the singular values normalized to sum 1 (plus 1e-7 each). Between 1 (collapse
///   onto a line) and the width; it tracks how much of the width fine-tuning can use.
public struct EmbeddingDiagnostics: Equatable, Sendable {
    public var alignment: Double
    public var uniformity: [Double]
    public var effectiveRank: [Double]

    /// `projected`: the two views' embeddings (n × d each, row-major); `pooled`: the two
    /// encoders' pooled vectors (n × its width each).
    public init(projected: ([Float], [Float]), dimension: Int, pooled: ([Float], [Float]), widths: (Int, Int)) throws {
        let a = Self.normalizedRows(projected.0, dimension), b = Self.normalizedRows(projected.1, dimension)
        alignment = Self.alignment(a, b, dimension: dimension)
        uniformity = [Self.uniformity(a, dimension: dimension), Self.uniformity(b, dimension: dimension)]
        effectiveRank = [try Self.effectiveRank(pooled.0, width: widths.0), try Self.effectiveRank(pooled.1, width: widths.1)]
    }

    /// Rows scaled to unit length, in Float64 (a zero row stays zero).
    static func normalizedRows(_ x: [Float], _ d: Int) -> [Double] {
        var out = x.map(Double.init)
        for row in stride(from: 0, to: out.count, by: d) {
            var norm = 0.0
            for k in row ..< row + d { norm += out[k] * out[k] }
            let scale = 1 / max(norm.squareRoot(), 1e-12)
            for k in row ..< row + d { out[k] *= scale }
        }
        return out
    }

    /// Mean squared distance between the rows of `a` and `b` with the same index.
    static func alignment(_ a: [Double], _ b: [Double], dimension d: Int) -> Double {
        let n = a.count / d
        guard n > 0 else { return .nan }
        var total = 0.0
        for k in 0 ..< n * d { total += (a[k] - b[k]) * (a[k] - b[k]) }
        return total / Double(n)
    }

    /// log mean over pairs i < j of exp(−2 ‖x_i − x_j‖²).
    static func uniformity(_ x: [Double], dimension d: Int) -> Double {
        let n = x.count / d
        guard n > 1 else { return .nan }
        var total = 0.0
        for i in 0 ..< n {
            for j in i + 1 ..< n {
                var squared = 0.0
                for k in 0 ..< d {
                    let difference = x[i * d + k] - x[j * d + k]
                    squared += difference * difference
                }
                total += exp(-2 * squared)
            }
        }
        return log(total / Double(n * (n - 1) / 2))
    }

    /// RankMe of an n × width matrix, from the eigenvalues of its Gram matrix (the squared
    /// singular values).
    static func effectiveRank(_ x: [Float], width: Int) throws -> Double {
        let n = x.count / width
        guard n > 0 else { return .nan }
        let singular = try SymmetricMatrix.gram(x.map(Double.init), rows: n, columns: width).eigenvalues()
            .map { max($0, 0).squareRoot() }
        let sum = singular.reduce(0, +)
        guard sum > 0 else { return 1 }
        let entropy = singular.reduce(0.0) { total, sigma in
            let p = sigma / sum + 1e-7
            return total - p * log(p)
        }
        return exp(entropy)
    }
}
