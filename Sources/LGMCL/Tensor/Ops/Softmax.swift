/// Softmax and log-softmax over the last axis of x + mask, where `mask` is an additive constant
/// that broadcasts to x (0 to keep, −∞ to drop; learnable biases are added with `+` before).
/// A row whose entries are all −∞ (a fully masked query, a padding row) gives zeros and passes
/// no gradient, instead of NaN.
///   y = softmax(z):      dz = y ⊙ (dy − Σ y⊙dy)
///   y = log_softmax(z):  dz = dy − softmax(z)·Σ dy
/// One kernel each rather than exp/sum/div: why — attention probabilities are the largest
/// activations of a transformer (batch × heads × T × T); composing would save several of them
/// and lose the max shift that keeps exp from overflowing.
extension Tensor {
    /// x + mask as a plain buffer (the mask takes no gradient).
    private func maskedInput(_ mask: Tensor?) -> TensorStorage<Scalar> {
        guard let mask else { return storage }
        let plan = Broadcast(shape, mask.shape)
        precondition(plan.shape == (rank == 0 ? [1] : shape), "mask of shape \(mask.shape) does not broadcast to \(shape)")
        let out = TensorStorage<Scalar>(uninitializedCount: count)
        let pa = storage.base, pb = mask.storage.base, po = out.base
        plan.forEachRow { o, ia, ib, n, sa, sb in stridedLoop(n, pa + ia, sa, pb + ib, sb, po + o) { $0 + $1 } }
        return out
    }

    @_specialize(where Scalar == Float)
    @_specialize(where Scalar == Double)
    public func softmax(axis: Int = -1, mask: Tensor? = nil) -> Tensor {
        precondition(self.axis(axis) == rank - 1, "softmax is implemented over the last axis; permute first")
        let z = maskedInput(mask)
        let n = shape.last ?? 1, rows = count / Swift.max(n, 1)
        let out = TensorStorage<Scalar>(uninitializedCount: count)
        for r in 0..<rows { Self.softmaxRow(z.base + r * n, out.base + r * n, n) }
        return Tensor.result(shape: shape, storage: out, inputs: [self]) { grad, sink in
            guard let dx = sink[0]?.baseAddress else { return }
            for r in 0..<rows {
                let y = out.base + r * n, g = grad.baseAddress! + r * n, d = dx + r * n
                let dot = rowReduce(n, 0, { y[$0] * g[$0] }, +)
                for i in 0..<n { d[i] += y[i] * (g[i] - dot) }
            }
        }
    }

    /// y = softmax(x) over n values; zeros when every x is −∞.
    @inline(__always)
    static func softmaxRow(_ x: UnsafeMutablePointer<Scalar>, _ y: UnsafeMutablePointer<Scalar>, _ n: Int) {
        let m = rowReduce(n, -Scalar.infinity, { x[$0] }, { $1 > $0 ? $1 : $0 })
        if m == -Scalar.infinity { y.update(repeating: 0, count: n); return }
        for i in 0..<n { y[i] = Scalar.exp(x[i] - m) }
        let inv = 1 / rowReduce(n, 0, { y[$0] }, +)
        for i in 0..<n { y[i] *= inv }
    }

    @_specialize(where Scalar == Float)
    @_specialize(where Scalar == Double)
    public func logSoftmax(axis: Int = -1, mask: Tensor? = nil) -> Tensor {
        precondition(self.axis(axis) == rank - 1, "logSoftmax is implemented over the last axis; permute first")
        let z = maskedInput(mask)
        let n = shape.last ?? 1, rows = count / Swift.max(n, 1)
        let out = TensorStorage<Scalar>(uninitializedCount: count)
        for r in 0..<rows {
            let x = z.base + r * n, y = out.base + r * n
            var m = -Scalar.infinity
            for i in 0..<n { m = Swift.max(m, x[i]) }
            if m == -Scalar.infinity { y.update(repeating: -Scalar.infinity, count: n); continue }
            var total: Scalar = 0
            for i in 0..<n { total += Scalar.exp(x[i] - m) }
            let logTotal = m + Scalar.log(total)
            for i in 0..<n { y[i] = x[i] - logTotal }
        }
        return Tensor.result(shape: shape, storage: out, inputs: [self]) { grad, sink in
            guard let dx = sink[0]?.baseAddress else { return }
            for r in 0..<rows {
                let y = out.base + r * n, g = grad.baseAddress! + r * n, d = dx + r * n
                if n > 0 && y[0] == -Scalar.infinity && (0..<n).allSatisfy({ y[$0] == -Scalar.infinity }) { continue }
                var total: Scalar = 0
                for i in 0..<n where y[i] != -Scalar.infinity { total += g[i] }
                for i in 0..<n where y[i] != -Scalar.infinity { d[i] += g[i] - Scalar.exp(y[i]) * total }
            }
        }
    }
}
