/// Cross-view retrieval on a held-out slice: for each molecule's view A, is its own view B the
/// nearest (top-1) or among the five nearest (top-5) of all the slice's B views, by cosine
/// similarity? Rising accuracy shows the encoders learn to align views; chance is k/n.
public struct RetrievalAccuracy: Sendable, Equatable {
    public var top1: Double
    public var top5: Double
    public var count: Int

    /// `a` and `b`: n × d row-major embeddings of the same n molecules in two views.
    public init(a: [Float], b: [Float], count n: Int, dimension d: Int) {
        precondition(a.count == n * d && b.count == n * d, "retrieval needs two n × d matrices")
        let unitA = Self.normalizedRows(a, n, d)
        let unitB = Self.normalizedRows(b, n, d)
        var hits1 = 0
        var hits5 = 0
        for i in 0 ..< n {
            var own: Float = 0
            for k in 0 ..< d { own += unitA[i * d + k] * unitB[i * d + k] }
            // Rank of the true partner = 1 + number of others strictly more similar
            // (ties resolved in the partner's favour).
            var better = 0
            for j in 0 ..< n where j != i {
                var s: Float = 0
                for k in 0 ..< d { s += unitA[i * d + k] * unitB[j * d + k] }
                if s > own { better += 1 }
            }
            if better < 1 { hits1 += 1 }
            if better < 5 { hits5 += 1 }
        }
        top1 = n == 0 ? 0 : Double(hits1) / Double(n)
        top5 = n == 0 ? 0 : Double(hits5) / Double(n)
        count = n
    }

    static func normalizedRows(_ x: [Float], _ n: Int, _ d: Int) -> [Float] {
        var out = x
        for i in 0 ..< n {
            var norm: Float = 0
            for k in 0 ..< d { norm += x[i * d + k] * x[i * d + k] }
            let scale = 1 / max(norm.squareRoot(), 1e-12)
            for k in 0 ..< d { out[i * d + k] *= scale }
        }
        return out
    }
}
