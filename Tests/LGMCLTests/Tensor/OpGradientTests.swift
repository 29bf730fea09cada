import Foundation
@testable import LGMCL
import Testing

/// Every primitive's backward against Float64 central differences, on shapes that include the
/// edge cases: size-1 and size-0 dimensions, broadcasting on every axis, empty segments, fully
/// masked softmax rows.
struct OpGradientTests {
    static let broadcastPairs: [([Int], [Int])] = [
        ([2, 3, 4], [2, 3, 4]), ([2, 3, 4], [4]), ([2, 3, 4], [3, 1]), ([2, 3, 4], [2, 1, 1]),
        ([2, 1, 4], [1, 3, 1]), ([1], [2, 3]), ([], [3, 2]), ([3, 2], []), ([1, 1], [1, 1]), ([4, 1], [1, 5]),
    ]

    @Test(arguments: broadcastPairs)
    func broadcastingArithmetic(_ shapes: ([Int], [Int])) {
        let a = randomTensor(shapes.0, seed: 1), b = randomTensor(shapes.1, seed: 2, low: 0.5, high: 2)
        checkGradients([a, b]) { $0[0] + $0[1] }
        checkGradients([a, b]) { $0[0] - $0[1] }
        checkGradients([a, b]) { $0[0] * $0[1] }
        checkGradients([a, b]) { $0[0] / $0[1] }
        checkGradients([b, a]) { $0[0] / $0[1].exp() }
    }

    @Test func broadcastForwardMatchesExplicitLoops() {
        let a = Tensor<Double>([1, 2, 3, 4, 5, 6], shape: [2, 3]), b = Tensor<Double>([10, 20], shape: [2, 1])
        #expect((a + b).scalars == [11, 12, 13, 24, 25, 26])
        #expect((a * Tensor([1, 0, -1], shape: [3])).scalars == [1, 0, -3, 4, 0, -6])
        #expect((2.0 - a).shape == [2, 3])
    }

    @Test func pointwiseFunctions() {
        let x = randomTensor([3, 5], seed: 3, low: -2, high: 2)
        let positive = randomTensor([3, 5], seed: 4, low: 0.2, high: 3)
        checkGradients([x]) { -$0[0] }
        checkGradients([x]) { $0[0].exp() }
        checkGradients([positive]) { $0[0].log() }
        checkGradients([positive]) { $0[0].sqrt() }
        checkGradients([x]) { $0[0].squared() }
        checkGradients([x]) { $0[0].abs() }
        checkGradients([x]) { $0[0].tanh() }
        checkGradients([x]) { $0[0].sigmoid() }
        checkGradients([x]) { $0[0].relu() }
        checkGradients([x]) { $0[0].erf() }
        checkGradients([x]) { $0[0].leakyReLU(slope: 0.1) }
        checkGradients([x]) { $0[0].elu(alpha: 1.3) }
        checkGradients([x]) { $0[0].gelu() }
    }

    @Test func pointwiseValues() {
        let x = Tensor<Double>([-30, -1, 0, 2, 40], shape: [5])
        expectClose(x.sigmoid().scalars, x.scalars.map { 1 / (1 + Foundation.exp(-$0)) }, atol: 1e-15, rtol: 1e-12, "sigmoid")
        expectClose(x.gelu().scalars, x.scalars.map { 0.5 * $0 * (1 + Foundation.erf($0 / 2.0.squareRoot())) }, atol: 1e-15, rtol: 1e-12, "gelu")
        expectClose(x.elu().scalars, x.scalars.map { $0 > 0 ? $0 : Foundation.exp($0) - 1 }, atol: 1e-15, rtol: 1e-12, "elu")
    }

    @Test(arguments: [(false, false), (true, false), (false, true), (true, true)])
    func matmul2D(_ flags: (Bool, Bool)) {
        let (ta, tb) = flags
        for (m, k, n) in [(3, 4, 5), (1, 3, 1), (2, 1, 3)] {
            let a = randomTensor(ta ? [k, m] : [m, k], seed: 5), b = randomTensor(tb ? [n, k] : [k, n], seed: 6)
            checkGradients([a, b]) { LGMCL.matmul($0[0], $0[1], transposeA: ta, transposeB: tb) }
            let expected = Tape.withoutGradients {
                naiveMatmul(ta ? a.transposed() : a, tb ? b.transposed() : b)
            }
            expectClose(LGMCL.matmul(a, b, transposeA: ta, transposeB: tb).scalars, expected, atol: 1e-12, rtol: 1e-12, "matmul values")
        }
    }

