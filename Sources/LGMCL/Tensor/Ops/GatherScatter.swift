/// Row gather and scatter-add along axis 0, each the other's adjoint:
///   gather:     y[i, :] = x[index[i], :]        dx[index[i], :] += dy[i, :]
///   scatterAdd: y[index[i], :] += x[i, :]       dx[i, :] += dy[index[i], :]
/// These move node and edge states in message passing (x_j for every edge, messages summed into
/// their target atom) and look up embeddings.
extension Tensor {
    @_specialize(where Scalar == Float)
    @_specialize(where Scalar == Double)
    public func gathered(rows index: [Int]) -> Tensor {
        precondition(rank >= 1, "gathered(rows:) on a scalar")
        let n = shape[0], width = count / Swift.max(n, 1)
        var outShape = shape
        outShape[0] = index.count
        let out = TensorStorage<Scalar>(uninitializedCount: index.count * width)
        let x = storage.base, y = out.base
        for (i, r) in index.enumerated() {
            precondition(r >= 0 && r < n, "gathered(rows:): index \(r) at position \(i) out of range 0..<\(n)")
            (y + i * width).update(from: x + r * width, count: width)
        }
        return Tensor.result(shape: outShape, storage: out, inputs: [self]) { grad, sink in
            guard let dx = sink[0]?.baseAddress else { return }
            let g = grad.baseAddress!
            for (i, r) in index.enumerated() {
                let dst = dx + r * width, src = g + i * width
                for c in 0..<width { dst[c] += src[c] }
            }
        }
    }

    /// Sums row i into row `index[i]` of a zero tensor with `rows` rows.
    @_specialize(where Scalar == Float)
    @_specialize(where Scalar == Double)
    public func scatterAdded(rows index: [Int], count rows: Int) -> Tensor {
        precondition(rank >= 1 && shape[0] == index.count,
                     "scatterAdded: \(index.count) indices for \(shape.first ?? 0) rows")
        let width = shape[0] == 0 ? shape.dropFirst().reduce(1, *) : count / shape[0]
        var outShape = shape
        outShape[0] = rows
        let out = TensorStorage<Scalar>(zeros: rows * width)
        let x = storage.base, y = out.base
        for (i, r) in index.enumerated() {
            precondition(r >= 0 && r < rows, "scatterAdded: index \(r) at position \(i) out of range 0..<\(rows)")
            let dst = y + r * width, src = x + i * width
            for c in 0..<width { dst[c] += src[c] }
        }
        return Tensor.result(shape: outShape, storage: out, inputs: [self]) { grad, sink in
            guard let dx = sink[0]?.baseAddress else { return }
            let g = grad.baseAddress!
            for (i, r) in index.enumerated() {
                let dst = dx + i * width, src = g + r * width
                for c in 0..<width { dst[c] += src[c] }
            }
        }
    }
}
