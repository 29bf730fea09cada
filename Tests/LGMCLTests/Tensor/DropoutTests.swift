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

    /// The mask against its definition, written out coordinate by coordinate: Philox row key from
    /// (step, site, molecule), Philox line key from the coordinates but the last, the keyed word
    /// of the last coordinate, kept when word ≥ rate·2³².
    @Test func maskFollowsItsDefinition() {
        let rate = 0.3, threshold = UInt32(rate * 4_294_967_296.0)
        func rowKey(_ stream: RandomStream, _ site: UInt32, _ molecule: Int) -> Philox {
            var root = Philox(seed: stream.seed)
            if stream.view != 0 {
                let k = root.block((stream.view, 0x7669_6577, 0, 0))
                root = Philox(key: (k.0, k.1))
            }
            let d = root.block((UInt32(stream.step), site, UInt32(molecule), 0))
            return Philox(key: (d.0, d.1))
        }
        func word(_ key: (UInt32, UInt32), _ j: Int) -> UInt32 {
            var z = (UInt32(j) &+ key.0) &* 0x9E37_79B9
            z = (z ^ (z >> 16)) &* 0x85EB_CA6B
            z = (z ^ (z >> 13) ^ key.1) &* 0xC2B2_AE35
            return z ^ (z >> 16)
        }
        // (B, H, T, T) attention maps of molecules 12 and 5, view 1.
        let view = stream.forView(1)
        let map = dropout(Tensor<Double>.ones([2, 3, 4, 5]), rate: rate, stream: view, site: 9, rows: .molecules([12, 5]))
        var expected: [Double] = []
        for molecule in [12, 5] {
            let row = rowKey(view, 9, molecule)
            for h in 0..<3 { for i in 0..<4 {
                let k = row.block((UInt32(h), UInt32(i), 0, 0))
                for j in 0..<5 { expected.append(word((k.0, k.1), j) >= threshold ? 1 / (1 - rate) : 0) }
            } }
        }
        #expect(map.scalars == expected)
        // Items of molecules: (A, d) with positions, and (A) where the position is the last coordinate.
        let items = MoleculeRows.rows(molecules: [7, 7, 3], positions: [0, 2, 1])
        let atoms = dropout(Tensor<Double>.ones([3, 4]), rate: rate, stream: stream, site: 2, rows: items)
        let single = dropout(Tensor<Double>.ones([3]), rate: rate, stream: stream, site: 2, rows: items)
        var expectedAtoms: [Double] = [], expectedSingle: [Double] = []
        for (molecule, position) in [(7, 0), (7, 2), (3, 1)] {
            let row = rowKey(stream, 2, molecule)
            let k = row.block((UInt32(position), 0, 0, 0))
            for j in 0..<4 { expectedAtoms.append(word((k.0, k.1), j) >= threshold ? 1 / (1 - rate) : 0) }
            let k1 = row.block((0, 0, 0, 0))
            expectedSingle.append(word((k1.0, k1.1), position) >= threshold ? 1 / (1 - rate) : 0)
        }
        #expect(atoms.scalars == expectedAtoms && single.scalars == expectedSingle)
    }

    /// Masks of neighbouring elements, lines, rows, views, sites and steps are independent: each
    /// pair is kept together at rate (1 − p)², not (1 − p) as shared or correlated draws would be.
    @Test func neighbouringMasksAreIndependent() {
        let shape = [64, 4, 40, 40], rate = 0.5
        let ids = Array(0..<64)
        func mask(_ s: RandomStream, site: UInt32 = 4) -> [Bool] {
            dropout(Tensor<Double>.ones(shape), rate: rate, stream: s, site: site, rows: .molecules(ids)).scalars.map { $0 != 0 }
        }
        let m = mask(stream)
        func together(_ a: [Bool], _ b: [Bool]) -> Double {
            Double(zip(a, b).filter { $0 && $1 }.count) / Double(a.count)
        }
        let n = m.count
        let kept = Double(m.filter { $0 }.count) / Double(n)
        #expect(Swift.abs(kept - 0.5) < 0.005, "kept \(kept)")
        let pairs: [(String, [Bool], [Bool])] = [
            ("next element", Array(m[0..<(n - 1)]), Array(m[1..<n])),
            ("next line", Array(m[0..<(n - 40)]), Array(m[40..<n])),
            ("next head", Array(m[0..<(n - 1600)]), Array(m[1600..<n])),
            ("next molecule", Array(m[0..<(n - 6400)]), Array(m[6400..<n])),
            ("other view", m, mask(stream.forView(1))),
            ("other site", m, mask(stream, site: 5)),
            ("other step", m, mask(RandomStream(seed: 42, step: 4))),
        ]
        for (name, a, b) in pairs {
            let both = together(a, b)
            #expect(Swift.abs(both - 0.25) < 0.005, "\(name): kept together \(both)")
        }
    }
}
