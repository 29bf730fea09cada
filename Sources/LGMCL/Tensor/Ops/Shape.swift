/// Shape changes. `reshaped` shares storage (gradients pass through unchanged); the others copy
/// into a contiguous result, and their backward copies the gradient back into place.
extension Tensor {
    /// The same values in a new shape; one dimension may be -1 (inferred).
    @_specialize(where Scalar == Float)
    @_specialize(where Scalar == Double)
    public func reshaped(_ newShape: [Int]) -> Tensor {
        var resolved = newShape
        if let unknown = newShape.firstIndex(of: -1) {
            let known = newShape.enumerated().filter { $0.offset != unknown }.map(\.element).reduce(1, *)
            precondition(known > 0 && count % known == 0, "cannot reshape \(shape) to \(newShape)")
            resolved[unknown] = count / known
        }
        precondition(resolved.reduce(1, *) == count, "cannot reshape \(shape) (\(count) elements) to \(newShape)")
        return Tensor.result(shape: resolved, storage: storage, inputs: [self]) { grad, sink in
            guard let dx = sink[0] else { return }
            for i in 0..<dx.count { dx[i] += grad[i] }
        }
    }

    /// Reorders the axes: result axis d is input axis `axes[d]`.
    @_specialize(where Scalar == Float)
    @_specialize(where Scalar == Double)
    public func permuted(_ axes: [Int]) -> Tensor {
        let axes = axes.map { axis($0) }
        precondition(axes.sorted() == Array(0..<rank), "permuted(\(axes)) is not a permutation of \(rank) axes")
        let outShape = axes.map { shape[$0] }
        var inStrides = [Int](repeating: 1, count: rank)
        for d in stride(from: rank - 2, through: 0, by: -1) { inStrides[d] = inStrides[d + 1] * shape[d + 1] }
        let gathered = axes.map { inStrides[$0] }
        let out = TensorStorage<Scalar>(uninitializedCount: count)
        stridedCopy(shape: outShape, sourceStrides: gathered, from: storage.base, to: out.base)
        return Tensor.result(shape: outShape, storage: out, inputs: [self]) { grad, sink in
            guard let dx = sink[0]?.baseAddress else { return }
            // Walk the output order again, scattering into the input layout.
            stridedScatterAdd(shape: outShape, targetStrides: gathered, from: grad.baseAddress!, to: dx)
        }
    }

    /// Swaps two axes.
    @_specialize(where Scalar == Float)
    @_specialize(where Scalar == Double)
    public func transposed(_ axis0: Int, _ axis1: Int) -> Tensor {
        var axes = Array(0..<rank)
        axes.swapAt(axis(axis0), axis(axis1))
        return permuted(axes)
    }

    /// Reverses the axes (the matrix transpose for 2-D). Products should pass
    /// `transposeA/transposeB` to `matmul` instead of materialising a transpose.
    @_specialize(where Scalar == Float)
    @_specialize(where Scalar == Double)
    public func transposed() -> Tensor { permuted(Array((0..<rank).reversed())) }

    /// Elements `range` along `axis`.
    @_specialize(where Scalar == Float)
    @_specialize(where Scalar == Double)
    public func sliced(axis: Int, _ range: Range<Int>) -> Tensor {
        let (outer, n, inner) = axisView(axis)
        precondition(range.lowerBound >= 0 && range.upperBound <= n, "slice \(range) out of bounds for axis \(axis) of \(shape)")
        var outShape = shape
        outShape[self.axis(axis)] = range.count
        let width = range.count * inner
        let out = TensorStorage<Scalar>(uninitializedCount: outer * width)
        let x = storage.base, y = out.base, start = range.lowerBound * inner
        for o in 0..<outer { (y + o * width).update(from: x + o * n * inner + start, count: width) }
        return Tensor.result(shape: outShape, storage: out, inputs: [self]) { grad, sink in
            guard let dx = sink[0]?.baseAddress else { return }
            let g = grad.baseAddress!
            for o in 0..<outer {
                let dst = dx + o * n * inner + start, src = g + o * width
                for i in 0..<width { dst[i] += src[i] }
            }
        }
    }

    /// Splits `axis` into consecutive pieces of the given sizes.
    @_specialize(where Scalar == Float)
    @_specialize(where Scalar == Double)
    public func split(sizes: [Int], axis: Int) -> [Tensor] {
        precondition(sizes.reduce(0, +) == shape[self.axis(axis)], "split sizes \(sizes) do not add up to axis \(axis) of \(shape)")
        var start = 0
        return sizes.map { size in
            defer { start += size }
            return sliced(axis: axis, start..<(start + size))
        }
    }
}

