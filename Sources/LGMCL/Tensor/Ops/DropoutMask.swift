/// The random stream of one training step: masks are a pure function of (seed, step, site,
/// molecule, element coordinates), never of the rank, batch position or padding (docs/design.md,
/// Randomness). Evaluation passes no stream and dropout is the identity.
public struct RandomStream: Sendable, Equatable {
    public var seed: UInt64
    public var step: UInt64
    /// Which view of the molecules a pass computes, when two views go through the same layers
    /// (the shared projection heads, the shared text encoder). 0 is the stream itself.
    public var view: UInt32 = 0
    public init(seed: UInt64, step: UInt64) { self.seed = seed; self.step = step }

    /// The stream of another view of the same molecules. Without it the two views of a molecule
    /// would get the same masks in shared layers, and a contrastive loss learns to match
    /// positives by their common mask instead of by their content (as independent draws per
    /// call, PyTorch's, never allow).
    public func forView(_ index: UInt32) -> RandomStream {
        var stream = self
        stream.view = index
        return stream
    }
}

/// Which molecule each row (axis 0) of a tensor belongs to.
/// - `molecules(ids)`: row b *is* molecule ids[b] (pooled vectors (B, d), padded tokens (B, T, d),
///   attention maps (B, H, T, T)); the element coordinates are the remaining indices, which are the
///   same in the padded and the unpadded tensor because padding only appends.
/// - `rows(molecules:positions:)`: row r is item positions[r] of molecule molecules[r] (atoms of
///   a batch (A, d), edges); coordinates are (position, remaining indices).
public struct MoleculeRows: Sendable {
    public let molecules: [Int]
    public let positions: [Int]?

    public static func molecules(_ ids: [Int]) -> MoleculeRows { MoleculeRows(molecules: ids, positions: nil) }

    public static func rows(molecules: [Int], positions: [Int]) -> MoleculeRows {
        precondition(molecules.count == positions.count, "MoleculeRows: \(molecules.count) molecules, \(positions.count) positions")
        return MoleculeRows(molecules: molecules, positions: positions)
    }

    /// Rows grouped per molecule by CSR offsets (atoms of molecule i are offsets[i]..<offsets[i+1]).
    public static func segments(molecules ids: [Int], offsets: [Int]) -> MoleculeRows {
        precondition(offsets.count == ids.count + 1, "MoleculeRows: \(ids.count) molecules need \(ids.count + 1) offsets")
        var molecules: [Int] = [], positions: [Int] = []
        for (i, id) in ids.enumerated() {
            for p in 0..<(offsets[i + 1] - offsets[i]) { molecules.append(id); positions.append(p) }
        }
        return MoleculeRows(molecules: molecules, positions: positions)
    }
}

/// Keep-masks, addressed by what each element is: a pure function of (seed, view, step, site,
/// molecule, the element's coordinates inside the molecule's unpadded tensor).
///
/// The coordinates split into a line (all but the last; the row's `position` first when rows are
/// items of molecules) and an index `j` along the last axis (a rank-1 tensor of items has lines of
/// one element, `j` = position). Philox4x32-10 derives a key per row from (step, site, molecule)
/// and from it a key per line from the line's coordinates; each element's 32-bit word is then a
/// keyed mix of `j` (`word`). Why not Philox per element, as before: ten rounds per four elements,
/// in scalar code, were 8% of the joint `small` step; the mix is a few multiplies and shifts in a
/// loop that vectorises, and Philox runs once per line (a row of an attention map, one token's or
/// atom's features: tens to a few hundred elements).
/// An element is kept when its word ≥ rate · 2³², so P(keep) = 1 − rate to within 2⁻³².
struct DropoutMask {
    let shape: [Int]
    let stream: RandomStream
    let site: UInt32
    let rows: MoleculeRows
    let threshold: UInt32

    init(shape: [Int], rate: Double, stream: RandomStream, site: UInt32, rows: MoleculeRows) {
        precondition(!shape.isEmpty && shape[0] == rows.molecules.count,
                     "dropout: \(rows.molecules.count) molecule rows for a tensor of shape \(shape)")
        let coordinateCount = shape.count - 1 + (rows.positions == nil ? 0 : 1)
        precondition(coordinateCount >= 1 && coordinateCount <= 4, "dropout: tensors of rank \(shape.count) are not supported")
        (self.shape, self.stream, self.site, self.rows) = (shape, stream, site, rows)
        threshold = UInt32(min(rate * 4_294_967_296.0, 4_294_967_295.0))
    }

