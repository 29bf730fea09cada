/// Matrix products on OpenBLAS. op(X) = Xᵀ when the flag is set; transposes are passed to gemm,
/// never materialised, in the forward and in both gradient products:
///   C = op(A)·op(B)
///   dA += dC·op(B)ᵀ        (or op(B)·dCᵀ when A is read transposed)
///   dB += op(A)ᵀ·dC        (or dCᵀ·op(A) when B is read transposed)
/// Shapes: a (…, m, k), b (k, n) or (…, k, n) with the same leading (batch) dimensions; a 2-D
/// operand is shared by every batch entry. When b is 2-D and a is not transposed, a's leading
/// dimensions fold into m and the whole product is one gemm. `scale` multiplies the product inside
/// gemm (α), e.g. attention's 1/√d_k, saving a pass over the scores in both directions.
@_specialize(where S == Float)
@_specialize(where S == Double)
public func matmul<S>(_ a: Tensor<S>, _ b: Tensor<S>, transposeA: Bool = false, transposeB: Bool = false, scale: S = 1) -> Tensor<S> {
    precondition(a.rank >= 2 && b.rank >= 2, "matmul needs matrices, got \(a.shape) and \(b.shape)")
    let aRows = a.shape[a.rank - 2], aCols = a.shape[a.rank - 1]
    let bRows = b.shape[b.rank - 2], bCols = b.shape[b.rank - 1]
    var m = transposeA ? aCols : aRows
    let k = transposeA ? aRows : aCols
    let n = transposeB ? bRows : bCols
    precondition((transposeB ? bCols : bRows) == k,
                 "matmul: inner dimensions differ: \(a.shape)\(transposeA ? "ᵀ" : "") · \(b.shape)\(transposeB ? "ᵀ" : "")")
    let aBatch = Array(a.shape.dropLast(2)), bBatch = Array(b.shape.dropLast(2))
    precondition(aBatch.isEmpty || bBatch.isEmpty || aBatch == bBatch,
                 "matmul: batch dimensions \(aBatch) and \(bBatch) differ")
    var batch = max(aBatch.reduce(1, *), bBatch.reduce(1, *))
    let outShape = (aBatch.isEmpty ? bBatch : aBatch) + [m, n]
    var strideA = aBatch.isEmpty ? 0 : aRows * aCols
    let strideB = bBatch.isEmpty ? 0 : bRows * bCols
    if bBatch.isEmpty && !transposeA && batch > 1 {
        m *= batch
        batch = 1
        strideA = 0
    }
    let lda = aCols, ldb = bCols
    let out = TensorStorage<S>(uninitializedCount: outShape.reduce(1, *))
    let storageA = a.storage, storageB = b.storage
    let (mm, bb, sA) = (m, batch, strideA)
    if k == 0 {
        out.buffer.update(repeating: 0)
    } else if m > 0 && n > 0 {
        for i in 0..<bb {
            profiledGemm(S.self, transposeA: transposeA, transposeB: transposeB, m: mm, n: n, k: k, alpha: scale,
                   a: storageA.base + i * sA, lda: lda, b: storageB.base + i * strideB, ldb: ldb,
                   beta: 0, c: out.base + i * mm * n, ldc: n)
        }
    }
    return Tensor.result(shape: outShape, storage: out, inputs: [a, b]) { grad, sink in
        guard mm > 0, n > 0, k > 0 else { return }
        let dC = grad.baseAddress!
        if let dA = sink[0]?.baseAddress {
            for i in 0..<bb {
                let g = dC + i * mm * n, pb = storageB.base + i * strideB, da = dA + i * sA
                if !transposeA {
                    // dA (m×k) += dC (m×n) · op(B)ᵀ
                    profiledGemm(S.self, transposeA: false, transposeB: !transposeB, m: mm, n: k, k: n, alpha: scale,
                           a: g, lda: n, b: pb, ldb: ldb, beta: 1, c: da, ldc: lda)
                } else {
                    // dA (k×m) += op(B) (k×n) · dCᵀ
                    profiledGemm(S.self, transposeA: transposeB, transposeB: true, m: k, n: mm, k: n, alpha: scale,
                           a: pb, lda: ldb, b: g, ldb: n, beta: 1, c: da, ldc: lda)
                }
            }
        }
        if let dB = sink[1]?.baseAddress {
            for i in 0..<bb {
                let g = dC + i * mm * n, pa = storageA.base + i * sA, db = dB + i * strideB
                if !transposeB {
                    // dB (k×n) += op(A)ᵀ (k×m) · dC (m×n)
                    profiledGemm(S.self, transposeA: !transposeA, transposeB: false, m: k, n: n, k: mm, alpha: scale,
                           a: pa, lda: lda, b: g, ldb: n, beta: 1, c: db, ldc: ldb)
                } else {
                    // dB (n×k) += dCᵀ (n×m) · op(A) (m×k)
                    profiledGemm(S.self, transposeA: true, transposeB: transposeA, m: n, n: k, k: mm, alpha: scale,
                           a: g, lda: n, b: pa, ldb: lda, beta: 1, c: db, ldc: ldb)
                }
            }
        }
    }
}