    @Test(arguments: [(false, false), (true, false), (false, true), (true, true)])
    func matmulBatched(_ flags: (Bool, Bool)) {
        let (ta, tb) = flags
        let a = randomTensor(ta ? [2, 3, 4, 2] : [2, 3, 2, 4], seed: 8)
        let b = randomTensor(tb ? [2, 3, 5, 4] : [2, 3, 4, 5], seed: 9)
        checkGradients([a, b]) { LGMCL.matmul($0[0], $0[1], transposeA: ta, transposeB: tb) }
        // A 2-D operand shared across the batch, on either side.
        let b2 = randomTensor(tb ? [5, 4] : [4, 5], seed: 10)
        checkGradients([a, b2]) { LGMCL.matmul($0[0], $0[1], transposeA: ta, transposeB: tb) }
        let a2 = randomTensor(ta ? [4, 2] : [2, 4], seed: 11)
        checkGradients([a2, b]) { LGMCL.matmul($0[0], $0[1], transposeA: ta, transposeB: tb) }
        checkGradients([a, b]) { LGMCL.matmul($0[0], $0[1], transposeA: ta, transposeB: tb, scale: 0.3) }
        let scaled = LGMCL.matmul(a, b, transposeA: ta, transposeB: tb, scale: 0.3).scalars
        let unscaled = LGMCL.matmul(a, b, transposeA: ta, transposeB: tb).scalars.map { $0 * 0.3 }
        expectClose(scaled, unscaled, atol: 1e-14, rtol: 1e-12, "scaled matmul")
    }

    @Test func reductions() {
        let x = randomTensor([2, 3, 4], seed: 12)
        for axis in [0, 1, 2, -1] {
            checkGradients([x]) { $0[0].sum(axis: axis) }
            checkGradients([x]) { $0[0].sum(axis: axis, keepDims: true) }
            checkGradients([x]) { $0[0].mean(axis: axis) }
            checkGradients([x]) { $0[0].max(axis: axis, keepDims: axis == 1) }
        }
        checkGradients([x]) { $0[0].sum(axes: [0, 2]) }
        checkGradients([x]) { $0[0].sum() }
        checkGradients([x]) { $0[0].mean() }
        checkGradients([randomTensor([1, 1, 3], seed: 13)]) { $0[0].sum(axis: 1) }
        #expect(Tensor<Double>([1, 5, 3, 2], shape: [2, 2]).max(axis: 1).scalars == [5, 3])
    }

    @Test func shapeOps() {
        let x = randomTensor([2, 3, 4], seed: 14)
        checkGradients([x]) { $0[0].reshaped([4, -1]) }
        checkGradients([x]) { $0[0].permuted([2, 0, 1]) }
        checkGradients([x]) { $0[0].transposed(0, 2) }
        checkGradients([x]) { $0[0].transposed() }
        checkGradients([x]) { $0[0].sliced(axis: 1, 1..<3) }
        checkGradients([x]) { $0[0].sliced(axis: 2, 0..<1) }
        checkGradients([x]) { $0[0].sliced(axis: 0, 1..<1) * 2 }
        checkGradients([x]) { concatenated($0[0].split(sizes: [1, 0, 3], axis: 2).reversed(), axis: 2) }
        let y = randomTensor([2, 1, 4], seed: 15)
        checkGradients([x, y]) { concatenated([$0[0], $0[1], $0[0]], axis: 1) }
        checkGradients([y, y]) { stacked([$0[0], $0[1]], axis: 1) }
        #expect(x.permuted([2, 0, 1]).shape == [4, 2, 3])
        #expect(Tensor<Double>([1, 2, 3, 4, 5, 6], shape: [2, 3]).transposed().scalars == [1, 4, 2, 5, 3, 6])
    }

    @Test func gatherAndScatter() {
        let x = randomTensor([4, 3], seed: 16)
        checkGradients([x]) { $0[0].gathered(rows: [3, 0, 0, 2, 3]) }
        checkGradients([x]) { $0[0].gathered(rows: []) }
        let e = randomTensor([5, 2], seed: 17)
        checkGradients([e]) { $0[0].scatterAdded(rows: [1, 1, 0, 3, 1], count: 5) }
        #expect(Tensor<Double>([1, 2, 3], shape: [3, 1]).scatterAdded(rows: [2, 0, 2], count: 3).scalars == [2, 0, 4])
    }

