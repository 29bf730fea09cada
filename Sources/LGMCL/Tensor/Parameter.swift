/// A trainable tensor: values updated in place by optimisers and broadcast by the trainer, and a
/// gradient that `backward()` accumulates into. Both buffers are allocated once and never move,
/// so a distributed trainer may keep pointers to them (allreduce, broadcast) across steps.
/// A class: a parameter has identity (the same weight used twice is one parameter).
public final class Parameter<Scalar: TensorScalar> {
    public let shape: [Int]
    public let storage: TensorStorage<Scalar>
    let node: TapeNode<Scalar>

    @_specialize(where Scalar == Float)
    @_specialize(where Scalar == Double)
    public init(_ value: Tensor<Scalar>) {
        shape = value.shape
        storage = TensorStorage(value.storage.buffer)
        node = TapeNode(leafCount: storage.count)
        node.grad = TensorStorage(zeros: storage.count)
        node.parameter = self
    }

    /// False freezes the parameter (PyTorch's `requires_grad_(False)`): ops read it as a constant,
    /// so backward neither reaches it nor runs through what only frozen parameters computed.
    public var requiresGradient = true

    public var count: Int { storage.count }

    /// The value as an input to ops: tracked by the tape unless frozen or in no-grad mode.
    public var value: Tensor<Scalar> {
        Tensor(shape: shape, storage: storage, node: requiresGradient && Tape.isRecording ? node : nil)
    }

    /// The accumulated gradient (a copy-free view of the buffer).
    public var gradient: Tensor<Scalar> { Tensor(shape: shape, storage: node.grad!) }

    /// The buffers themselves (valid as long as the parameter lives), for optimisers and collectives.
    public var values: UnsafeMutableBufferPointer<Scalar> { storage.buffer }
    public var gradients: UnsafeMutableBufferPointer<Scalar> { node.grad!.buffer }

    @_specialize(where Scalar == Float)
    @_specialize(where Scalar == Double)
    public func zeroGradient() { gradients.update(repeating: 0) }

    /// Overwrites the values (loading weights); the shape must match.
    @_specialize(where Scalar == Float)
    @_specialize(where Scalar == Double)
    public func assign(_ tensor: Tensor<Scalar>) {
        precondition(tensor.shape == shape, "assigning shape \(tensor.shape) to a parameter of shape \(shape)")
        _ = values.update(fromContentsOf: tensor.storage.buffer)
    }
}
