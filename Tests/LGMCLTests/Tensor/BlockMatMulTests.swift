@testable import LGMCL
import Testing

/// `blockMatmul` on attention's head blocks against the tensors it replaces (permute the heads
/// out, batched matmul, permute back), values and gradients, and its gradient against Float64
/// finite differences.
@Suite struct BlockMatMulTests {
    // M = 3 molecules, L = 4 tokens, h = 2 heads of width 3 (d = 6), a table of W = 5 rows.
    let m = 3, l = 4, h = 2, dh = 3, w = 5
    var d: Int { h * dh }

    func headsFirst(_ t: Tensor<Double>) -> Tensor<Double> { t.reshaped([m * l, h, dh]).permuted([1, 0, 2]) }

    @Test func contentScoresEqualThePermutedProduct() {
        var rng = RandomGenerator(seed: 11)
        let q: Tensor<Double> = rng.uniform([m, l, d], -1.0, 1.0), k: Tensor<Double> = rng.uniform([m, l, d], -1.0, 1.0)
        let byHead = MatrixBlocks.heads(molecules: m, length: l, heads: h, width: dh, headMajor: true)
        let (blocks, blockGradients) = valueAndGradients([q, k]) {
            blockMatmul($0[0], byHead, $0[1], byHead, transposeB: true, scale: 0.5, shape: [h, m, l, l],
                        .contiguous(count: h * m, rows: l, columns: l))
        }
        let (tensors, tensorGradients) = valueAndGradients([q, k]) {
            matmul(headsFirst($0[0]).reshaped([h, m, l, dh]), headsFirst($0[1]).reshaped([h, m, l, dh]), transposeB: true, scale: 0.5)
        }
        #expect(blocks.shape == tensors.shape)
        #expect(blocks.scalars == tensors.scalars)
        #expect(blockGradients == tensorGradients)
    }

    @Test func positionScoresEqualThePermutedProduct() {
        var rng = RandomGenerator(seed: 12)
        let q: Tensor<Double> = rng.uniform([m, l, d], -1.0, 1.0), table: Tensor<Double> = rng.uniform([w, d], -1.0, 1.0)
        let (blocks, blockGradients) = valueAndGradients([q, table]) {
            blockMatmul($0[0], .columns(rows: m * l, count: h, width: dh), $0[1], .columns(rows: w, count: h, width: dh),
                        transposeB: true, shape: [h, m, l, w], .contiguous(count: h, rows: m * l, columns: w))
        }
        let (tensors, tensorGradients) = valueAndGradients([q, table]) {
            matmul(headsFirst($0[0]), $0[1].reshaped([w, h, dh]).permuted([1, 0, 2]), transposeB: true).reshaped([h, m, l, w])
        }
        #expect(blocks.scalars == tensors.scalars)
        #expect(blockGradients == tensorGradients)
    }

    @Test func weightedValuesLandInTheirHeadsColumns() {
        var rng = RandomGenerator(seed: 13)
        let p: Tensor<Double> = rng.uniform([m, h, l, l], 0.0, 1.0), v: Tensor<Double> = rng.uniform([m, l, d], -1.0, 1.0)
        let byMolecule = MatrixBlocks.heads(molecules: m, length: l, heads: h, width: dh, headMajor: false)
        let (blocks, blockGradients) = valueAndGradients([p, v]) {
            blockMatmul($0[0], .contiguous(count: m * h, rows: l, columns: l), $0[1], byMolecule, shape: [m, l, d], byMolecule)
        }
        let (tensors, tensorGradients) = valueAndGradients([p, v]) {
            matmul($0[0], $0[1].reshaped([m, l, h, dh]).permuted([0, 2, 1, 3])).permuted([0, 2, 1, 3]).reshaped([m, l, d])
        }
        #expect(blocks.shape == [m, l, d])
        #expect(blocks.scalars == tensors.scalars)
        #expect(blockGradients == tensorGradients)
    }

    @Test func gradientMatchesFiniteDifferences() {
        var rng = RandomGenerator(seed: 14)
        let byMolecule = MatrixBlocks.heads(molecules: m, length: l, heads: h, width: dh, headMajor: false)
        checkGradients([rng.uniform([m, h, l, l], -1.0, 1.0), rng.uniform([m, l, d], -1.0, 1.0)]) {
            blockMatmul($0[0], .contiguous(count: m * h, rows: l, columns: l), $0[1], byMolecule, scale: 0.3,
                        shape: [m, l, d], byMolecule)
        }
        let byHead = MatrixBlocks.heads(molecules: m, length: l, heads: h, width: dh, headMajor: true)
        checkGradients([rng.uniform([m, l, d], -1.0, 1.0), rng.uniform([m, l, d], -1.0, 1.0)]) {
            blockMatmul($0[0], byHead, $0[1], byHead, transposeB: true, shape: [h, m, l, l],
                        .contiguous(count: h * m, rows: l, columns: l))
        }
    }

    /// The output and the gradient of ⟨f(inputs), r⟩ with respect to each input, r fixed.
    func valueAndGradients(_ inputs: [Tensor<Double>], _ f: ([Tensor<Double>]) -> Tensor<Double>) -> (Tensor<Double>, [[Double]]) {
        let tracked = inputs.map { $0.requiringGradient() }
        let y = f(tracked)
        var rng = RandomGenerator(seed: 99)
        let r: Tensor<Double> = rng.uniform(y.shape, -1.0, 1.0)
        (y * r).sum().backward()
        return (y, tracked.map { $0.gradient?.scalars ?? [] })
    }
}
