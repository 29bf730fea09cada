/// Reductions along one axis, the tensor seen as (outer, n, inner):
///   sum:  y[o, i] = Σ_j x[o, j, i]          dx[o, j, i] += dy[o, i]
///   max:  y[o, i] = x[o, j*, i]             dx[o, j*, i] += dy[o, i]   (j* = first argmax)
extension Tensor {
    func axisView(_ axis: Int) -> (outer: Int, n: Int, inner: Int) {
        let a = self.axis(axis)
        return (shape[..<a].reduce(1, *), shape[a], shape[(a + 1)...].reduce(1, *))
    }

    func reducedShape(_ axis: Int, keepDims: Bool) -> [Int] {
        var s = shape
        if keepDims { s[self.axis(axis)] = 1 } else { s.remove(at: self.axis(axis)) }
        return s
    }

    @_specialize(where Scalar == Float)
    @_specialize(where Scalar == Double)
    public func sum(axis: Int, keepDims: Bool = false) -> Tensor {
        let (outer, n, inner) = axisView(axis)
        let out = TensorStorage<Scalar>(zeros: outer * inner)
        let x = storage.base, y = out.base
        for o in 0..<outer {
            for j in 0..<n {
                let row = x + (o * n + j) * inner, dst = y + o * inner
                for i in 0..<inner { dst[i] += row[i] }
            }
        }
        return Tensor.result(shape: reducedShape(axis, keepDims: keepDims), storage: out, inputs: [self]) { grad, sink in
            guard let dx = sink[0]?.baseAddress else { return }
            let g = grad.baseAddress!
            for o in 0..<outer {
                for j in 0..<n {
                    let row = dx + (o * n + j) * inner, src = g + o * inner
                    for i in 0..<inner { row[i] += src[i] }
                }
            }
        }
    }

    /// Sum over several axes (in any order).
    @_specialize(where Scalar == Float)
    @_specialize(where Scalar == Double)
    public func sum(axes: [Int], keepDims: Bool = false) -> Tensor {
        var result = self
        for a in axes.map({ self.axis($0) }).sorted(by: >) { result = result.sum(axis: a, keepDims: keepDims) }
        return result
    }

    /// Sum of all elements, as a 0-d tensor.
    @_specialize(where Scalar == Float)
    @_specialize(where Scalar == Double)
    public func sum() -> Tensor { reshaped([count]).sum(axis: 0) }

    @_specialize(where Scalar == Float)
    @_specialize(where Scalar == Double)
    public func mean(axis: Int, keepDims: Bool = false) -> Tensor {
        sum(axis: axis, keepDims: keepDims) / Scalar(shape[self.axis(axis)])
    }

    @_specialize(where Scalar == Float)
    @_specialize(where Scalar == Double)
    public func mean() -> Tensor { sum() / Scalar(count) }

    @_specialize(where Scalar == Float)
    @_specialize(where Scalar == Double)
    public func max(axis: Int, keepDims: Bool = false) -> Tensor {
        let (outer, n, inner) = axisView(axis)
        precondition(n > 0, "max over an empty axis of shape \(shape)")
        let out = TensorStorage<Scalar>(uninitializedCount: outer * inner)
        var argmax = [Int32](repeating: 0, count: outer * inner)
        let x = storage.base, y = out.base
        for o in 0..<outer {
            for i in 0..<inner {
                var best = x[o * n * inner + i], at: Int32 = 0
                for j in 1..<Swift.max(n, 1) where x[(o * n + j) * inner + i] > best {
                    best = x[(o * n + j) * inner + i]
                    at = Int32(j)
                }
                y[o * inner + i] = best
                argmax[o * inner + i] = at
            }
        }
        return Tensor.result(shape: reducedShape(axis, keepDims: keepDims), storage: out, inputs: [self]) { grad, sink in
            guard let dx = sink[0]?.baseAddress else { return }
            let g = grad.baseAddress!
            for o in 0..<outer {
                for i in 0..<inner { dx[(o * n + Int(argmax[o * inner + i])) * inner + i] += g[o * inner + i] }
            }
        }
    }
}
