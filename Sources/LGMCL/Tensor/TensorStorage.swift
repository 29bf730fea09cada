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

/// Activations of a training step are allocated and freed in the same sizes every step. glibc
/// serves blocks above its mmap threshold (at most 32 MiB, e.g. a 128 × 64 × 1024 Float
/// activation) with fresh mappings, so each step would page-fault and zero them again; a fixed
/// 1 GiB threshold keeps freed blocks in the heap for reuse. Resident memory stays flat
/// across steps (MemoryTests).
private let keepFreedBuffersInHeap: Void = {
    _ = mallopt(-3 /* M_MMAP_THRESHOLD */, 1 << 30)
    _ = mallopt(-1 /* M_TRIM_THRESHOLD */, 1 << 30)
}()

// glibc's mallopt (malloc.h is not part of the Glibc module).
@_silgen_name("mallopt")
private func mallopt(_ parameter: Int32, _ value: Int32) -> Int32
