/// Reverse-mode autodiff on a tape.
///
/// Every op run outside no-grad mode on an input that requires gradients creates one `TapeNode`
/// holding its inputs' nodes and a closure that, given the gradient of its output, accumulates
/// the gradients of its inputs (the vector-Jacobian product, written beside the forward kernel).
/// `backward()` walks the nodes reachable from a scalar in an order where a node runs only after
/// every node that consumed it (Kahn's algorithm on consumer counts), so a leaf's gradient is
/// final the moment its count reaches zero: that is when `gradientReady` fires, letting a
/// distributed trainer start the allreduce of that parameter while backward continues. A node
/// drops its closure (and with it the saved activations) as soon as it has run.
final class TapeNode<Scalar: TensorScalar> {
    typealias Backward = (_ outputGradient: UnsafeMutableBufferPointer<Scalar>, _ inputs: GradientSink<Scalar>) -> Void

    let count: Int
    let isLeaf: Bool
    var inputs: [TapeNode?]
    var backward: Backward?
    /// Accumulated gradient of the output: for leaves it persists (parameters own it), for
    /// interior nodes it lives only during `backward()`.
    var grad: TensorStorage<Scalar>?
    weak var parameter: Parameter<Scalar>?
    // Bookkeeping of one backward pass.
    var pendingConsumers = 0
    var visitedPass = 0

    init(leafCount: Int) {
        count = leafCount
        isLeaf = true
        inputs = []
    }

    init(count: Int, inputs: [TapeNode?], backward: @escaping Backward) {
        self.count = count
        isLeaf = false
        self.inputs = inputs
        self.backward = backward
    }

    /// The gradient buffer, zero-filled on first use.
    func gradientBuffer() -> UnsafeMutableBufferPointer<Scalar> {
        if let grad { return grad.buffer }
        let fresh = TensorStorage<Scalar>(zeros: count)
        grad = fresh
        return fresh.buffer
    }
}

/// Hands a backward closure the gradient buffers of the op's inputs; `sink[i]` is nil when input
/// `i` needs no gradient, so the closure skips that product entirely. Kernels accumulate (+=).
struct GradientSink<Scalar: TensorScalar> {
    let nodes: [TapeNode<Scalar>?]
    subscript(_ i: Int) -> UnsafeMutableBufferPointer<Scalar>? { nodes[i]?.gradientBuffer() }
    func needs(_ i: Int) -> Bool { nodes[i] != nil }
}

/// The recording switch. Training runs ops on the tape; evaluation runs them under
/// `Tape.withoutGradients { … }`, which records nothing and saves no activations.
public enum Tape {
    /// Whether ops on this thread record themselves.
    public static var isRecording: Bool { ThreadState.current.recording }

    public static func withoutGradients<R>(_ body: () throws -> R) rethrows -> R {
        let state = ThreadState.current
        let saved = state.recording
        state.recording = false
        defer { state.recording = saved }
        return try body()
    }
}

extension Tensor {
    /// The result of an op: tracked when recording and any input is tracked.
    @_specialize(where Scalar == Float)
    @_specialize(where Scalar == Double)
    static func result(
        shape: [Int], storage: TensorStorage<Scalar>, inputs: [Tensor],
        backward: @escaping TapeNode<Scalar>.Backward
    ) -> Tensor {
        guard Tape.isRecording, inputs.contains(where: { $0.node != nil }) else {
            return Tensor(shape: shape, storage: storage)
        }
        let node = TapeNode(count: storage.count, inputs: inputs.map(\.node), backward: backward)
        return Tensor(shape: shape, storage: storage, node: node)
    }

    /// Backpropagates from this scalar: accumulates d(self)/d(leaf) into every leaf's gradient
    /// (parameters' `gradient`, `requiringGradient()` tensors' `gradient`). `gradientReady` is
    /// called once per parameter reached, as soon as its gradient is final. Parameters the loss
    /// does not depend on are not reported.
    @_specialize(where Scalar == Float)
    @_specialize(where Scalar == Double)
    public func backward(gradientReady: ((Parameter<Scalar>) -> Void)? = nil) {
        precondition(count == 1, "backward() from a tensor of shape \(shape); reduce it to a scalar first")
        guard let root = node else { preconditionFailure("backward() on a tensor the tape does not track") }
        let state = ThreadState.current
        state.pass += 1
        let pass = state.pass

        // Count, for every reachable node, the reachable nodes that consume it.
        var stack = [root]
        root.visitedPass = pass
        root.pendingConsumers = 0
        while let node = stack.popLast() {
            for case let input? in node.inputs {
                if input.visitedPass != pass {
                    input.visitedPass = pass
                    input.pendingConsumers = 0
                    stack.append(input)
                }
                input.pendingConsumers += 1
            }
        }

        root.gradientBuffer()[0] += 1
        var ready = [root]
        while let node = ready.popLast() {
            if let backward = node.backward, let grad = node.grad {
                backward(grad.buffer, GradientSink(nodes: node.inputs))
            }
            let inputs = node.inputs
            if !node.isLeaf {
                node.backward = nil
                node.inputs = []
                node.grad = nil
            } else if let parameter = node.parameter {
                gradientReady?(parameter)
            }
            for case let input? in inputs {
                input.pendingConsumers -= 1
                if input.pendingConsumers == 0 { ready.append(input) }
            }
        }
    }
}
