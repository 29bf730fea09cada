/// Multi-head scaled dot-product attention, as `torch.nn.MultiheadAttention(batch_first=True)`:
///   Q = q W_qᵀ + b_q,  K = k W_kᵀ + b_k,  V = v W_vᵀ + b_v   split into H heads of d/H
///   P = softmax(Q Kᵀ / √(d/H) + bias, mask)                  (B, H, Tq, Tk)
///   out = concat_h(P V) W_oᵀ + b_o
/// `bias` is a differentiable additive term (relative positions, adjacency) and `mask` an additive
/// constant (0 / −∞), both broadcast to (B, H, Tq, Tk); fully masked queries give zero output.
/// Initialisation as PyTorch: Q/K/V weights Xavier-uniform over the stacked (3d, d) matrix,
/// their biases 0; the output projection U(−1/√d, 1/√d) with bias 0.
public final class MultiHeadAttention<Scalar: TensorScalar>: Module {
    public let query: Linear<Scalar>
    public let key: Linear<Scalar>
    public let value: Linear<Scalar>
    public let output: Linear<Scalar>
    public let heads: Int

    public init(_ dims: Int, heads: Int, bias: Bool = true) {
        precondition(heads > 0 && dims % heads == 0, "MultiHeadAttention: \(dims) dims do not split into \(heads) heads")
        self.heads = heads
        query = Linear(dims, dims, bias: bias)
        key = Linear(dims, dims, bias: bias)
        value = Linear(dims, dims, bias: bias)
        output = Linear(dims, dims, bias: bias)
        let xavier = (Scalar(6) / Scalar(dims + 3 * dims)).squareRoot()
        for projection in [query, key, value] {
            projection.weight.assign(Initialization.uniform([dims, dims], bound: xavier))
            projection.bias?.assign(.zeros([dims]))
        }
        output.bias?.assign(.zeros([dims]))
    }

    /// query: (B, Tq, d); key, value: (B, Tk, d) → (B, Tq, d)
    public func callAsFunction(
        _ q: Tensor<Scalar>, key k: Tensor<Scalar>, value v: Tensor<Scalar>,
        bias: Tensor<Scalar>? = nil, mask: Tensor<Scalar>? = nil
    ) -> Tensor<Scalar> {
        precondition(q.rank == 3 && k.rank == 3 && v.rank == 3, "MultiHeadAttention expects (B, T, d) inputs")
        let (b, tq, d) = (q.shape[0], q.shape[1], q.shape[2])
        let tk = k.shape[1], dh = d / heads
        func split(_ x: Tensor<Scalar>, _ t: Int) -> Tensor<Scalar> {
            x.reshaped([b, t, heads, dh]).permuted([0, 2, 1, 3])   // (B, H, T, dh)
        }
        let qh = split(query(q), tq), kh = split(key(k), tk), vh = split(value(v), tk)
        var scores = matmul(qh, kh, transposeB: true, scale: 1 / Scalar(dh).squareRoot())   // (B, H, Tq, Tk)
        if let bias { scores = scores + bias }
        let probabilities = scores.softmax(mask: mask)
        let context = matmul(probabilities, vh).permuted([0, 2, 1, 3]).reshaped([b, tq, d])
        return output(context)
    }

    public func callAsFunction(_ x: Tensor<Scalar>, bias: Tensor<Scalar>? = nil, mask: Tensor<Scalar>? = nil) -> Tensor<Scalar> {
        self(x, key: x, value: x, bias: bias, mask: mask)
    }
}
