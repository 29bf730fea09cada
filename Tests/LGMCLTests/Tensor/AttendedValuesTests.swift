@testable import LGMCL
import Testing

/// The attention's weighted values as one op against softmax, dropout and the block product apart:
/// the same operations in the same order, so equal to the bit — forward, and the gradients of the
/// scores and the values — with dropout on and off, padded keys and a molecule without any key.
struct AttendedValuesTests {
    let m = 3, h = 2, l = 7, dh = 4

    func inputs<S: TensorScalar>(_: S.Type) -> (scores: Tensor<S>, mask: Tensor<S>, values: Tensor<S>, upstream: Tensor<S>) {
        let scores = Tensor<S>((0 ..< m * h * l * l).map { S(Double(($0 * 37) % 23) / 4 - 2) }, shape: [m, h, l, l])
        // Molecule 1: keys 5 and 6 are padding; molecule 2: no key at all.
        let mask = Tensor<S>((0 ..< m * l).map { $0 >= 2 * l || ($0 >= l && $0 % l >= 5) ? -S.infinity : 0 }, shape: [m, 1, 1, l])
        let values = Tensor<S>((0 ..< m * l * h * dh).map { S(Double(($0 * 13) % 17) / 8 - 1) }, shape: [m, l, h * dh])
        let upstream = Tensor<S>((0 ..< m * l * h * dh).map { S(Double(($0 * 11) % 13) - 6) }, shape: [m, l, h * dh])
        return (scores, mask, values, upstream)
    }

    func compare<S: TensorScalar>(_: S.Type, rate: S, stream: RandomStream?) {
        let x = inputs(S.self)
        let rows = MoleculeRows.molecules([40, 2, 17])
        func run(_ fused: Bool) -> [[S]] {
            let scores = x.scores.requiringGradient(), values = x.values.requiringGradient()
            let y: Tensor<S>
            if fused {
                y = Tensor.attendedValues(scores: scores, mask: x.mask, values: values, heads: h, dropout: rate,
                                          stream: stream, site: 5, rows: rows)
            } else {
                let p = dropout(scores.softmax(mask: x.mask), rate: rate, stream: stream, site: 5, rows: rows)
                let byMolecule = MatrixBlocks.heads(molecules: m, length: l, heads: h, width: dh, headMajor: false)
                y = blockMatmul(p, .contiguous(count: m * h, rows: l, columns: l), values, byMolecule,
                                shape: [m, l, h * dh], byMolecule)
            }
            (y * x.upstream).sum().backward()
            return [y.scalars, scores.gradient!.scalars, values.gradient!.scalars]
        }
        let fused = run(true), apart = run(false)
        #expect(fused[0] == apart[0], "values")
        #expect(fused[1] == apart[1], "gradient of the scores")
        #expect(fused[2] == apart[2], "gradient of the values")
        #expect(fused[0].contains { $0 != 0 } && fused[1].contains { $0 != 0 } && fused[2].contains { $0 != 0 })
        // The molecule without keys attends to nothing and passes no gradient to its scores.
        #expect(fused[0][(2 * l * h * dh)...].allSatisfy { $0 == 0 } && fused[1][(2 * h * l * l)...].allSatisfy { $0 == 0 })
    }

    @Test func equalsTheOpsApartWithDropout() {
        compare(Float.self, rate: 0.25, stream: RandomStream(seed: 9, step: 4))
        compare(Double.self, rate: 0.25, stream: RandomStream(seed: 9, step: 4))
    }

    @Test func equalsTheOpsApartWithoutDropout() {
        compare(Float.self, rate: 0.25, stream: nil)
        compare(Double.self, rate: 0, stream: RandomStream(seed: 9, step: 4))
    }
}
