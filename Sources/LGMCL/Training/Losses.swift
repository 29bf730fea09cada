/// Losses. Each takes an explicit `normalizer` where data-parallel training needs the global
/// count (docs/design.md, Exact losses across ranks): a rank sums its own terms, divides by the count
/// over all ranks, and gradients are then SUM-allreduced. The default is the local count.

/// Mean cross-entropy of logits (N, C) against class indices.
@_specialize(where S == Float)
@_specialize(where S == Double)
public func crossEntropy<S>(_ logits: Tensor<S>, targets: [Int], normalizer: Int? = nil) -> Tensor<S> {
    precondition(logits.rank == 2 && logits.shape[0] == targets.count, "crossEntropy: logits \(logits.shape), \(targets.count) targets")
    let classes = logits.shape[1]
    let flat = targets.enumerated().map { i, t in
        precondition(t >= 0 && t < classes, "crossEntropy: target \(t) at row \(i) outside 0..<\(classes)")
        return i * classes + t
    }
    let picked = logits.logSoftmax().reshaped([logits.count]).gathered(rows: flat).sum()
    return -picked / S(normalizer ?? targets.count)
}

/// Binary cross-entropy with logits over tasks, missing labels (NaN) ignored:
///   ℓ = max(x, 0) − x·y + log(1 + e^−|x|)   summed over present labels / normalizer
///   dℓ/dx = σ(x) − y
/// One kernel: why — the stable form needs |x| and max, and the mask would otherwise be a third
/// tensor; this is the fine-tuning loss, on (batch, tasks) only, so simplicity wins.
@_specialize(where S == Float)
@_specialize(where S == Double)
public func maskedBinaryCrossEntropy<S>(logits: Tensor<S>, targets: Tensor<S>, normalizer: Int? = nil) -> Tensor<S> {
    precondition(logits.shape == targets.shape, "maskedBinaryCrossEntropy: logits \(logits.shape) vs targets \(targets.shape)")
    let x = logits.storage.base, y = targets.storage.base
    let present = (0..<logits.count).filter { !y[$0].isNaN }
    let denominator = S(normalizer ?? present.count)
    var total: S = 0
    if denominator > 0 {
        for i in present {
            let v = x[i]
            total += Swift.max(v, 0) - v * y[i] + S.log1p(S.exp(-Swift.abs(v)))
        }
        total /= denominator
    }
    let out = TensorStorage<S>([total])
    let targetStorage = targets.storage, logitStorage = logits.storage
    return Tensor.result(shape: [], storage: out, inputs: [logits]) { grad, sink in
        guard let dx = sink[0]?.baseAddress, denominator > 0 else { return }
        let g = grad[0] / denominator, x = logitStorage.base, y = targetStorage.base
        for i in present {
            let v = x[i]
            let s = v >= 0 ? 1 / (1 + S.exp(-v)) : S.exp(v) / (1 + S.exp(v))
            dx[i] += g * (s - y[i])
        }
    }
}

/// Σ (prediction − target)² / normalizer (default: element count), targets constant.
@_specialize(where S == Float)
@_specialize(where S == Double)
public func meanSquaredError<S>(_ prediction: Tensor<S>, _ target: Tensor<S>, normalizer: Int? = nil) -> Tensor<S> {
    precondition(prediction.shape == target.shape, "meanSquaredError: \(prediction.shape) vs \(target.shape)")
    return (prediction - target.detached()).squared().sum() / S(normalizer ?? prediction.count)
}

/// Rows scaled to unit length, x / max(‖x‖, ε) (as `torch.nn.functional.normalize`).
@_specialize(where S == Float)
@_specialize(where S == Double)
public func l2Normalized<S>(_ x: Tensor<S>, eps: S = 1e-12) -> Tensor<S> {
    let norms = x.squared().sum(axis: -1, keepDims: true).sqrt()
    let floor = Tensor(norms.storage.buffer.map { $0 < eps ? eps - $0 : 0 }, shape: norms.shape)
    return x / (norms + floor)
}

/// NT-Xent (SimCLR) over cosine similarities:
///   ℓ_i = −log( exp(s_{i,p(i)}/τ) / Σ_{k≠i} exp(s_ik/τ) ),  L = Σ_i ℓ_i / normalizer
/// `anchors` (a, d) are scored against `candidates` (c, d) (both normalised here); anchor i sits at
/// row `selfIndex[i]` of the candidates (excluded) and its positive at `positiveIndex[i]`.
/// On one process with views z1, z2 (M each): anchors = candidates = [z1; z2], self i,
/// positive (i + M) mod 2M, normalizer 2M. Across ranks, candidates are the gathered global batch.
@_specialize(where S == Float)
@_specialize(where S == Double)
public func ntXentLoss<S>(
    anchors: Tensor<S>, candidates: Tensor<S>, selfIndex: [Int], positiveIndex: [Int],
    temperature: S, normalizer: Int? = nil
) -> Tensor<S> {
    let a = anchors.shape[0], c = candidates.shape[0]
    precondition(selfIndex.count == a && positiveIndex.count == a, "ntXentLoss: index lists must have one entry per anchor")
    let za = l2Normalized(anchors), zc = l2Normalized(candidates)
    let logits = matmul(za, zc, transposeB: true) / temperature   // (a, c)
    var mask = [S](repeating: 0, count: a * c)
    for i in 0..<a { mask[i * c + selfIndex[i]] = -S.infinity }
    // Picked by gathering, not by a one-hot product: the masked entries are −∞ and −∞·0 is NaN.
    let picked = logits.logSoftmax(mask: Tensor(mask, shape: [a, c])).reshaped([a * c])
        .gathered(rows: (0..<a).map { $0 * c + positiveIndex[$0] })
    return -picked.sum() / S(normalizer ?? a)
}

/// The single-process form: views z1, z2 of the same M molecules.
@_specialize(where S == Float)
@_specialize(where S == Double)
public func ntXentLoss<S>(_ z1: Tensor<S>, _ z2: Tensor<S>, temperature: S) -> Tensor<S> {
    let m = z1.shape[0]
    let z = concatenated([z1, z2], axis: 0)
    return ntXentLoss(anchors: z, candidates: z, selfIndex: Array(0..<(2 * m)),
                      positiveIndex: (0..<(2 * m)).map { ($0 + m) % (2 * m) }, temperature: temperature)
}
