@testable import LGMCL
import Testing

struct DropoutTests {
    /// Known-answer vectors of Philox4x32-10 from the Random123 distribution (kat_vectors).
    @Test func philoxKnownAnswers() {
        let zero = Philox(key: (0, 0)).block((0, 0, 0, 0))
        #expect([zero.0, zero.1, zero.2, zero.3] == [0x6627_e8d5, 0xe169_c58d, 0xbc57_ac4c, 0x9b00_dbd8])
        let ones = Philox(key: (0xffff_ffff, 0xffff_ffff)).block((0xffff_ffff, 0xffff_ffff, 0xffff_ffff, 0xffff_ffff))
        #expect([ones.0, ones.1, ones.2, ones.3] == [0x408f_276d, 0x41c8_3b0e, 0xa20b_c7c6, 0x6d54_51fd])
        let pi = Philox(key: (0xa409_3822, 0x299f_31d0)).block((0x243f_6a88, 0x85a3_08d3, 0x1319_8a2e, 0x0370_7344))
        #expect([pi.0, pi.1, pi.2, pi.3] == [0xd16c_fe09, 0x94fd_cceb, 0x5001_e420, 0x2412_6ea1])
    }

    let stream = RandomStream(seed: 42, step: 3)

    func rows(_ t: Tensor<Float>, _ range: Range<Int>) -> [Float] { t.sliced(axis: 0, range).scalars }

    @Test func atomMaskDependsOnlyOnMoleculeNotBatchPosition() {
        // Molecule 17 (3 atoms) first in one batch, last in another with different neighbours.
        let batchA = MoleculeRows.segments(molecules: [17, 5], offsets: [0, 3, 7])
        let batchB = MoleculeRows.segments(molecules: [900, 4, 17], offsets: [0, 2, 3, 6])
        let a = dropout(Tensor<Float>.ones([7, 10]), rate: 0.5, stream: stream, site: 1, rows: batchA)
        let b = dropout(Tensor<Float>.ones([6, 10]), rate: 0.5, stream: stream, site: 1, rows: batchB)
        #expect(rows(a, 0..<3) == rows(b, 3..<6))
        #expect(rows(a, 0..<3) != rows(a, 3..<6))
        // Another site or step gives another mask.
        let otherSite = dropout(Tensor<Float>.ones([7, 10]), rate: 0.5, stream: stream, site: 2, rows: batchA)
        let otherStep = dropout(Tensor<Float>.ones([7, 10]), rate: 0.5, stream: RandomStream(seed: 42, step: 4), site: 1, rows: batchA)
        #expect(rows(a, 0..<3) != rows(otherSite, 0..<3) && rows(a, 0..<3) != rows(otherStep, 0..<3))
    }

    @Test func paddedMaskDependsOnlyOnUnpaddedCoordinates() {
        // (B, T, d): molecule 8 of length 3, padded to T = 4 in one batch and T = 6 in another.
        let short = dropout(Tensor<Float>.ones([2, 4, 5]), rate: 0.3, stream: stream, site: 7, rows: .molecules([8, 1]))
        let long = dropout(Tensor<Float>.ones([3, 6, 5]), rate: 0.3, stream: stream, site: 7, rows: .molecules([2, 3, 8]))
        let s = short.sliced(axis: 0, 0..<1).sliced(axis: 1, 0..<3).scalars
        let l = long.sliced(axis: 0, 2..<3).sliced(axis: 1, 0..<3).scalars
        #expect(s == l)
        // Attention maps (B, H, T, T): the unpadded (H, L, L) block is the same too.
        let mapA = dropout(Tensor<Float>.ones([1, 2, 4, 4]), rate: 0.3, stream: stream, site: 9, rows: .molecules([8]))
        let mapB = dropout(Tensor<Float>.ones([2, 2, 6, 6]), rate: 0.3, stream: stream, site: 9, rows: .molecules([0, 8]))
        let blockA = mapA.sliced(axis: 2, 0..<3).sliced(axis: 3, 0..<3).scalars
        let blockB = mapB.sliced(axis: 0, 1..<2).sliced(axis: 2, 0..<3).sliced(axis: 3, 0..<3).scalars
        #expect(blockA == blockB)
    }

    @Test func keepRateAndScale() {
        let n = 200_000
        let y = dropout(Tensor<Double>.ones([n / 100, 100]), rate: 0.25, stream: stream, site: 3,
                        rows: .molecules(Array(0..<(n / 100))))
        let kept = y.scalars.filter { $0 != 0 }
        #expect(kept.allSatisfy { Swift.abs($0 - 1 / 0.75) < 1e-12 })
        let fraction = Double(kept.count) / Double(n)
        #expect(Swift.abs(fraction - 0.75) < 0.005, "kept \(fraction)")
    }

    @Test func evaluationIsIdentityAndGradientIsTheMask() {
        let x = randomTensor([4, 6], seed: 30)
        let rows = MoleculeRows.molecules([3, 1, 4, 1])
        #expect(dropout(x, rate: 0.5, stream: nil, site: 0, rows: rows).scalars == x.scalars)
        checkGradients([x]) { dropout($0[0], rate: 0.5, stream: stream, site: 0, rows: rows) }
    }
}
