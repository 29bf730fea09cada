/// A lookup table (`torch.nn.Embedding`): row i of the weight for id i, initialised N(0, 1).
public final class Embedding<Scalar: TensorScalar>: Module {
    public let weight: Parameter<Scalar>

    public init(_ count: Int, _ dims: Int) {
        weight = Parameter(Initialization.normal([count, dims]))
    }

    /// Rows for `ids`, shaped `shape + [dims]` (default: `[ids.count, dims]`).
    public func callAsFunction(_ ids: [Int], shape: [Int]? = nil) -> Tensor<Scalar> {
        let rows = weight.value.gathered(rows: ids)
        return shape.map { rows.reshaped($0 + [weight.shape[1]]) } ?? rows
    }
}
