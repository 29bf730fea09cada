/// Matrix products on OpenBLAS. op(X) = Xᵀ when the flag is set; transposes are passed to gemm,
/// never materialised, in the forward and in both gradient products:
///   C = op(A)·op(B)
///   dA += dC·op(B)ᵀ        (or op(B)·dCᵀ when A is read transposed)
///   dB += op(A)ᵀ·dC        (or dCᵀ·op(A) when B is read transposed)
/// Shapes: a (…, m, k), b (k, n) or (…, k, n) with the same leading (batch) dimensions; a 2-D
/// operand is shared by every batch entry. When b is 2-D and a is not transposed, a's leading
/// dimensions fold into m and the whole product is one gemm.
public func matmul<S>(_ a: Tensor<S>, _ b: Tensor<S>, transposeA: Bool = false, transposeB: Bool = false) -> Tensor<S> {
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
            S.gemm(transposeA: transposeA, transposeB: transposeB, m: mm, n: n, k: k, alpha: 1,
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
                    S.gemm(transposeA: false, transposeB: !transposeB, m: mm, n: k, k: n, alpha: 1,
                           a: g, lda: n, b: pb, ldb: ldb, beta: 1, c: da, ldc: lda)
                } else {
                    // dA (k×m) += op(B) (k×n) · dCᵀ
                    S.gemm(transposeA: transposeB, transposeB: true, m: k, n: mm, k: n, alpha: 1,
                           a: pb, lda: ldb, b: g, ldb: n, beta: 1, c: da, ldc: lda)
                }
            }
        }
        if let dB = sink[1]?.baseAddress {
            for i in 0..<bb {
                let g = dC + i * mm * n, pa = storageA.base + i * sA, db = dB + i * strideB
                if !transposeB {
                    // dB (k×n) += op(A)ᵀ (k×m) · dC (m×n)
                    S.gemm(transposeA: !transposeA, transposeB: false, m: k, n: n, k: mm, alpha: 1,
                           a: pa, lda: lda, b: g, ldb: n, beta: 1, c: db, ldc: ldb)
                } else {
                    // dB (n×k) += dCᵀ (n×m) · op(A) (m×k)
                    S.gemm(transposeA: true, transposeB: transposeA, m: n, n: k, k: mm, alpha: 1,
                           a: g, lda: n, b: pa, ldb: lda, beta: 1, c: db, ldc: ldb)
                }
            }
        }
    }
}

extension Tensor {
    /// self · other (see `matmul(_:_:transposeA:transposeB:)`).
    public func matmul(_ other: Tensor, transposeOther: Bool = false) -> Tensor {
        LGMCL.matmul(self, other, transposeB: transposeOther)
    }
}
