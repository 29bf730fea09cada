/// Activations selectable by configuration.
public enum Activation: String, Codable, Sendable, CaseIterable {
    case relu, gelu, leakyReLU, elu, tanh

    public func callAsFunction<S>(_ x: Tensor<S>) -> Tensor<S> {
        switch self {
        case .relu: x.relu()
        case .gelu: x.gelu()
        case .leakyReLU: x.leakyReLU()
        case .elu: x.elu()
        case .tanh: x.tanh()
        }
    }
}

/// Position-wise feed-forward block: Linear(d, hidden) → activation → dropout → Linear(hidden, d).
public final class FeedForward<Scalar: TensorScalar>: Module {
    public let expand: Linear<Scalar>
    public let dropout: Dropout<Scalar>
    public let project: Linear<Scalar>
    public let activation: Activation

    public init(_ dims: Int, hidden: Int, outDims: Int? = nil, activation: Activation = .gelu, dropout rate: Scalar = 0, site: UInt32 = 0) {
        expand = Linear(dims, hidden)
        dropout = Dropout(rate, site: site)
        project = Linear(hidden, outDims ?? dims)
        self.activation = activation
    }

    public func callAsFunction(_ x: Tensor<Scalar>, _ stream: RandomStream? = nil, rows: MoleculeRows? = nil) -> Tensor<Scalar> {
        var h = activation(expand(x))
        if let stream, let rows { h = dropout(h, stream, rows: rows) }
        return project(h)
    }
}
