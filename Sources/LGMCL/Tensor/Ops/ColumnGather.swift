/// Gathers, from each row of the last two axes, the columns an index matrix names:
///   x (…, R, C), index (R × J, values in 0..<C) → y (…, R, J),  y[…, r, j] = x[…, r, index[r·J + j]]
///   dx[…, r, index[r·J + j]] += dy[…, r, j]
/// The relative-position terms of disentangled attention read score[i, δ(i, j)] out of a
/// (queries × buckets) product this way; the index is shared by every leading (batch, head) entry.
extension Tensor {
    public func gatheredColumns(_ index: [Int]) -> Tensor {
        precondition(rank >= 2, "gatheredColumns on shape \(shape)")
        let rows = shape[rank - 2], columns = shape[rank - 1]
        precondition(rows > 0 ? index.count % rows == 0 : index.isEmpty,
                     "gatheredColumns: \(index.count) indices for \(rows) rows")
        let picked = rows > 0 ? index.count / rows : 0
        precondition(index.allSatisfy { $0 >= 0 && $0 < columns }, "gatheredColumns: index out of range 0..<\(columns)")
        let batch = count / Swift.max(rows * columns, 1)
        let outShape = Array(shape.dropLast()) + [picked]
        let out = TensorStorage<Scalar>(uninitializedCount: batch * rows * picked)
        let x = storage.base, y = out.base
        for b in 0..<batch {
            for r in 0..<rows {
                let src = x + (b * rows + r) * columns, dst = y + (b * rows + r) * picked
                for j in 0..<picked { dst[j] = src[index[r * picked + j]] }
            }
        }
        return Tensor.result(shape: outShape, storage: out, inputs: [self]) { grad, sink in
            guard let dx = sink[0]?.baseAddress else { return }
            let g = grad.baseAddress!
            for b in 0..<batch {
                for r in 0..<rows {
                    let dst = dx + (b * rows + r) * columns, src = g + (b * rows + r) * picked
                    for j in 0..<picked { dst[index[r * picked + j]] += src[j] }
                }
            }
        }
    }
}