    /// The word of element `j` of a line: a Weyl step (j + k₀)·φ·2³², then MurmurHash3's 32-bit
    /// finaliser (Appleby) with the line's second key word folded in halfway. Every step is a
    /// bijection of 32-bit words, so the elements of a line get distinct words.
    @inline(__always)
    static func word(_ key: (UInt32, UInt32), _ j: UInt32) -> UInt32 {
        var z = (j &+ key.0) &* 0x9E37_79B9
        z = (z ^ (z &>> 16)) &* 0x85EB_CA6B
        z = (z ^ (z &>> 13) ^ key.1) &* 0xC2B2_AE35
        return z ^ (z &>> 16)
    }

    /// Calls `body(offset, key, count)` for every line, in storage order: elements
    /// offset ..< offset + count of the tensor are j = 0 ..< count of the line with that key.
    @inline(__always)
    func forEachLine(_ body: (Int, (UInt32, UInt32), Int) -> Void) {
        var root = Philox(seed: stream.seed)
        if stream.view != 0 {
            // A key of its own per view, derived from the seed's generator ("view" tag).
            let key = root.block((stream.view, 0x7669_6577, 0, 0))
            root = Philox(key: (key.0, key.1))
        }
        let rest = Array(shape.dropFirst())
        // Rank 1 (items of molecules): one line per row, its element at j = position.
        let last = rest.last ?? 1
        let lineAxes = Array(rest.dropLast())
        let linesPerRow = lineAxes.reduce(1, *)
        var coordinates: [UInt32] = [0, 0, 0]
        var index = [Int](repeating: 0, count: lineAxes.count)
        for r in 0 ..< shape[0] {
            let molecule = UInt64(bitPattern: Int64(rows.molecules[r]))
            let derived = root.block((UInt32(truncatingIfNeeded: stream.step), site,
                                      UInt32(truncatingIfNeeded: molecule), UInt32(truncatingIfNeeded: molecule >> 32)))
            let row = Philox(key: (derived.0, derived.1))
            let position = rows.positions.map { UInt32($0[r]) }
            let leading = rest.isEmpty || position == nil ? 0 : 1
            if leading == 1 { coordinates[0] = position! }
            for d in index.indices { index[d] = 0 }
            for line in 0 ..< linesPerRow {
                for d in lineAxes.indices { coordinates[leading + d] = UInt32(index[d]) }
                let words = row.block((coordinates[0], coordinates[1], coordinates[2], 0))
                let offset = (r * linesPerRow + line) * last
                if rest.isEmpty {
                    // A one-element line at j = position: `word` takes j only as j + k₀, so the
                    // body's j = 0 with k₀ + position is the same word.
                    body(offset, (words.0 &+ position!, words.1), 1)
                } else {
                    body(offset, (words.0, words.1), last)
                }
                var d = lineAxes.count - 1
                while d >= 0 {
                    index[d] += 1
                    if index[d] < lineAxes[d] { break }
                    index[d] = 0
                    d -= 1
                }
            }
        }
    }
}

/// Inverted dropout: y = x ⊙ m / (1 − rate), m the keep-mask of `DropoutMask` (see `RandomStream`,
/// `MoleculeRows`). `stream == nil` (evaluation) or rate 0 returns x unchanged.
/// Backward: dx = g ⊙ m / (1 − rate), with the mask drawn again rather than saved (why: the
/// attention maps' masks were 52 MB each at batch 128, kept from forward to backward; drawing
/// them costs less than that memory traffic). Dropped elements are x · 0, so NaN and ∞ still
/// propagate, as with PyTorch's product.
@_specialize(where S == Float)
@_specialize(where S == Double)
public func dropout<S>(_ x: Tensor<S>, rate: S, stream: RandomStream?, site: UInt32, rows: MoleculeRows) -> Tensor<S> {
    precondition(rate >= 0 && rate < 1, "dropout rate \(rate) outside [0, 1)")
    guard let stream, rate > 0, x.count > 0 else { return x }
    let mask = DropoutMask(shape: x.shape, rate: Double(rate), stream: stream, site: site, rows: rows)
    let scale = 1 / (1 - rate), threshold = mask.threshold
    let out = TensorStorage<S>(uninitializedCount: x.count)
    let px = x.storage.base, py = out.base
    mask.forEachLine { offset, key, count in
        let xs = px + offset, ys = py + offset
        for j in 0 ..< count {
            ys[j] = xs[j] * (DropoutMask.word(key, UInt32(truncatingIfNeeded: j)) >= threshold ? scale : 0)
        }
    }
    return Tensor.result(shape: x.shape, storage: out, inputs: [x]) { grad, sink in
        guard let dx = sink[0]?.baseAddress else { return }
        let g = grad.baseAddress!
        mask.forEachLine { offset, key, count in
            let gs = g + offset, dxs = dx + offset
            for j in 0 ..< count {
                dxs[j] += gs[j] * (DropoutMask.word(key, UInt32(truncatingIfNeeded: j)) >= threshold ? scale : 0)
            }
        }
    }
}
