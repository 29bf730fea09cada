import Foundation
@testable import LGMCL
import Testing

/// Layers in Float64 against finite differences (inputs and parameters), and initialisation
/// against PyTorch's default distributions.
struct LayerTests {
    /// Gradients w.r.t. a module's parameters: each parameter is perturbed in place.
    func checkParameterGradients<M: Module>(_ model: M, tolerance: Double = 1e-6, _ f: () -> Tensor<Double>) where M.Scalar == Double {
        var rng = RandomGenerator(seed: 99)
        let probe = Tape.withoutGradients { f() }
        let weights: Tensor<Double> = rng.uniform(probe.shape, -1.0, 1.0)
        model.zeroGradients()
        (f() * weights).sum().backward()
        for (name, p) in model.namedParameters() {
            let analytic = Array(p.gradients)
            var numeric = [Double](repeating: 0, count: p.count)
            for i in 0..<p.count {
                let saved = p.values[i]
                p.values[i] = saved + 1e-6
                let plus = Tape.withoutGradients { (f() * weights).sum().item() }
                p.values[i] = saved - 1e-6
                let minus = Tape.withoutGradients { (f() * weights).sum().item() }
                p.values[i] = saved
                numeric[i] = (plus - minus) / 2e-6
            }
            expectClose(analytic, numeric, atol: tolerance, rtol: 1e-5, name)
        }
    }

    @Test func gruCell() {
        let cell = GRUCell<Double>(4, 3)
        let x = randomTensor([5, 4], seed: 40), h = randomTensor([5, 3], seed: 41)
        checkGradients([x, h]) { cell($0[0], $0[1]) }
        checkParameterGradients(cell) { cell(x, h) }
    }

    @Test func multiHeadAttentionWithBiasAndMask() {
        let attention = MultiHeadAttention<Double>(6, heads: 3)
        let q = randomTensor([2, 3, 6], seed: 42), kv = randomTensor([2, 4, 6], seed: 43)
        let bias = randomTensor([1, 3, 3, 4], seed: 44)
        let inf = -Double.infinity
        let mask = Tensor<Double>([0, 0, 0, 0, 0, 0, inf, inf], shape: [2, 1, 1, 4])
        checkGradients([q, kv, bias]) { attention($0[0], key: $0[1], value: $0[1], bias: $0[2], mask: mask) }
        checkParameterGradients(attention) { attention(q, key: kv, value: kv, mask: mask) }
        // A query that may see nothing gets the output bias only (zero context), not NaN.
        let none = Tensor<Double>.full([2, 1, 1, 4], inf)
        let y = attention(q, key: kv, value: kv, mask: none)
        let outputBias = Array(attention.output.bias!.values)
        #expect(y.scalars.enumerated().allSatisfy { Swift.abs($0.element - outputBias[$0.offset % 6]) < 1e-12 })
    }

    @Test func feedForwardEmbeddingLayerNorm() {
        let ff = FeedForward<Double>(4, hidden: 6, activation: .gelu)
        let x = randomTensor([3, 4], seed: 45)
        checkGradients([x]) { ff($0[0]) }
        checkParameterGradients(ff) { ff(x) }
        let embedding = Embedding<Double>(5, 3)
        checkParameterGradients(embedding) { embedding([4, 0, 4, 2], shape: [2, 2]).tanh() }
        #expect(embedding([1, 3]).scalars == embedding.weight.value.gathered(rows: [1, 3]).scalars)
        let norm = LayerNorm<Double>(4)
        checkParameterGradients(norm) { norm(x) * x }
    }

    @Test func pytorchDefaultInitialisation() {
        Initialization.seed(11)
        let layer = Linear<Double>(400, 300)
        let bound = 1 / 400.0.squareRoot()
        let w = Array(layer.weight.values)
        #expect(w.allSatisfy { Swift.abs($0) <= bound })
        let variance = w.map { $0 * $0 }.reduce(0, +) / Double(w.count)
        #expect(Swift.abs(variance - bound * bound / 3) < 0.02 * bound * bound / 3)   // U(−b, b): b²/3
        #expect(layer.bias!.values.allSatisfy { Swift.abs($0) <= bound })
        let mha = MultiHeadAttention<Double>(64, heads: 4)
        #expect(mha.query.weight.values.allSatisfy { Swift.abs($0) <= (6.0 / 256).squareRoot() })
        #expect(mha.key.bias!.values.allSatisfy { $0 == 0 })
        // Seeded: the same seed gives the same weights.
        Initialization.seed(11)
        let again = Linear<Double>(400, 300)
        #expect(Array(again.weight.values) == w, "same seed, different weights")
    }

    @Test func crossEntropyAndMSE() {
        let logits = randomTensor([4, 3], seed: 46)
        checkGradients([logits]) { crossEntropy($0[0], targets: [2, 0, 1, 1]) }
        let l = Tensor<Double>([1, 2, 0.5, -1], shape: [2, 2])
        let expected = (-(1 - Foundation.log(Foundation.exp(1) + Foundation.exp(2))) - (-1 - Foundation.log(Foundation.exp(0.5) + Foundation.exp(-1)))) / 2
        #expect(Swift.abs(crossEntropy(l, targets: [0, 1]).item() - expected) < 1e-12)
        let target = randomTensor([4, 3], seed: 47)
        checkGradients([logits]) { meanSquaredError($0[0], target) }
        checkGradients([logits]) { ntXentLoss($0[0].sliced(axis: 0, 0..<2), $0[0].sliced(axis: 0, 2..<4), temperature: 0.5) }
        let labels = Tensor<Double>([1, .nan, 0, 1, 0, .nan, .nan, .nan, 1, 0, 1, 1], shape: [4, 3])
        checkGradients([logits]) { maskedBinaryCrossEntropy(logits: $0[0], targets: labels, normalizer: 11) }
    }

    /// The anchors-vs-candidates form used across ranks equals the single-process loss when the
    /// anchors are split in two "ranks" and each divides by the global count.
    @Test func ntXentSplitsAcrossRanks() {
        let z1 = randomTensor([3, 4], seed: 48), z2 = randomTensor([3, 4], seed: 49)
        let whole = ntXentLoss(z1, z2, temperature: 0.1).item()
        let all = concatenated([z1, z2], axis: 0)
        let positive = (0..<6).map { ($0 + 3) % 6 }
        let parts = [[0, 1, 3], [2, 4, 5]].map { anchors in
            ntXentLoss(anchors: all.gathered(rows: anchors), candidates: all, selfIndex: anchors,
                       positiveIndex: anchors.map { positive[$0] }, temperature: 0.1, normalizer: 6).item()
        }
        #expect(Swift.abs(parts.reduce(0, +) - whole) < 1e-12)
    }
}
