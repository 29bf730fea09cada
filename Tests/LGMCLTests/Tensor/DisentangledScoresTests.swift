@testable import LGMCL
import Testing

/// `disentangledScores` against its definition written out element by element, and its gradient
/// with respect to all three terms against Float64 finite differences.
@Suite struct DisentangledScoresTests {
    // h = 2 heads, M = 3 molecules, L = 4, W = 5 columns; δ repeats columns within rows and
    // leaves column 4 unread in some rows, as log buckets do.
    let h = 2, m = 3, l = 4, w = 5
    let index = [2, 1, 0, 0, 3, 2, 1, 0, 4, 3, 2, 1, 4, 4, 3, 2]

    func inputs(_ seed: UInt64) -> [Tensor<Double>] {
        var rng = RandomGenerator(seed: seed)
        return [rng.uniform([h, m, l, l], -1.0, 1.0), rng.uniform([h, m, l, w], -1.0, 1.0), rng.uniform([h, m, l, w], -1.0, 1.0)]
    }

    @Test func equalsItsDefinition() {
        let t = inputs(3)
        let (c, p, q) = (t[0].scalars, t[1].scalars, t[2].scalars)
        let scale = 0.7
        let s = Tensor.disentangledScores(contentToContent: t[0], contentToPosition: t[1], positionToContent: t[2],
                                          index: index, scale: scale)
        #expect(s.shape == [m, h, l, l])
        var expected: [Double] = []
        for mi in 0..<m { for hi in 0..<h { for i in 0..<l { for j in 0..<l {
            let slab = hi * m + mi, delta = index[i * l + j]
            expected.append(scale * (c[(slab * l + i) * l + j] + p[(slab * l + i) * w + delta] + q[(slab * l + j) * w + delta]))
        } } } }
        #expect(s.scalars == expected)
    }

    @Test func gradientMatchesFiniteDifferences() {
        checkGradients(inputs(5)) {
            Tensor.disentangledScores(contentToContent: $0[0], contentToPosition: $0[1], positionToContent: $0[2],
                                      index: index, scale: 0.7)
        }
    }
}
