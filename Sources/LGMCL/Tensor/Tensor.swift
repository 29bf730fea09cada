/// An n-dimensional array of `Float` (training) or `Double` (checks), row-major and contiguous,
/// with an optional link to the tape that records how it was computed.
///
/// A value type: copying a `Tensor` shares its storage and tape node, and ops never modify their
/// inputs, so sharing is safe. Parameters (`Parameter`) are the one place values change in place.
public struct Tensor<Scalar: TensorScalar> {
    public let shape: [Int]
    public let storage: TensorStorage<Scalar>
    /// Non-nil when gradients flow back through this tensor.
    var node: TapeNode<Scalar>?

    @_specialize(where Scalar == Float)
    @_specialize(where Scalar == Double)
    init(shape: [Int], storage: TensorStorage<Scalar>, node: TapeNode<Scalar>? = nil) {
        precondition(shape.reduce(1, *) == storage.count,
                     "shape \(shape) holds \(shape.reduce(1, *)) elements, storage \(storage.count)")
        self.shape = shape
        self.storage = storage
        self.node = node
    }

    /// A constant tensor from row-major values.
    @_specialize(where Scalar == Float)
    @_specialize(where Scalar == Double)
    public init(_ values: [Scalar], shape: [Int]) {
        precondition(shape.allSatisfy { $0 >= 0 }, "negative dimension in shape \(shape)")
        precondition(values.count == shape.reduce(1, *),
                     "\(values.count) values do not fill shape \(shape)")
        self.init(shape: shape, storage: TensorStorage(values))
    }

    /// A 0-dimensional (scalar) constant.
    @_specialize(where Scalar == Float)
    @_specialize(where Scalar == Double)
    public init(_ value: Scalar) { self.init([value], shape: []) }

    public static func zeros(_ shape: [Int]) -> Tensor {
        Tensor(shape: shape, storage: TensorStorage(zeros: shape.reduce(1, *)))
    }

    public static func full(_ shape: [Int], _ value: Scalar) -> Tensor {
        let storage = TensorStorage<Scalar>(uninitializedCount: shape.reduce(1, *))
        storage.buffer.initialize(repeating: value)
        return Tensor(shape: shape, storage: storage)
    }

    public static func ones(_ shape: [Int]) -> Tensor { full(shape, 1) }

    public var count: Int { storage.count }
    public var rank: Int { shape.count }
    public var scalars: [Scalar] { Array(storage.buffer) }
    /// Whether the tape tracks this tensor (it is a parameter, a leaf asking for gradients, or
    /// computed from one outside no-grad mode).
    public var requiresGradient: Bool { node != nil }

    /// The value of a one-element tensor.
    @_specialize(where Scalar == Float)
    @_specialize(where Scalar == Double)
    public func item() -> Scalar {
        precondition(count == 1, "item() on a tensor of shape \(shape)")
        return storage.buffer[0]
    }

    /// The same values, cut off from the tape.
    @_specialize(where Scalar == Float)
    @_specialize(where Scalar == Double)
    public func detached() -> Tensor { Tensor(shape: shape, storage: storage) }

    /// A leaf whose gradient `backward()` accumulates into `gradient` (for tests and inputs that
    /// need gradients; model weights are `Parameter`s).
    @_specialize(where Scalar == Float)
    @_specialize(where Scalar == Double)
    public func requiringGradient() -> Tensor {
        Tensor(shape: shape, storage: storage, node: TapeNode(leafCount: count))
    }

    /// The gradient accumulated into a leaf by `backward()`, nil when none reached it.
    public var gradient: Tensor? {
        guard let node, node.isLeaf, let grad = node.grad else { return nil }
        return Tensor(shape: shape, storage: grad)
    }

    /// Converts to another precision (a constant: no gradient flows through the conversion).
    public func converted<T: TensorScalar>(to: T.Type = T.self) -> Tensor<T> {
        Tensor<T>(storage.buffer.map { T($0) }, shape: shape)
    }

    /// Normalises a possibly negative axis.
    func axis(_ axis: Int) -> Int {
        let a = axis < 0 ? axis + rank : axis
        precondition(a >= 0 && a < rank, "axis \(axis) out of range for shape \(shape)")
        return a
    }
}

extension Tensor: CustomStringConvertible {
    public var description: String {
        let shown = storage.buffer.prefix(8).map { "\($0)" }.joined(separator: ", ")
        return "Tensor<\(Scalar.self)>\(shape) [\(shown)\(count > 8 ? ", …" : "")]"
    }
}
