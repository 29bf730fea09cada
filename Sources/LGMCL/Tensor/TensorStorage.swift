/// The memory behind a tensor: one contiguous, owned buffer. A class because tensors that share a
/// buffer (a reshape, a parameter and its uses in a step) share identity; freed when the last
/// tensor, tape node or optimiser referring to it goes away.
public final class TensorStorage<Scalar: TensorScalar> {
    public let buffer: UnsafeMutableBufferPointer<Scalar>

    /// Uninitialised memory for kernels that write every element.
    init(uninitializedCount count: Int) {
        buffer = .allocate(capacity: count)
    }

    init(zeros count: Int) {
        buffer = .allocate(capacity: count)
        buffer.initialize(repeating: 0)
    }

    init<C: Collection>(_ values: C) where C.Element == Scalar {
        buffer = .allocate(capacity: values.count)
        _ = buffer.initialize(from: values)
    }

    deinit { buffer.deallocate() }

    public var count: Int { buffer.count }
    var base: UnsafeMutablePointer<Scalar> { buffer.baseAddress! }
}
