/// A gated recurrent unit step, as `torch.nn.GRUCell` (gate order r, z, n; weights (3H, in)):
///   r = σ(W_ir x + b_ir + W_hr h + b_hr)
///   z = σ(W_iz x + b_iz + W_hz h + b_hz)
///   n = tanh(W_in x + b_in + r ⊙ (W_hn h + b_hn))
///   h' = (1 − z) ⊙ n + z ⊙ h
/// All weights and biases ~ U(−1/√H, 1/√H).
public final class GRUCell<Scalar: TensorScalar>: Module {
    public let weightIH: Parameter<Scalar>
    public let weightHH: Parameter<Scalar>
    public let biasIH: Parameter<Scalar>
    public let biasHH: Parameter<Scalar>

    public init(_ inputDims: Int, _ hiddenDims: Int) {
        let bound = 1 / Scalar(hiddenDims).squareRoot()
        weightIH = Parameter(Initialization.uniform([3 * hiddenDims, inputDims], bound: bound))
        weightHH = Parameter(Initialization.uniform([3 * hiddenDims, hiddenDims], bound: bound))
        biasIH = Parameter(Initialization.uniform([3 * hiddenDims], bound: bound))
        biasHH = Parameter(Initialization.uniform([3 * hiddenDims], bound: bound))
    }

    public var hiddenDims: Int { weightHH.shape[1] }

    /// x: (N, in), h: (N, H) → (N, H)
    public func callAsFunction(_ x: Tensor<Scalar>, _ h: Tensor<Scalar>) -> Tensor<Scalar> {
        let gi = matmul(x, weightIH.value, transposeB: true) + biasIH.value
        let gh = matmul(h, weightHH.value, transposeB: true) + biasHH.value
        let hd = hiddenDims
        let i = gi.split(sizes: [hd, hd, hd], axis: -1), g = gh.split(sizes: [hd, hd, hd], axis: -1)
        let r = (i[0] + g[0]).sigmoid()
        let z = (i[1] + g[1]).sigmoid()
        let n = (i[2] + r * g[2]).tanh()
        return n + z * (h - n)
    }
}
