/// Layer normalisation over the last axis (`torch.nn.LayerNorm(dims)`): weight 1, bias 0, ε 1e-5.
public final class LayerNorm<Scalar: TensorScalar>: Module {
    public let weight: Parameter<Scalar>
    public let bias: Parameter<Scalar>
    public let eps: Scalar

    public init(_ dims: Int, eps: Scalar = 1e-5) {
        weight = Parameter(.ones([dims]))
        bias = Parameter(.zeros([dims]))
        self.eps = eps
    }

    public func callAsFunction(_ x: Tensor<Scalar>) -> Tensor<Scalar> {
        layerNorm(x, weight: weight.value, bias: bias.value, eps: eps)
    }
}
