/// y = GELU(h)·Wᵀ + b, the second half of a transformer's feed-forward, without keeping GELU(h):
///   forward:  a = GELU(h) into a scratch buffer, y = a·Wᵀ + b (as `linear`)
///   backward: da = g·W,  dW += gᵀ·a with a computed again from h,  db += Σ g,  dh += da ⊙ GELU′(h)
/// The same operations in the same order as `linear(h.gelu(), …)`, so the same bits. Why: apart,
/// GELU(h) is kept from forward to backward for the weight gradient — the widest activation of
/// the layer (rows × feed-forward, 42 MB per layer at batch 128 in `small`) — and recomputing it
/// costs one multiply per element once backward has Φ(h) for GELU′ anyway.
@_specialize(where S == Float)
@_specialize(where S == Double)
public func geluLinear<S>(_ h: Tensor<S>, weight: Tensor<S>, bias: Tensor<S>) -> Tensor<S> {
    let inDims = weight.shape[1], outDims = weight.shape[0]
    precondition(h.shape.last == inDims && bias.shape == [outDims], "geluLinear: h \(h.shape), weight \(weight.shape), bias \(bias.shape)")
    let rows = h.count / Swift.max(inDims, 1)
    let activated = TensorStorage<S>(uninitializedCount: h.count)
    let hs = h.storage, ws = weight.storage
    Tensor<S>.activate(hs.base, into: activated.base, count: h.count)
    let out = TensorStorage<S>(uninitializedCount: rows * outDims)
    for r in 0 ..< rows { (out.base + r * outDims).update(from: bias.storage.base, count: outDims) }
    if rows > 0 && outDims > 0 && inDims > 0 {
        profiledGemm(S.self, transposeA: false, transposeB: true, m: rows, n: outDims, k: inDims, alpha: 1,
                     a: activated.base, lda: inDims, b: ws.base, ldb: inDims, beta: 1, c: out.base, ldc: outDims)
    }
    return Tensor.result(shape: Array(h.shape.dropLast()) + [outDims], storage: out, inputs: [h, weight, bias]) { grad, sink in
        let g = grad.baseAddress!
        guard rows > 0, outDims > 0, inDims > 0 else { return }
        let count = rows * inDims, ph = hs.base
        // One erf per element gives both GELU(h), for dW, and GELU′(h), for dh.
        let activated = sink[1] == nil ? nil : TensorStorage<S>(uninitializedCount: count)
        if let dh = sink[0]?.baseAddress {
            let da = TensorStorage<S>(uninitializedCount: count)
            profiledGemm(S.self, transposeA: false, transposeB: false, m: rows, n: inDims, k: outDims, alpha: 1,
                         a: g, lda: outDims, b: ws.base, ldb: inDims, beta: 0, c: da.base, ldc: inDims)
            let pa = da.base
            if let pg = activated?.base {
                for i in 0 ..< count {
                    let (value, derivative) = Tensor<S>.geluAndDerivative(ph[i])
                    pg[i] = value
                    dh[i] += pa[i] * derivative
                }
            } else {
                for i in 0 ..< count { dh[i] += pa[i] * Tensor<S>.geluDerivative(ph[i]) }
            }
        } else if let pg = activated?.base {
            Tensor<S>.activate(ph, into: pg, count: count)
        }
        if let dw = sink[1]?.baseAddress, let activated {
            profiledGemm(S.self, transposeA: true, transposeB: false, m: outDims, n: inDims, k: rows, alpha: 1,
                         a: g, lda: outDims, b: activated.base, ldb: inDims, beta: 1, c: dw, ldc: inDims)
        }
        if let db = sink[2]?.baseAddress {
            for r in 0 ..< rows {
                let row = g + r * outDims
                for j in 0 ..< outDims { db[j] += row[j] }
            }
        }
    }
}

extension Tensor {
    /// y = GELU(x) over `count` values.
    fileprivate static func activate(_ x: UnsafeMutablePointer<Scalar>, into y: UnsafeMutablePointer<Scalar>, count: Int) {
        for i in 0 ..< count { y[i] = gelu(x[i]) }
    }
}
