/// y = x·Wᵀ + b over the last axis of x (any leading shape). W: (out, in) as in PyTorch, so
/// weights load from PyTorch state dicts unchanged; the transpose is passed to gemm.
/// Initialisation as `torch.nn.Linear`: W, b ~ U(−1/√in, 1/√in) (kaiming_uniform with a = √5).
public final class Linear<Scalar: TensorScalar>: Module {
    public let weight: Parameter<Scalar>
    public let bias: Parameter<Scalar>?

    public init(_ inDims: Int, _ outDims: Int, bias: Bool = true) {
        let bound = inDims > 0 ? 1 / Scalar(inDims).squareRoot() : 0
        weight = Parameter(Initialization.uniform([outDims, inDims], bound: bound))
        self.bias = bias ? Parameter(Initialization.uniform([outDims], bound: bound)) : nil
    }

    public var inDims: Int { weight.shape[1] }
    public var outDims: Int { weight.shape[0] }

    public func callAsFunction(_ x: Tensor<Scalar>) -> Tensor<Scalar> {
        precondition(x.shape.last == inDims, "Linear(\(inDims), \(outDims)) applied to shape \(x.shape)")
        return linear(x, weight: weight.value, bias: bias?.value)
    }

    /// self(GELU(x)) without keeping GELU(x) for backward (`geluLinear`).
    public func afterGELU(_ x: Tensor<Scalar>) -> Tensor<Scalar> {
        guard let bias else { return self(x.gelu()) }
        precondition(x.shape.last == inDims, "Linear(\(inDims), \(outDims)) applied to shape \(x.shape)")
        return geluLinear(x, weight: weight.value, bias: bias.value)
    }
}
