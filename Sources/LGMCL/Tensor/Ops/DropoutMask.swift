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

/// Keep-masks from Philox. Per row, a key is derived from (seed; step, site, molecule); each
/// element then draws from Philox(key; coordinates), the last coordinate split as (c / 4, c % 4)
/// to use all four output words of a block. Up to four coordinates per element.
enum DropoutMask {
    @_specialize(where S == Float)
    @_specialize(where S == Double)
    static func scaledMask<S: TensorScalar>(shape: [Int], rate: S, stream: RandomStream, site: UInt32, rows: MoleculeRows) -> TensorStorage<S> {
        precondition(!shape.isEmpty && shape[0] == rows.molecules.count,
                     "dropout: \(rows.molecules.count) molecule rows for a tensor of shape \(shape)")
        let rest = Array(shape.dropFirst())
        let coordinateCount = rest.count + (rows.positions == nil ? 0 : 1)
        precondition(coordinateCount >= 1 && coordinateCount <= 4, "dropout: tensors of rank \(shape.count) are not supported")
        let width = rest.reduce(1, *)
        let last = rest.last ?? 1
        let keep = 1 / (1 - rate)
        let threshold = UInt32(min(Double(rate) * 4_294_967_296.0, 4_294_967_295.0))
        var root = Philox(seed: stream.seed)
        if stream.view != 0 {
            // A key of its own per view, derived from the seed's generator ("view" tag).
            let key = root.block((stream.view, 0x7669_6577, 0, 0))
            root = Philox(key: (key.0, key.1))
        }
        let out = TensorStorage<S>(uninitializedCount: shape.reduce(1, *))
        var coords = [UInt32](repeating: 0, count: 4)
        for r in 0..<shape[0] {
            let molecule = UInt64(bitPattern: Int64(rows.molecules[r]))
            let derived = root.block((UInt32(truncatingIfNeeded: stream.step), site,
                                      UInt32(truncatingIfNeeded: molecule), UInt32(truncatingIfNeeded: molecule >> 32)))
            let philox = Philox(key: (derived.0, derived.1))
            let row = out.base + r * width
            var leading = 0
            if let positions = rows.positions { coords[0] = UInt32(positions[r]); leading = 1 }
            // Walk the remaining coordinates in row-major order.
            var index = [Int](repeating: 0, count: rest.count)
            var e = 0
            while e < width {
                for d in 0..<(rest.count - 1).clamped(min: 0) { coords[leading + d] = UInt32(index[d]) }
                let lastSlot = leading + rest.count - 1
                var c = 0
                while c < last {
                    if rest.isEmpty { coords[0] = UInt32(rows.positions![r]) } else { coords[lastSlot] = UInt32(c / 4) }
                    let words = philox.block((coords[0], coords[1], coords[2], coords[3]))
                    let n = min(4, last - c), o = row + e + c
                    o[0] = words.0 >= threshold ? keep : 0
                    if n > 1 { o[1] = words.1 >= threshold ? keep : 0 }
                    if n > 2 { o[2] = words.2 >= threshold ? keep : 0 }
                    if n > 3 { o[3] = words.3 >= threshold ? keep : 0 }
                    c += 4
                }
                e += last
                var d = rest.count - 2
                while d >= 0 {
                    index[d] += 1
                    if index[d] < rest[d] { break }
                    index[d] = 0
                    d -= 1
                }
            }
        }
        return out
    }
}

private extension Int {
    func clamped(min low: Int) -> Int { Swift.max(self, low) }
}

/// Inverted dropout: y = x ⊙ mask / (1 − rate), the mask keyed per element (see `RandomStream`,
/// `MoleculeRows`). `stream == nil` (evaluation) or rate 0 returns x unchanged.
@_specialize(where S == Float)
@_specialize(where S == Double)
public func dropout<S>(_ x: Tensor<S>, rate: S, stream: RandomStream?, site: UInt32, rows: MoleculeRows) -> Tensor<S> {
    precondition(rate >= 0 && rate < 1, "dropout rate \(rate) outside [0, 1)")
    guard let stream, rate > 0, x.count > 0 else { return x }
    let mask = DropoutMask.scaledMask(shape: x.shape, rate: rate, stream: stream, site: site, rows: rows)
    return x * Tensor(shape: x.shape, storage: mask)
}
