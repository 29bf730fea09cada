@testable import LGMCL
import Testing

/// GELU then a linear layer as one op, GELU(h) recomputed in backward, against the two ops apart:
/// the same arithmetic in the same order, so equal to the bit, values and every gradient.
struct GELULinearTests {
    func compare<S: TensorScalar>(_: S.Type) {
        let h = Tensor<S>((0 ..< 5 * 3 * 8).map { S(Double(($0 * 29) % 31) / 6 - 2.5) }, shape: [5, 3, 8])
        let weight = Tensor<S>((0 ..< 6 * 8).map { S(Double(($0 * 7) % 11) / 10 - 0.5) }, shape: [6, 8])
        let bias = Tensor<S>((0 ..< 6).map { S(Double($0) / 4 - 0.6) }, shape: [6])
        let upstream = Tensor<S>((0 ..< 5 * 3 * 6).map { S(Double(($0 * 13) % 9) - 4) }, shape: [5, 3, 6])
        func run(_ fused: Bool) -> [[S]] {
            let (x, w, b) = (h.requiringGradient(), weight.requiringGradient(), bias.requiringGradient())
            let y = fused ? geluLinear(x, weight: w, bias: b) : linear(x.gelu(), weight: w, bias: b)
            (y * upstream).sum().backward()
            return [y.scalars, x.gradient!.scalars, w.gradient!.scalars, b.gradient!.scalars]
        }
        let fused = run(true), apart = run(false)
        for (i, what) in ["values", "dh", "dW", "db"].enumerated() { #expect(fused[i] == apart[i], "\(what)") }
        #expect(fused[1].contains { $0 != 0 } && fused[2].contains { $0 != 0 })
    }

    @Test func equalsGELUThenLinear() {
        compare(Float.self)
        compare(Double.self)
    }
}
