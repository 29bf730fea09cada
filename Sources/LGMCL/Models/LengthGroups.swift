/// The rows of a token batch split into groups of similar length, each group padded only to its
/// own longest sequence, so the text encoder runs once per group.
///
/// Why: a batch padded to its longest sequence spends the projections and the feed-forward on
/// every padded position and the attention on every padded pair. In MOSES batches of 64 that is
/// 21% of the SMILES work and 13% of the descriptions' (docs/benchmarks-pretrain.md). Padded
/// positions never reach real ones (masked keys, zeros into the convolution) and dropout is keyed
/// by molecule and unpadded coordinates, so the groups compute what the padded batch computes;
/// only float rounding differs.
///
/// The split minimises a cost model over contiguous runs of the rows sorted by length (dynamic
/// programming, exact for that model): a group of n rows padded to L costs
///   n · (L · perToken + L² · perPair) + perGroup
/// in multiply-adds per layer — the projections and feed-forward per position, the attention per
/// pair of positions (its products plus the elementwise passes over the scores, which run at a
/// fraction of gemm's rate), and for every group the relative table's projections and the fixed
/// cost of running the layers once more on smaller matrices.
struct LengthGroups: Equatable {
    struct Group: Equatable {
        /// Rows of the batch, in the batch's order.
        var rows: [Int]
        /// The padded length: the longest sequence of the group.
        var length: Int
    }

    let groups: [Group]

    /// `lengths[r]`: how many leading positions row r needs (its last real token plus one, at
    /// least 1).
    init(lengths: [Int], perToken: Double, perPair: Double, perGroup: Double) {
        let order = lengths.indices.sorted { (lengths[$0], $0) < (lengths[$1], $1) }
        let n = order.count
        // best[j]: the cheapest split of the j shortest rows; start[j]: where its last group begins.
        var best = [Double](repeating: .infinity, count: n + 1), start = [Int](repeating: 0, count: n + 1)
        best[0] = 0
        for j in stride(from: 1, through: n, by: 1) {
            let l = Double(lengths[order[j - 1]])
            let perRow = l * perToken + l * l * perPair
            for i in 0 ..< j {
                let cost = best[i] + Double(j - i) * perRow + perGroup
                if cost < best[j] { best[j] = cost; start[j] = i }
            }
        }
        var groups: [Group] = []
        var j = n
        while j > 0 {
            let i = start[j]
            groups.append(Group(rows: order[i ..< j].sorted(), length: lengths[order[j - 1]]))
            j = i
        }
        self.groups = groups.reversed()
    }

    /// The text encoder's cost model for `configuration` (see the type's comment).
    init(lengths: [Int], _ configuration: TextEncoderConfiguration) {
        self.init(lengths: lengths, perToken: configuration.costPerPosition, perPair: configuration.costPerPair,
                  perGroup: configuration.costPerGroup)
    }

    /// For each row of the batch, where it lands when the groups' rows are stacked in order.
    var stackedPosition: [Int] {
        var position = [Int](repeating: 0, count: groups.reduce(0) { $0 + $1.rows.count })
        var next = 0
        for group in groups {
            for row in group.rows { position[row] = next; next += 1 }
        }
        return position
    }
}

extension TokenInput {
    /// How many leading positions each row needs: its last unmasked position plus one, at least 1
    /// (a row with no token keeps one masked position, as in the padded batch).
    var neededLengths: [Int] {
        (0 ..< rows).map { r in
            let row = mask[(r * length) ..< ((r + 1) * length)]
            return (row.lastIndex { $0 != 0 }).map { $0 - r * length + 1 } ?? 1
        }
    }

    /// The given rows, cut to their first `length` positions.
    func selecting(rows selected: [Int], length newLength: Int) -> TokenInput {
        precondition(newLength <= length, "TokenInput: \(newLength) positions of \(length)")
        var ids: [Int32] = [], mask: [Float] = []
        ids.reserveCapacity(selected.count * newLength)
        mask.reserveCapacity(selected.count * newLength)
        for r in selected {
            ids.append(contentsOf: self.ids[(r * length) ..< (r * length + newLength)])
            mask.append(contentsOf: self.mask[(r * length) ..< (r * length + newLength)])
        }
        return TokenInput(ids: ids, mask: mask, rows: selected.count, length: newLength,
                          moleculeIndices: selected.map { moleculeIndices[$0] })
    }
}

extension TextEncoderConfiguration {
    /// The cost model of one layer, in multiply-adds: per position (the four projections and
    /// the feed-forward), per pair of positions, and per batch run through the layer.
    var costPerPosition: Double { 4 * Double(hidden * hidden) + 2 * Double(hidden * feedForward) }

    /// The attention's two products, and its elementwise passes over each head's score
    /// (disentangled scores, mask, softmax, dropout, forward and backward), which cost about as
    /// much as 32 multiply-adds of gemm.
    var costPerPair: Double { 2 * Double(hidden) + 32 * Double(heads) }

    /// The relative table's two projections, and a fixed cost worth 2 positions (the joint
    /// `small` step measured 32, 8 and 2 within 2% of each other, the smallest fastest).
    var costPerGroup: Double { 2 * Double(2 * positionBuckets * hidden * hidden) + 2 * costPerPosition }
}
