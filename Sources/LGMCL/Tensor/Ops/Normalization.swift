/// Layer normalisation over the last axis with an affine transform, one kernel: why — the
/// composition (mean, subtract, square, mean, rsqrt, multiply, scale, shift) would save six
/// activation-sized tensors per call, and a transformer calls it twice per layer.
///   x: (N, C); mean, rstd: (N); x̂ = (x − mean)·rstd; y = x̂·w + b
///   dx = rstd·(dx̂ − mean_C(dx̂) − x̂·mean_C(dx̂·x̂)),  dx̂ = dy·w;  dw = Σ_N dy·x̂;  db = Σ_N dy
@_specialize(where S == Float)
@_specialize(where S == Double)
public func layerNorm<S>(_ x: Tensor<S>, weight: Tensor<S>?, bias: Tensor<S>?, eps: S = 1e-5) -> Tensor<S> {
    let c = x.shape.last ?? 1
    precondition(weight.map { $0.shape == [c] } ?? true && bias.map { $0.shape == [c] } ?? true,
                 "layerNorm: weight/bias must have shape [\(c)]")
    let rows = x.count / Swift.max(c, 1)
    var inputs = [x]
    if let weight { inputs.append(weight) }
    if let bias { inputs.append(bias) }
    // x̂ is kept for backward only when there will be one.
    let saves = Tape.isRecording && inputs.contains { $0.node != nil }
    let out = TensorStorage<S>(uninitializedCount: x.count)
    let normalized = TensorStorage<S>(uninitializedCount: saves ? x.count : c)
    var rstd = [S](repeating: 0, count: rows)
    let w = weight?.storage, b = bias?.storage
    for r in 0..<rows {
        let xr = x.storage.base + r * c, xh = normalized.base + (saves ? r * c : 0), y = out.base + r * c
        let mean = rowReduce(c, 0, { xr[$0] }, +) / S(c)
        let variance = rowReduce(c, 0, { let d = xr[$0] - mean; return d * d }, +) / S(c)
        let s = 1 / (variance + eps).squareRoot()
        rstd[r] = s
        for i in 0..<c { xh[i] = (xr[i] - mean) * s }
        switch (w, b) {
        case let (w?, b?): for i in 0..<c { y[i] = xh[i] * w.base[i] + b.base[i] }
        case let (w?, nil): for i in 0..<c { y[i] = xh[i] * w.base[i] }
        case let (nil, b?): for i in 0..<c { y[i] = xh[i] + b.base[i] }
        case (nil, nil): for i in 0..<c { y[i] = xh[i] }
        }
    }
    let weightIndex = weight == nil ? nil : 1
    let biasIndex = bias == nil ? nil : (weight == nil ? 1 : 2)
    return Tensor.result(shape: x.shape, storage: out, inputs: inputs) { grad, sink in
        let g = grad.baseAddress!
        if let i = weightIndex, let dw = sink[i]?.baseAddress {
            for r in 0..<rows {
                let gr = g + r * c, xh = normalized.base + r * c
                for j in 0..<c { dw[j] += gr[j] * xh[j] }
            }
        }
        if let i = biasIndex, let db = sink[i]?.baseAddress {
            for r in 0..<rows {
                let gr = g + r * c
                for j in 0..<c { db[j] += gr[j] }
            }
        }
        guard let dx = sink[0]?.baseAddress else { return }
        let dxh = UnsafeMutablePointer<S>.allocate(capacity: c)
        defer { dxh.deallocate() }
        let wp = w?.base
        for r in 0..<rows {
            let gr = g + r * c, xh = normalized.base + r * c, d = dx + r * c
            if let wp { for j in 0..<c { dxh[j] = gr[j] * wp[j] } } else { for j in 0..<c { dxh[j] = gr[j] } }
            let meanD = rowReduce(c, 0, { dxh[$0] }, +) / S(c)
            let meanDX = rowReduce(c, 0, { dxh[$0] * xh[$0] }, +) / S(c)
            for j in 0..<c { d[j] += rstd[r] * (dxh[j] - meanD - xh[j] * meanDX) }
        }
    }
}
