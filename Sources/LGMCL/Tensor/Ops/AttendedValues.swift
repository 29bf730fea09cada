/// The attention's weighted values, one (molecule, head) block at a time:
///   scores S (M, h, L, L), an additive key mask (M, 1, 1, L) or none, values V (M, L, h·d_h)
///   P = softmax(S + mask) over keys,  D = P ⊙ keep / (1 − rate)  (dropout's masks, `DropoutMask`)
///   O[m, :, head] = D[m, head] · V[m, :, head]        → O (M, L, h·d_h), heads merged
/// Backward per block, P kept from forward and D drawn again:
///   dV += Dᵀ·dO,  dD = dO·Vᵀ,  dP = dD ⊙ keep / (1 − rate),  dS += P ⊙ (dP − Σⱼ P⊙dP)
/// The same operations, in the same order, as softmax(mask:), dropout and blockMatmul apart, so
/// the same bits. Why one op: apart, D is a second tensor of the maps' size kept from forward to
/// backward (52 MB per layer at batch 128), and each product reads its map back from memory —
/// 46–52 GFLOP/s where the same block in cache runs at 85–112 (docs/benchmarks-pretrain.md).
/// Here D exists one block at a time, in cache, forward and backward.
extension Tensor {
    @_specialize(where Scalar == Float)
    @_specialize(where Scalar == Double)
    static func attendedValues(scores: Tensor, mask: Tensor?, values: Tensor, heads h: Int,
                               dropout rate: Scalar, stream: RandomStream?, site: UInt32, rows: MoleculeRows) -> Tensor {
        precondition(scores.rank == 4 && scores.shape[1] == h && scores.shape[2] == scores.shape[3],
                     "attendedValues: scores of shape \(scores.shape) for \(h) heads")
        let (m, l) = (scores.shape[0], scores.shape[2])
        precondition(values.shape.count == 3 && values.shape[0] == m && values.shape[1] == l && values.shape[2] % h == 0,
                     "attendedValues: values of shape \(values.shape) for scores \(scores.shape)")
        precondition(mask.map { $0.shape == [m, 1, 1, l] } ?? true, "attendedValues: a key mask of shape \(mask!.shape)")
        precondition(rate >= 0 && rate < 1, "dropout rate \(rate) outside [0, 1)")
        let d = values.shape[2], dh = d / h, block = l * l
        // One key per line (m, head, i) of the maps, in storage order, when dropout is on.
        var keys: [(UInt32, UInt32)] = []
        var threshold: UInt32 = 0
        if let stream, rate > 0, scores.count > 0 {
            let drop = DropoutMask(shape: scores.shape, rate: Double(rate), stream: stream, site: site, rows: rows)
            threshold = drop.threshold
            keys.reserveCapacity(m * h * l)
            drop.forEachLine { _, key, _ in keys.append(key) }
        }
        let dropping = !keys.isEmpty, scale = 1 / (1 - rate)
        let probabilities = TensorStorage<Scalar>(uninitializedCount: scores.count)
        let out = TensorStorage<Scalar>(uninitializedCount: m * l * d)
        let dropped = UnsafeMutablePointer<Scalar>.allocate(capacity: Swift.max(block, 1))
        let row = UnsafeMutablePointer<Scalar>.allocate(capacity: Swift.max(l, 1))
        defer { dropped.deallocate(); row.deallocate() }
        let ps = scores.storage.base, pm = mask?.storage.base, pv = values.storage.base

        /// Row i of block (molecule, head) times its keep-mask / (1 − rate), from `x` into `y` (may be `x`).
        func applyDropout(_ molecule: Int, _ head: Int, _ i: Int, _ x: UnsafeMutablePointer<Scalar>, into y: UnsafeMutablePointer<Scalar>) {
            let key = keys[(molecule * h + head) * l + i]
            for j in 0 ..< l { y[j] = x[j] * (DropoutMask.word(key, UInt32(truncatingIfNeeded: j)) >= threshold ? scale : 0) }
        }
        /// D of block (molecule, head) into `destination`, from P.
        func drawDropped(_ molecule: Int, _ head: Int, from p: UnsafeMutablePointer<Scalar>,
                         into destination: UnsafeMutablePointer<Scalar>) {
            for i in 0 ..< l { applyDropout(molecule, head, i, p + i * l, into: destination + i * l) }
        }

        for molecule in 0 ..< m {
            for head in 0 ..< h {
                let b = (molecule * h + head) * block
                let p = probabilities.base + b
                for i in 0 ..< l {
                    let s = ps + b + i * l
                    if let pm { for j in 0 ..< l { row[j] = s[j] + pm[molecule * l + j] } } else { row.update(from: s, count: l) }
                    Tensor.softmaxRow(row, p + i * l, l)
                }
                if dropping { drawDropped(molecule, head, from: p, into: dropped) }
                guard l > 0 && dh > 0 else { continue }
                profiledGemm(Scalar.self, transposeA: false, transposeB: false, m: l, n: dh, k: l, alpha: 1,
                             a: dropping ? dropped : p, lda: l, b: pv + molecule * l * d + head * dh, ldb: d,
                             beta: 0, c: out.base + molecule * l * d + head * dh, ldc: d)
            }
        }
        let valuesStorage = values.storage
        return result(shape: [m, l, d], storage: out, inputs: [scores, values]) { grad, sink in
            guard l > 0 && dh > 0 else { return }
            let g = grad.baseAddress!, ds = sink[0]?.baseAddress, dv = sink[1]?.baseAddress
            let dropped = UnsafeMutablePointer<Scalar>.allocate(capacity: block)
            let dD = UnsafeMutablePointer<Scalar>.allocate(capacity: block)
            defer { dropped.deallocate(); dD.deallocate() }
            let pv = valuesStorage.base
            for molecule in 0 ..< m {
                for head in 0 ..< h {
                    let b = (molecule * h + head) * block, p = probabilities.base + b
                    let gBlock = g + molecule * l * d + head * dh
                    if dropping { drawDropped(molecule, head, from: p, into: dropped) }
                    if let dv {
                        profiledGemm(Scalar.self, transposeA: true, transposeB: false, m: l, n: dh, k: l, alpha: 1,
                                     a: dropping ? dropped : p, lda: l, b: gBlock, ldb: d,
                                     beta: 1, c: dv + molecule * l * d + head * dh, ldc: d)
                    }
                    guard let ds else { continue }
                    profiledGemm(Scalar.self, transposeA: false, transposeB: true, m: l, n: l, k: dh, alpha: 1,
                                 a: gBlock, lda: d, b: pv + molecule * l * d + head * dh, ldb: d,
                                 beta: 0, c: dD, ldc: l)
                    for i in 0 ..< l {
                        let pr = p + i * l, dp = dD + i * l, out = ds + b + i * l
                        if dropping { applyDropout(molecule, head, i, dp, into: dp) }
                        let dot = rowReduce(l, 0, { pr[$0] * dp[$0] }, +)
                        for j in 0 ..< l { out[j] += pr[j] * (dp[j] - dot) }
                    }
                }
            }
        }
    }
}