    @Test func segmentOps() {
        let x = randomTensor([7, 3], seed: 18)
        let offsets = [0, 2, 2, 5, 6, 6, 7]  // empty segments at 1 and 4
        checkGradients([x]) { $0[0].segmentSum(offsets: offsets) }
        checkGradients([x]) { $0[0].segmentMean(offsets: offsets) }
        checkGradients([x]) { $0[0].segmentMax(offsets: offsets) }
        checkGradients([x]) { $0[0].segmentSoftmax(offsets: offsets) }
        let v = randomTensor([7], seed: 19)
        checkGradients([v]) { $0[0].segmentSoftmax(offsets: offsets) }
        checkGradients([v]) { $0[0].segmentMean(offsets: offsets) }
        let sums = Tensor<Double>([1, 2, 3, 4], shape: [4, 1]).segmentSum(offsets: [0, 1, 1, 4])
        #expect(sums.scalars == [1, 0, 9])
        let soft = Tensor<Double>([0, 0, 1000], shape: [3]).segmentSoftmax(offsets: [0, 2, 3])
        #expect(soft.scalars == [0.5, 0.5, 1])
    }

    @Test func softmaxWithMasks() {
        let x = randomTensor([2, 3, 4], seed: 20)
        checkGradients([x]) { $0[0].softmax() }
        checkGradients([x]) { $0[0].logSoftmax() }
        let inf = -Double.infinity
        // Key padding broadcast over queries, and a fully masked row in batch 1.
        let mask = Tensor<Double>([0, 0, inf, 0, inf, inf, inf, inf], shape: [2, 1, 4])
        checkGradients([x]) { $0[0].softmax(mask: mask) }
        let full = Tensor<Double>([0, 0, 0, 0, 0, inf, 0, 0, inf, inf, inf, inf], shape: [3, 4])
        checkGradients([x]) { $0[0].softmax(mask: full) }
        let y = x.softmax(mask: full)
        #expect(y.sliced(axis: 1, 2..<3).scalars.allSatisfy { $0 == 0 })
        #expect(!y.scalars.contains { $0.isNaN })
        let finite = Tensor<Double>([0, 0, -3, 0, 1, 0, 0, 0, -1, 0, 0, 2], shape: [3, 4])
        checkGradients([x]) { $0[0].logSoftmax(mask: finite) }
        let probs = Tensor<Double>([1, 2, 3], shape: [3]).softmax().scalars
        let e = [1.0, 2, 3].map { Foundation.exp($0) }
        expectClose(probs, e.map { $0 / e.reduce(0, +) }, atol: 1e-15, rtol: 1e-12, "softmax values")
    }

    @Test func layerNormGradients() {
        let x = randomTensor([3, 5], seed: 21), w = randomTensor([5], seed: 22), b = randomTensor([5], seed: 23)
        checkGradients([x, w, b]) { layerNorm($0[0], weight: $0[1], bias: $0[2]) }
        checkGradients([x]) { layerNorm($0[0], weight: nil, bias: nil) }
        checkGradients([randomTensor([2, 1, 4], seed: 24), w.sliced(axis: 0, 0..<4)]) { layerNorm($0[0], weight: $0[1], bias: nil) }
    }

    @Test func linearLayer() {
        let layer = Linear<Double>(4, 3)
        let x = randomTensor([2, 5, 4], seed: 25)
        checkGradients([x, layer.weight.value.detached(), layer.bias!.value.detached()]) { xs in
            matmul(xs[0], xs[1], transposeB: true) + xs[2]
        }
        let y = layer(x)
        let expected = Tape.withoutGradients { naiveMatmul(x.reshaped([10, 4]), layer.weight.value.transposed()) }
        expectClose(y.scalars, zip(expected, (0..<30).map { layer.bias!.values[$0 % 3] }).map(+), atol: 1e-12, rtol: 1e-12, "Linear")
    }
}

func naiveMatmul(_ a: Tensor<Double>, _ b: Tensor<Double>) -> [Double] {
    let (m, k, n) = (a.shape[0], a.shape[1], b.shape[1])
    var c = [Double](repeating: 0, count: m * n)
    for i in 0..<m { for j in 0..<n { for p in 0..<k { c[i * n + j] += a.scalars[i * k + p] * b.scalars[p * n + j] } } }
    return c
}

extension OpGradientTests {
    @Test func fusedLinear() {
        let x = randomTensor([2, 3, 4], seed: 50), w = randomTensor([5, 4], seed: 51), b = randomTensor([5], seed: 52)
        checkGradients([x, w, b]) { linear($0[0], weight: $0[1], bias: $0[2]) }
        checkGradients([randomTensor([1, 4], seed: 53), w, b]) { linear($0[0], weight: $0[1], bias: $0[2]) }
        let unfused = Tape.withoutGradients { matmul(x, w, transposeB: true) + b }
        expectClose(linear(x, weight: w, bias: b).scalars, unfused.scalars, atol: 1e-12, rtol: 1e-12, "linear = matmul + bias")
    }
}