/// Joins tensors along an existing axis; the other dimensions must agree.
@_specialize(where S == Float)
@_specialize(where S == Double)
public func concatenated<S>(_ tensors: [Tensor<S>], axis: Int) -> Tensor<S> {
    precondition(!tensors.isEmpty, "concatenated() of no tensors")
    let first = tensors[0]
    let a = first.axis(axis)
    for t in tensors {
        precondition(t.rank == first.rank && t.shape[..<a] == first.shape[..<a] && t.shape[(a + 1)...] == first.shape[(a + 1)...],
                     "concatenated: shapes \(tensors.map(\.shape)) differ outside axis \(axis)")
    }
    let outer = first.shape[..<a].reduce(1, *), inner = first.shape[(a + 1)...].reduce(1, *)
    let widths = tensors.map { $0.shape[a] * inner }
    let total = widths.reduce(0, +)
    var outShape = first.shape
    outShape[a] = tensors.map { $0.shape[a] }.reduce(0, +)
    let out = TensorStorage<S>(uninitializedCount: outer * total)
    var offset = 0
    for (t, w) in zip(tensors, widths) {
        for o in 0..<outer { (out.base + o * total + offset).update(from: t.storage.base + o * w, count: w) }
        offset += w
    }
    return Tensor.result(shape: outShape, storage: out, inputs: tensors) { grad, sink in
        var offset = 0
        for (index, w) in widths.enumerated() {
            defer { offset += w }
            guard let dx = sink[index]?.baseAddress else { continue }
            for o in 0..<outer {
                let src = grad.baseAddress! + o * total + offset, dst = dx + o * w
                for i in 0..<w { dst[i] += src[i] }
            }
        }
    }
}

/// Joins tensors of equal shape along a new axis.
@_specialize(where S == Float)
@_specialize(where S == Double)
public func stacked<S>(_ tensors: [Tensor<S>], axis: Int = 0) -> Tensor<S> {
    precondition(!tensors.isEmpty, "stacked() of no tensors")
    let rank = tensors[0].rank + 1
    let a = axis < 0 ? axis + rank : axis
    return concatenated(tensors.map { t in
        var s = t.shape
        s.insert(1, at: a)
        return t.reshaped(s)
    }, axis: a)
}

/// dst (contiguous, in `shape` order) = src read with per-axis strides.
@_specialize(where S == Float)
@_specialize(where S == Double)
func stridedCopy<S>(shape: [Int], sourceStrides: [Int], from src: UnsafePointer<S>, to dst: UnsafeMutablePointer<S>) {
    let total = shape.reduce(1, *)
    guard total > 0 else { return }
    let rank = shape.count
    if rank == 0 { dst[0] = src[0]; return }
    let n = shape[rank - 1], s = sourceStrides[rank - 1]
    var index = [Int](repeating: 0, count: rank)
    var offset = 0, out = 0
    while out < total {
        for i in 0..<n { dst[out + i] = src[offset + i * s] }
        out += n
        var d = rank - 2
        while d >= 0 {
            index[d] += 1
            offset += sourceStrides[d]
            if index[d] < shape[d] { break }
            offset -= sourceStrides[d] * shape[d]
            index[d] = 0
            d -= 1
        }
    }
}

/// The adjoint of `stridedCopy`: dst[strided] += src (contiguous, in `shape` order).
@_specialize(where S == Float)
@_specialize(where S == Double)
func stridedScatterAdd<S: TensorScalar>(shape: [Int], targetStrides: [Int], from src: UnsafePointer<S>, to dst: UnsafeMutablePointer<S>) {
    let total = shape.reduce(1, *)
    guard total > 0 else { return }
    let rank = shape.count
    if rank == 0 { dst[0] += src[0]; return }
    let n = shape[rank - 1], s = targetStrides[rank - 1]
    var index = [Int](repeating: 0, count: rank)
    var offset = 0, out = 0
    while out < total {
        for i in 0..<n { dst[offset + i * s] += src[out + i] }
        out += n
        var d = rank - 2
        while d >= 0 {
            index[d] += 1
            offset += targetStrides[d]
            if index[d] < shape[d] { break }
            offset -= targetStrides[d] * shape[d]
            index[d] = 0
            d -= 1
        }
    }
}
