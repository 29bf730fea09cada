@testable import LGMCL
import Testing

/// `--ema-decay`'s average against its closed form: after n updates with decays d₀ … dₙ₋₁ the
/// average is (Π dₜ)·w₋ + Σₜ (1 − dₜ)·(Πₛ₍ₛ₎ₜ₎ dₛ)·wₜ, where w₋ are the initial weights and wₜ
/// the weights after step t.
struct WeightAverageTests {
    @Test func theAverageIsTheClosedFormOfItsDecays() throws {
        let a = Parameter(Tensor<Double>([1, -2, 0.5], shape: [3])), b = Parameter(Tensor<Double>([4], shape: [1]))
        let parameters = [(name: "a", parameter: a), (name: "b", parameter: b)]
        let initial = [1.0, -2, 0.5, 4]
        var average = WeightAverage(decay: 0.95, of: parameters)
        var steps: [[Double]] = []
        for t in 0 ..< 40 {
            let weights = (0 ..< 4).map { i in Double(t + 1) * Double(i - 1) * 0.3 + 0.01 * Double(t * t) }
            _ = a.values.update(fromContentsOf: weights[0 ..< 3])
            b.values[0] = weights[3]
            steps.append(weights)
            average.update(from: parameters)
        }
        // TensorFlow's num_updates rule: 0.1, 2/11, 3/12, … until it reaches 0.95 (t = 170 would;
        // here it stays below, so every decay is the warm-up's).
        let decays = (0 ..< 40).map { t in min(0.95, Double(1 + t) / Double(10 + t)) }
        #expect(decays[0] == 0.1 && decays[39] < 0.95)
        var expected = initial.map { $0 * decays.reduce(1, *) }
        for (t, weights) in steps.enumerated() {
            let carried = (1 - decays[t]) * decays[(t + 1)...].reduce(1, *)
            for i in 0 ..< 4 { expected[i] += carried * weights[i] }
        }
        let last = steps.last!
        average.exchange(with: parameters)
        let averaged = Array(a.values) + Array(b.values)
        for i in 0 ..< 4 { #expect(abs(averaged[i] - expected[i]) <= 1e-12 * max(1, abs(expected[i])), "weight \(i): \(averaged[i]) vs \(expected[i])") }
        // Exchanging back restores the weights training goes on from, bit for bit.
        average.exchange(with: parameters)
        #expect(Array(a.values) + Array(b.values) == last)
    }

    @Test func decaysReachTheirCapAndZeroIsTheWeightsThemselves() {
        #expect(WeightAverage<Double>.decay(0.99, update: 1000) == 0.99)
        #expect(WeightAverage<Double>.decay(0.5, update: 9) == 0.5)   // 10/19 > 0.5
        let p = Parameter(Tensor<Float>([3, 1], shape: [2]))
        var average = WeightAverage(decay: 0, of: [(name: "p", parameter: p)])
        _ = p.values.update(fromContentsOf: [7, -5] as [Float])
        average.update(from: [(name: "p", parameter: p)])
        average.exchange(with: [(name: "p", parameter: p)])
        #expect(Array(p.values) == [7, -5])
    }
}
