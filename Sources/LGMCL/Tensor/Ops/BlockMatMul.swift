/// Batched matrix products whose operands and result are blocks of larger row-major tensors,
/// read and written in place through gemm's leading dimensions:
///   C_b = scale · A_b · op(B_b)        for every batch entry b
///   dA_b += scale · dC_b · op(B_b)ᵀ,   dB_b += scale · (A_bᵀ · dC_b, or dC_bᵀ · A_b when B is read transposed)
/// Why: multi-head attention splits a (M, L, d) projection into heads of width d_h. Taken as
/// tensors, the heads are a permute to (h, M, L, d_h) — a strided copy forward and a strided
/// scatter-add backward over every query, key and value, and one more to merge the heads after
/// P·V. As blocks (rows L, columns d_h, leading dimension d, starting at m·L·d + h·d_h) gemm reads
/// them where they are, and P·V writes each head's columns straight into the merged (M, L, d).
public struct MatrixBlocks: Equatable, Sendable {
    /// Where batch entry b's block starts in the tensor's storage.
    public var offsets: [Int]
    public var rows: Int
    public var columns: Int
    /// Elements from one row of a block to the next.
    public var leading: Int

    public init(offsets: [Int], rows: Int, columns: Int, leading: Int) {
        precondition(rows >= 0 && columns >= 0 && leading >= Swift.max(columns, 1), "MatrixBlocks: \(rows) × \(columns) with leading dimension \(leading)")
        self.offsets = offsets
        self.rows = rows
        self.columns = columns
        self.leading = leading
    }

    /// The heads of a (molecules, length, h·d_h) tensor: blocks of length × d_h, batch order
    /// head-major (h, M) or molecule-major (M, h).
    public static func heads(molecules: Int, length: Int, heads: Int, width: Int, headMajor: Bool) -> MatrixBlocks {
        let d = heads * width
        var offsets: [Int] = []
        offsets.reserveCapacity(molecules * heads)
        for outer in 0 ..< (headMajor ? heads : molecules) {
            for inner in 0 ..< (headMajor ? molecules : heads) {
                let (h, m) = headMajor ? (outer, inner) : (inner, outer)
                offsets.append(m * length * d + h * width)
            }
        }
        return MatrixBlocks(offsets: offsets, rows: length, columns: width, leading: d)
    }

    /// The column blocks of a (rows, count·width) matrix: one block of rows × width per entry.
    public static func columns(rows: Int, count: Int, width: Int) -> MatrixBlocks {
        MatrixBlocks(offsets: (0 ..< count).map { $0 * width }, rows: rows, columns: width, leading: count * width)
    }

    /// `count` contiguous rows × columns matrices, one after the other.
    public static func contiguous(count: Int, rows: Int, columns: Int) -> MatrixBlocks {
        MatrixBlocks(offsets: (0 ..< count).map { $0 * rows * columns }, rows: rows, columns: columns, leading: columns)
    }

    /// The last element a block reads, plus one: blocks must lie inside their tensor.
    var extent: Int { offsets.max().map { $0 + Swift.max(rows - 1, 0) * leading + columns } ?? 0 }
}

/// C_b = scale · A_b · op(B_b) for the blocks of `a`, `b` and a new tensor of `shape`, whose
/// blocks `out` must cover it exactly once (every element written, none twice).
@_specialize(where S == Float)
@_specialize(where S == Double)
public func blockMatmul<S>(_ a: Tensor<S>, _ aBlocks: MatrixBlocks, _ b: Tensor<S>, _ bBlocks: MatrixBlocks,
                           transposeB: Bool = false, scale: S = 1, shape: [Int], _ out: MatrixBlocks) -> Tensor<S> {
    let batch = aBlocks.offsets.count
    let m = aBlocks.rows, k = aBlocks.columns
    let n = transposeB ? bBlocks.rows : bBlocks.columns
    precondition(bBlocks.offsets.count == batch && out.offsets.count == batch,
                 "blockMatmul: \(batch), \(bBlocks.offsets.count) and \(out.offsets.count) blocks")
    precondition((transposeB ? bBlocks.columns : bBlocks.rows) == k && out.rows == m && out.columns == n,
                 "blockMatmul: (\(m)×\(k)) · (\(bBlocks.rows)×\(bBlocks.columns))\(transposeB ? "ᵀ" : "") into \(out.rows)×\(out.columns)")
    let count = shape.reduce(1, *)
    precondition(aBlocks.extent <= a.count && bBlocks.extent <= b.count && out.extent <= count && batch * m * n == count,
                 "blockMatmul: blocks outside their tensors (\(a.shape), \(b.shape) → \(shape))")
    let storage = TensorStorage<S>(uninitializedCount: count)
    let sa = a.storage, sb = b.storage
    if k == 0 { storage.buffer.update(repeating: 0) }
    if m > 0 && n > 0 && k > 0 {
        for i in 0 ..< batch {
            profiledGemm(S.self, transposeA: false, transposeB: transposeB, m: m, n: n, k: k, alpha: scale,
                         a: sa.base + aBlocks.offsets[i], lda: aBlocks.leading, b: sb.base + bBlocks.offsets[i], ldb: bBlocks.leading,
                         beta: 0, c: storage.base + out.offsets[i], ldc: out.leading)
        }
    }
    return Tensor.result(shape: shape, storage: storage, inputs: [a, b]) { grad, sink in
        guard m > 0, n > 0, k > 0 else { return }
        let g = grad.baseAddress!
        if let da = sink[0]?.baseAddress {
            for i in 0 ..< batch {
                // dA (m×k) += dC (m×n) · op(B)ᵀ
                profiledGemm(S.self, transposeA: false, transposeB: !transposeB, m: m, n: k, k: n, alpha: scale,
                             a: g + out.offsets[i], lda: out.leading, b: sb.base + bBlocks.offsets[i], ldb: bBlocks.leading,
                             beta: 1, c: da + aBlocks.offsets[i], ldc: aBlocks.leading)
            }
        }
        if let db = sink[1]?.baseAddress {
            for i in 0 ..< batch {
                if transposeB {
                    // dB (n×k) += dCᵀ (n×m) · A (m×k)
                    profiledGemm(S.self, transposeA: true, transposeB: false, m: n, n: k, k: m, alpha: scale,
                                 a: g + out.offsets[i], lda: out.leading, b: sa.base + aBlocks.offsets[i], ldb: aBlocks.leading,
                                 beta: 1, c: db + bBlocks.offsets[i], ldc: bBlocks.leading)
                } else {
                    // dB (k×n) += Aᵀ (k×m) · dC (m×n)
                    profiledGemm(S.self, transposeA: true, transposeB: false, m: k, n: n, k: m, alpha: scale,
                                 a: sa.base + aBlocks.offsets[i], lda: aBlocks.leading, b: g + out.offsets[i], ldb: out.leading,
                                 beta: 1, c: db + bBlocks.offsets[i], ldc: bBlocks.leading)
                }
            }
        }
    }
}
