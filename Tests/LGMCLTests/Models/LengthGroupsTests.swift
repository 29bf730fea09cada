@testable import LGMCL
import Testing

/// The text encoder runs rows of similar length together (LengthGroups). The split must be the
/// cost model's optimum, and the grouped batch must compute what each molecule alone computes.
struct LengthGroupsTests {
    /// Every split of the sorted rows into contiguous runs, by brute force, against the dynamic
    /// programme's cost.
    @Test(arguments: 0 ..< 20)
    func splitIsTheCheapestOfAllContiguousSplits(seed: Int) {
        var random = SplitMix64(seed: UInt64(seed))
        let n = 1 + Int(random.next() % 9)
        let lengths = (0 ..< n).map { _ in 1 + Int(random.next() % 60) }
        let perToken = Double(1 + random.next() % 100), perPair = Double(random.next() % 5)
        let perGroup = Double(random.next() % 4000)
        func cost(_ groups: [[Int]]) -> Double {
            groups.reduce(0) { total, rows in
                let l = Double(rows.map { lengths[$0] }.max()!)
                return total + Double(rows.count) * (l * perToken + l * l * perPair) + perGroup
            }
        }
        let split = LengthGroups(lengths: lengths, perToken: perToken, perPair: perPair, perGroup: perGroup)
        #expect(split.groups.flatMap(\.rows).sorted() == Array(0 ..< n))
        #expect(split.groups.allSatisfy { $0.length == $0.rows.map { lengths[$0] }.max() })
        let sorted = lengths.indices.sorted { (lengths[$0], $0) < (lengths[$1], $1) }
        var cheapest = Double.infinity
        for cuts in 0 ..< (1 << (n - 1)) {
            var groups: [[Int]] = [[sorted[0]]]
            for i in 1 ..< n {
                if cuts & (1 << (i - 1)) != 0 { groups.append([]) }
                groups[groups.count - 1].append(sorted[i])
            }
            cheapest = min(cheapest, cost(groups))
        }
        #expect(abs(cost(split.groups.map(\.rows)) - cheapest) <= 1e-9 * cheapest)
        // Stacking the groups and reading back by stackedPosition restores the batch order.
        let stacked = split.groups.flatMap(\.rows)
        #expect(split.stackedPosition.map { stacked[$0] } == Array(0 ..< n))
    }

    @Test func rowsKeepTheirLastTokenAndEmptyRowsOnePosition() {
        let mask: [Float] = [1, 1, 0, 0, 0,  1, 0, 1, 0, 0,  0, 0, 0, 0, 0,  1, 1, 1, 1, 1]
        let tokens = TokenInput(ids: (0 ..< 20).map { Int32($0) }, mask: mask, rows: 4, length: 5, moleculeIndices: [7, 8, 9, 10])
        #expect(tokens.neededLengths == [2, 3, 1, 5])
        let part = tokens.selecting(rows: [3, 1], length: 3)
        #expect(part.ids == [15, 16, 17, 5, 6, 7] && part.mask == [1, 1, 1, 1, 0, 1] && part.moleculeIndices == [10, 8])
    }

    /// A batch of very different lengths (several groups), in Float64 with dropout on: token
    /// states, pooled vectors and the parameters' gradients equal the sums over each molecule run
    /// alone, unpadded, up to rounding.
    @Test func groupedBatchEqualsEachMoleculeAlone() throws {
        let configuration = Preset.tiny.configuration.text
        let encoder = DeBERTaEncoder<Double>(configuration)
        let lengths = [3, 40, 5, 39, 1, 22, 40]
        let width = lengths.max()! + 2
        var ids: [Int32] = [], mask: [Float] = []
        for (r, l) in lengths.enumerated() {
            ids += (0 ..< width).map { $0 < l ? Int32(5 + (r * 7 + $0 * 3) % 20) : 0 }
            mask += (0 ..< width).map { $0 < l ? 1 : 0 }
        }
        let molecules = [11, 3, 27, 5, 8, 13, 2]
        let batch = TokenInput(ids: ids, mask: mask, rows: lengths.count, length: width, moleculeIndices: molecules)
        #expect(LengthGroups(lengths: batch.neededLengths, configuration).groups.count > 1)
        let stream = RandomStream(seed: 5, step: 2)
        let parameters = encoder.parameters()
        // A fixed weighting of the outputs, so every row and position carries its own gradient.
        func weights(_ rows: [Int], _ count: Int, _ a: Int, _ b: Int, _ m: Int) -> [Double] {
            var w: [Double] = []
            for r in rows { for i in 0 ..< count { w.append(Double((r * a + i * b) % m) - Double(m / 2)) } }
            return w
        }
        func loss(_ out: (tokens: Tensor<Double>, pooled: Tensor<Double>), rows: [Int]) -> Tensor<Double> {
            let d = configuration.hidden, t = out.tokens.shape[1]
            let wp = Tensor(weights(rows, d, 31, 7, 13), shape: [rows.count, d])
            let wt = Tensor(weights(rows, t * d, 17, 5, 11), shape: [rows.count, t, d])
            return (out.pooled * wp).sum() + (out.tokens * wt).sum() * 0.01
        }

        parameters.forEach { $0.zeroGradient() }
        let grouped = encoder(batch, stream)
        loss(grouped, rows: Array(lengths.indices)).backward()
        let groupedGradients = parameters.map { Array($0.gradients) }

        parameters.forEach { $0.zeroGradient() }
        for (r, l) in lengths.enumerated() {
            let alone = encoder(batch.selecting(rows: [r], length: l), stream)
            #expect(alone.pooled.shape == [1, configuration.hidden])
            let pooled = Array(grouped.pooled.scalars[(r * configuration.hidden) ..< ((r + 1) * configuration.hidden)])
            expectClose(pooled, alone.pooled.scalars, "pooled row \(r)")
            let rowStates = Array(grouped.tokens.scalars[(r * width * configuration.hidden) ..< ((r + 1) * width * configuration.hidden)])
            expectClose(Array(rowStates[0 ..< (l * configuration.hidden)]), alone.tokens.scalars, "token states of row \(r)")
            #expect(rowStates[(l * configuration.hidden)...].allSatisfy { $0 == 0 }, "row \(r) is not zero at its padding")
            // The alone pass's loss must weight it as the batch did: its tokens padded to the batch width.
            let padded = concatenated([alone.tokens, .zeros([1, width - l, configuration.hidden])], axis: 1)
            loss((padded, alone.pooled), rows: [r]).backward()
        }
        for (p, parameter) in parameters.enumerated() {
            expectClose(groupedGradients[p], Array(parameter.gradients), "gradient of parameter \(p)")
        }
    }

    private func expectClose(_ a: [Double], _ b: [Double], _ what: String) {
        #expect(a.count == b.count, "\(what): \(a.count) against \(b.count) values")
        let scale = max(b.map(abs).max() ?? 0, 1)
        let worst = zip(a, b).map { abs($0 - $1) }.max() ?? 0
        #expect(worst <= 1e-10 * scale, "\(what): differs by \(worst) (scale \(scale))")
    }
}
