/// The memory behind a tensor: one contiguous, owned buffer. A class because tensors that share a
/// buffer (a reshape, a parameter and its uses in a step) share identity; freed when the last
/// tensor, tape node or optimiser referring to it goes away.
public final class TensorStorage<Scalar: TensorScalar> {
    public let buffer: UnsafeMutableBufferPointer<Scalar>
    /// Bytes of a buffer that came from `LargeBufferPool` (0: from the allocator directly).
    private let pooledCapacity: Int

    /// Uninitialised memory for kernels that write every element.
    init(uninitializedCount count: Int) {
        (buffer, pooledCapacity) = Self.allocate(count)
    }
    init(zeros count: Int) {
        (buffer, pooledCapacity) = Self.allocate(count)
        buffer.initialize(repeating: 0)
    }
    init<C: Collection>(_ values: C) where C.Element == Scalar {
        (buffer, pooledCapacity) = Self.allocate(values.count)
        _ = buffer.initialize(from: values)
    }

    /// Large buffers come from the pool, which keeps them mapped across steps; the rest from
    /// malloc, whose heap already does.
    private static func allocate(_ count: Int) -> (UnsafeMutableBufferPointer<Scalar>, Int) {
        let bytes = count * MemoryLayout<Scalar>.stride
        guard bytes >= LargeBufferPool.minimumBytes else { return (.allocate(capacity: count), 0) }
        let (raw, capacity) = LargeBufferPool.shared.allocate(bytes: bytes)
        return (UnsafeMutableBufferPointer(start: raw.bindMemory(to: Scalar.self, capacity: count), count: count), capacity)
    }

    deinit {
        if pooledCapacity > 0 {
            LargeBufferPool.shared.release(UnsafeMutableRawPointer(buffer.baseAddress!), capacity: pooledCapacity)
        } else {
            buffer.deallocate()
        }
    }

    public var count: Int { buffer.count }
    var base: UnsafeMutablePointer<Scalar> { buffer.baseAddress! }
}