/// y = x·Wᵀ + b, x (…, in), W (out, in), b (out): the bias is copied into the output and gemm
/// accumulates onto it (β = 1). One kernel rather than matmul + add: why — every Linear layer
/// would otherwise write and re-read an activation-sized tensor for the bias alone.
///   dx += dy·W;  dW += dyᵀ·x;  db += Σ_rows dy
@_specialize(where S == Float)
@_specialize(where S == Double)
public func linear<S>(_ x: Tensor<S>, weight: Tensor<S>, bias: Tensor<S>?) -> Tensor<S> {
    guard let bias else { return matmul(x, weight, transposeB: true) }
    let inDims = weight.shape[1], outDims = weight.shape[0]
    precondition(x.shape.last == inDims && bias.shape == [outDims], "linear: x \(x.shape), weight \(weight.shape), bias \(bias.shape)")
    let rows = x.count / Swift.max(inDims, 1)
    let out = TensorStorage<S>(uninitializedCount: rows * outDims)
    for r in 0..<rows { (out.base + r * outDims).update(from: bias.storage.base, count: outDims) }
    let xs = x.storage, ws = weight.storage
    if rows > 0 && outDims > 0 && inDims > 0 {
        profiledGemm(S.self, transposeA: false, transposeB: true, m: rows, n: outDims, k: inDims, alpha: 1,
                     a: xs.base, lda: inDims, b: ws.base, ldb: inDims, beta: 1, c: out.base, ldc: outDims)
    }
    return Tensor.result(shape: Array(x.shape.dropLast()) + [outDims], storage: out, inputs: [x, weight, bias]) { grad, sink in
        let g = grad.baseAddress!
        guard rows > 0, outDims > 0 else { return }
        if let dx = sink[0]?.baseAddress, inDims > 0 {
            profiledGemm(S.self, transposeA: false, transposeB: false, m: rows, n: inDims, k: outDims, alpha: 1,
                         a: g, lda: outDims, b: ws.base, ldb: inDims, beta: 1, c: dx, ldc: inDims)
        }
        if let dw = sink[1]?.baseAddress, inDims > 0 {
            profiledGemm(S.self, transposeA: true, transposeB: false, m: outDims, n: inDims, k: rows, alpha: 1,
                         a: g, lda: outDims, b: xs.base, ldb: inDims, beta: 1, c: dw, ldc: inDims)
        }
        if let db = sink[2]?.baseAddress {
            for r in 0..<rows {
                let row = g + r * outDims
                for j in 0..<outDims { db[j] += row[j] }
            }
        }
    }
}

extension Tensor {
    /// self · other (see `matmul(_:_:transposeA:transposeB:)`).
    @_specialize(where Scalar == Float)
    @_specialize(where Scalar == Double)
    public func matmul(_ other: Tensor, transposeOther: Bool = false) -> Tensor {
        LGMCL.matmul(self, other, transposeB: transposeOther)
    }
}

/// gemm in this thread's `MatrixProducts`, through the optional profiler (benchmarks measure the
/// time spent in BLAS and replay the same shapes on bare sgemm); one thread-local read.
@inline(__always)
func profiledGemm<S: TensorScalar>(
    _: S.Type, transposeA: Bool, transposeB: Bool, m: Int, n: Int, k: Int,
    alpha: S, a: UnsafePointer<S>, lda: Int, b: UnsafePointer<S>, ldb: Int,
    beta: S, c: UnsafeMutablePointer<S>, ldc: Int
) {
    let state = ThreadState.current
    guard let profile = state.gemmProfile else {
        S.gemm(transposeA: transposeA, transposeB: transposeB, m: m, n: n, k: k, alpha: alpha,
               a: a, lda: lda, b: b, ldb: ldb, beta: beta, c: c, ldc: ldc, products: state.matrixProducts)
        return
    }
    let start = monotonicSeconds()
    S.gemm(transposeA: transposeA, transposeB: transposeB, m: m, n: n, k: k, alpha: alpha,
           a: a, lda: lda, b: b, ldb: ldb, beta: beta, c: c, ldc: ldc, products: state.matrixProducts)
    profile.calls.append(.init(transposeA: transposeA, transposeB: transposeB, m: m, n: n, k: k, beta: beta != 0,
                               seconds: monotonicSeconds() - start))
}

/// The gemm calls of a stretch of code: shapes, flop count and time in BLAS.
public final class GemmProfile {
    public struct Call: Sendable {
        public let transposeA: Bool, transposeB: Bool
        public let m: Int, n: Int, k: Int
        public let beta: Bool
        public let seconds: Double
        public var flops: Double { 2 * Double(m) * Double(n) * Double(k) }
    }

    public var calls: [Call] = []

    public init() {}

    public var seconds: Double { calls.reduce(0) { $0 + $1.seconds } }
    public var flops: Double { calls.reduce(0) { $0 + $1.flops } }

    /// The calls of one shape (transposes, m, n, k) together.
    public struct Shape: Sendable {
        public let transposeA: Bool, transposeB: Bool
        public let m: Int, n: Int, k: Int
        public var calls = 0
        public var flops = 0.0
        public var seconds = 0.0
    }

    /// Calls grouped by shape, most time first.
    public var byShape: [Shape] {
        var shapes: [String: Shape] = [:]
        for call in calls {
            let key = "\(call.transposeA) \(call.transposeB) \(call.m) \(call.n) \(call.k)"
            var shape = shapes[key] ?? Shape(transposeA: call.transposeA, transposeB: call.transposeB, m: call.m, n: call.n, k: call.k)
            shape.calls += 1
            shape.flops += call.flops
            shape.seconds += call.seconds
            shapes[key] = shape
        }
        return shapes.values.sorted { ($0.seconds, $0.flops) > ($1.seconds, $1.flops) }
    }

    /// Records every gemm on this thread from now on into `profile` (nil: stops recording).
    public static func record(into profile: GemmProfile?) { ThreadState.current.gemmProfile = profile }

    /// Runs `body` with every gemm on this thread recorded.
    public static func measure<R>(_ body: () throws -> R) rethrows -> (R, GemmProfile) {
        let profile = GemmProfile()
        let state = ThreadState.current
        let saved = state.gemmProfile
        state.gemmProfile = profile
        defer { state.gemmProfile = saved }
        return (try body(), profile)
    }
}
