import Foundation

/// Keeps the memory of freed large tensors for the next tensor of about the same size.
///
/// Why: glibc serves every block above its mmap threshold — at most 32 MiB, whatever `mallopt`
/// is asked — with a fresh mapping and unmaps it on free. A training step allocates and frees the
/// same large activations every step (the `small` joint step at batch 128: attention maps of
/// 128 × 4 × 160 × 160 Floats, 52 MB, several per layer), so each step page-faulted them in again
/// and the kernel zeroed every page before the kernels overwrote it: a quarter of the step's
/// time in a profile (docs/benchmarks-pretrain.md, issue 19). Kept here, a buffer is reused
/// without faults or zeroing.
///
/// Sizes are rounded up to classes 1/16 of a power of two apart (at most 6.25% unused), so that
/// batches padded to slightly different lengths share buffers. What the pool holds is bounded
/// (`limitBytes`); a buffer freed beyond that goes back to the system. Thread-safe: a tensor
/// may be freed on another thread than the one that made it.
final class LargeBufferPool: @unchecked Sendable {
    /// Below this, glibc's heap already keeps freed blocks (lgmcl-dist raises the mmap threshold
    /// to its maximum, 32 MiB; elsewhere the threshold adapts upwards on its own).
    static let minimumBytes = 32 << 20
    static let alignment = 64
    static let shared = LargeBufferPool(limitBytes: 4 << 30)

    let limitBytes: Int
    private let lock = NSLock()
    private var free: [Int: [UnsafeMutableRawPointer]] = [:]
    private var heldBytes = 0

    init(limitBytes: Int) { self.limitBytes = limitBytes }

    /// The size class of a request of `bytes` (≥ `minimumBytes`): the next multiple of 1/16 of
    /// the largest power of two not above it.
    static func classBytes(_ bytes: Int) -> Int {
        let power = 1 << (Int.bitWidth - 1 - bytes.leadingZeroBitCount)
        let step = Swift.max(power / 16, alignment)
        return (bytes + step - 1) / step * step
    }

    /// Memory for at least `bytes` bytes; `capacity` is what must be handed back to `release`.
    func allocate(bytes: Int) -> (pointer: UnsafeMutableRawPointer, capacity: Int) {
        let capacity = Self.classBytes(bytes)
        lock.lock()
        if let pointer = free[capacity]?.popLast() {
            heldBytes -= capacity
            lock.unlock()
            return (pointer, capacity)
        }
        lock.unlock()
        return (.allocate(byteCount: capacity, alignment: Self.alignment), capacity)
    }

    func release(_ pointer: UnsafeMutableRawPointer, capacity: Int) {
        lock.lock()
        if heldBytes + capacity <= limitBytes {
            free[capacity, default: []].append(pointer)
            heldBytes += capacity
            lock.unlock()
            return
        }
        lock.unlock()
        pointer.deallocate()
    }

    /// Bytes held for reuse (for tests and diagnostics).
    var held: Int {
        lock.lock()
        defer { lock.unlock() }
        return heldBytes
    }

    /// Gives every held buffer back to the system.
    func drain() {
        lock.lock()
        let all = free.values.flatMap { $0 }
        free = [:]
        heldBytes = 0
        lock.unlock()
        for pointer in all { pointer.deallocate() }
    }
}
