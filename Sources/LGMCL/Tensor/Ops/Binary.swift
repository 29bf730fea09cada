/// Broadcasting add, subtract, multiply, divide: the forward kernel and its vector-Jacobian
/// product side by side. A gradient flowing to a broadcast input is summed over the stretched
/// axes by the same strided walk (stride 0 accumulates into one element).
enum BinaryOp {
    case add, subtract, multiply, divide
}

extension Tensor {
    @_specialize(where Scalar == Float)
    @_specialize(where Scalar == Double)
    static func binary(_ op: BinaryOp, _ a: Tensor, _ b: Tensor) -> Tensor {
        let plan = Broadcast(a.shape, b.shape)
        let outShape = a.rank == 0 && b.rank == 0 ? [] : plan.shape
        let out = TensorStorage<Scalar>(uninitializedCount: plan.count)
        let pa = a.storage.base, pb = b.storage.base, po = out.base
        // out: broadcast(a, b)
        plan.forEachRow { o, ia, ib, n, sa, sb in
            switch op {
            case .add: stridedLoop(n, pa + ia, sa, pb + ib, sb, po + o) { $0 + $1 }
            case .subtract: stridedLoop(n, pa + ia, sa, pb + ib, sb, po + o) { $0 - $1 }
            case .multiply: stridedLoop(n, pa + ia, sa, pb + ib, sb, po + o) { $0 * $1 }
            case .divide: stridedLoop(n, pa + ia, sa, pb + ib, sb, po + o) { $0 / $1 }
            }
        }
        let storageA = a.storage, storageB = b.storage
        return result(shape: outShape, storage: out, inputs: [a, b]) { grad, sink in
            // The saved tensors stay alive as long as this closure does.
            let pa = storageA.base, pb = storageB.base, po = out.base
            let g = grad.baseAddress!
            if let ga = sink[0]?.baseAddress {
                // da = g · ∂out/∂a
                plan.forEachRow { o, ia, ib, n, sa, sb in
                    switch op {
                    case .add, .subtract: accumulateLoop(n, g + o, pb + ib, sb, ga + ia, sa) { g, _ in g }
                    case .multiply: accumulateLoop(n, g + o, pb + ib, sb, ga + ia, sa) { g, b in g * b }
                    case .divide: accumulateLoop(n, g + o, pb + ib, sb, ga + ia, sa) { g, b in g / b }
                    }
                }
            }
            if let gb = sink[1]?.baseAddress {
                // db = g · ∂out/∂b; for division ∂(a/b)/∂b = −out/b
                plan.forEachRow { o, ia, ib, n, sa, sb in
                    switch op {
                    case .add: accumulateLoop(n, g + o, pa + ia, sa, gb + ib, sb) { g, _ in g }
                    case .subtract: accumulateLoop(n, g + o, pa + ia, sa, gb + ib, sb) { g, _ in -g }
                    case .multiply: accumulateLoop(n, g + o, pa + ia, sa, gb + ib, sb) { g, a in g * a }
                    case .divide:
                        let y = po + o, bRow = pb + ib, gRow = gb + ib, gOut = g + o
                        for i in 0..<n { gRow[i * sb] -= gOut[i] * y[i] / bRow[i * sb] }
                    }
                }
            }
        }
    }
}

/// out[i] = f(a[i·sa], b[i·sb]); the unit-stride cases are separate so they vectorise.
@inline(__always)
func stridedLoop<S>(
    _ n: Int, _ a: UnsafePointer<S>, _ sa: Int, _ b: UnsafePointer<S>, _ sb: Int,
    _ out: UnsafeMutablePointer<S>, _ f: (S, S) -> S
) {
    if sa == 1 && sb == 1 {
        for i in 0..<n { out[i] = f(a[i], b[i]) }
    } else if sa == 1 && sb == 0 {
        let bv = b[0]
        for i in 0..<n { out[i] = f(a[i], bv) }
    } else if sa == 0 && sb == 1 {
        let av = a[0]
        for i in 0..<n { out[i] = f(av, b[i]) }
    } else {
        for i in 0..<n { out[i] = f(a[i * sa], b[i * sb]) }
    }
}

/// x[i·sx] += f(g[i], other[i·so]); with sx = 0 the row sums into one element.
@inline(__always)
func accumulateLoop<S: TensorScalar>(
    _ n: Int, _ g: UnsafePointer<S>, _ other: UnsafePointer<S>, _ so: Int,
    _ x: UnsafeMutablePointer<S>, _ sx: Int, _ f: (S, S) -> S
) {
    if sx == 1 && so == 1 {
        for i in 0..<n { x[i] += f(g[i], other[i]) }
    } else if sx == 1 && so == 0 {
        let ov = other[0]
        for i in 0..<n { x[i] += f(g[i], ov) }
    } else if sx == 0 {
        var sum: S = 0
        for i in 0..<n { sum += f(g[i], other[i * so]) }
        x[0] += sum
    } else {
        for i in 0..<n { x[i * sx] += f(g[i], other[i * so]) }
    }
}
