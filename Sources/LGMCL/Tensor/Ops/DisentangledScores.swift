/// The attention scores of disentangled attention (DeBERTa, He et al. 2021, arXiv 2006.03654),
/// from its three terms, molecules first:
///   contentToContent C (h, M, L, L), contentToPosition P (h, M, L, W), positionToContent Q (h, M, L, W),
///   index δ (L × L, values in 0..<W) → S (M, h, L, L)
///   S[m, h, i, j] = scale · (C[h, m, i, j] + P[h, m, i, δ(i, j)] + Q[h, m, j, δ(i, j)])
/// Backward, with G = scale · dS[m, h, i, j]:
///   dC[h, m, i, j] += G,   dP[h, m, i, δ(i, j)] += G,   dQ[h, m, j, δ(i, j)] += G
/// One kernel rather than two column gathers, a transpose, two adds, a scale and a permute: why —
/// each of those was a pass over h·M·L·L scores (13 M at batch 128 and L = 160) forward and
/// another backward, and the transpose read with a stride of L. Here each score is read and
/// written once: the joint `small` step took 6% less CPU time (docs/benchmarks-pretrain.md).
/// δ(i, j) repeats within a row (log buckets), so the scatters of backward accumulate.
extension Tensor {
    @_specialize(where Scalar == Float)
    @_specialize(where Scalar == Double)
    static func disentangledScores(contentToContent c: Tensor, contentToPosition p: Tensor, positionToContent q: Tensor,
                                   index: [Int], scale: Scalar) -> Tensor {
        precondition(c.rank == 4 && c.shape[2] == c.shape[3], "disentangledScores: content scores of shape \(c.shape)")
        let (h, m, l) = (c.shape[0], c.shape[1], c.shape[2])
        let w = p.shape.last ?? 0
        precondition(p.shape == [h, m, l, w] && q.shape == [h, m, l, w],
                     "disentangledScores: position terms of shapes \(p.shape), \(q.shape) for content \(c.shape)")
        precondition(index.count == l * l && index.allSatisfy { $0 >= 0 && $0 < w },
                     "disentangledScores: \(index.count) indices into \(w) columns for L = \(l)")
        // Offsets within one (h, m) slab of P and Q: P's row i, Q's row j, column δ(i, j).
        let toP = (0 ..< l * l).map { Int32((($0 / l) * w) + index[$0]) }
        let toQ = (0 ..< l * l).map { Int32((($0 % l) * w) + index[$0]) }
        let out = TensorStorage<Scalar>(uninitializedCount: m * h * l * l)
        let pc = c.storage.base, pp = p.storage.base, pq = q.storage.base, po = out.base
        toP.withUnsafeBufferPointer { toP in toQ.withUnsafeBufferPointer { toQ in
            for mi in 0 ..< m {
                for hi in 0 ..< h {
                    let slab = hi * m + mi   // (h, m) of the inputs
                    let cs = pc + slab * l * l, ps = pp + slab * l * w, qs = pq + slab * l * w
                    let os = po + (mi * h + hi) * l * l
                    for e in 0 ..< l * l {
                        os[e] = scale * (cs[e] + ps[Int(toP[e])] + qs[Int(toQ[e])])
                    }
                }
            }
        } }
        return result(shape: [m, h, l, l], storage: out, inputs: [c, p, q]) { grad, sink in
            let g = grad.baseAddress!
            let dc = sink[0]?.baseAddress, dp = sink[1]?.baseAddress, dq = sink[2]?.baseAddress
            // Q's offsets with j outer: its scatter walks down the columns of the scores.
            let toQByColumn = (0 ..< l * l).map { toQ[($0 % l) * l + $0 / l] }
            toP.withUnsafeBufferPointer { toP in toQByColumn.withUnsafeBufferPointer { toQByColumn in
                for mi in 0 ..< m {
                    for hi in 0 ..< h {
                        let slab = hi * m + mi
                        let gs = g + (mi * h + hi) * l * l
                        if let dc {
                            let ds = dc + slab * l * l
                            for e in 0 ..< l * l { ds[e] += scale * gs[e] }
                        }
                        // δ(i, j) runs in blocks of equal columns along a row (and, for Q, down a
                        // column): each block is summed in a register, in the order the element-wise
                        // scatter added it, so the result is the same to the bit with one load and
                        // one store per block instead of per score.
                        if let dp {
                            let ds = dp + slab * l * w
                            for i in 0 ..< l {
                                var e = i * l
                                let end = e + l
                                while e < end {
                                    let target = Int(toP[e])
                                    var sum = ds[target]
                                    repeat { sum += scale * gs[e]; e += 1 } while e < end && Int(toP[e]) == target
                                    ds[target] = sum
                                }
                            }
                        }
                        if let dq {
                            let ds = dq + slab * l * w
                            for j in 0 ..< l {
                                var i = 0
                                while i < l {
                                    let target = Int(toQByColumn[j * l + i])
                                    var sum = ds[target]
                                    repeat { sum += scale * gs[i * l + j]; i += 1 } while i < l && Int(toQByColumn[j * l + i]) == target
                                    ds[target] = sum
                                }
                            }
                        }
                    }
                }
            } }
        }
    }
}
