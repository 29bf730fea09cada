@testable import LGMCL
import Testing

/// The pool of large tensor buffers: size classes, reuse of a freed buffer by the next request of
/// its class, its bound, and that tensors built on pooled memory hold what was written (a reused
/// buffer is not zero: `zeros` must still zero it).
@Suite struct LargeBufferPoolTests {
    @Test func classesRoundUpByAtMostOneSixteenth() {
        for bytes in [32 << 20, (32 << 20) + 1, 52_428_800, 52_428_801, (64 << 20) - 1, 100_000_000, 3 << 30] {
            let c = LargeBufferPool.classBytes(bytes)
            #expect(c >= bytes && Double(c) <= Double(bytes) * 1.0625 + 64, "\(bytes) → \(c)")
            #expect(c % LargeBufferPool.alignment == 0)
        }
        // Lengths 158 and 160 of a 128 × 4 × L × L Float map share a class.
        #expect(LargeBufferPool.classBytes(128 * 4 * 158 * 158 * 4) == LargeBufferPool.classBytes(128 * 4 * 160 * 160 * 4))
    }

    @Test func aFreedBufferServesTheNextRequestOfItsClass() {
        let pool = LargeBufferPool(limitBytes: 1 << 30)
        defer { pool.drain() }
        let a = pool.allocate(bytes: 40 << 20)
        pool.release(a.pointer, capacity: a.capacity)
        #expect(pool.held == a.capacity)
        let b = pool.allocate(bytes: (40 << 20) - 1000)
        #expect(b.pointer == a.pointer && b.capacity == a.capacity)
        #expect(pool.held == 0)
        let c = pool.allocate(bytes: 80 << 20)   // another class: fresh memory
        #expect(c.pointer != a.pointer)
        pool.release(b.pointer, capacity: b.capacity)
        pool.release(c.pointer, capacity: c.capacity)
        #expect(pool.held == b.capacity + c.capacity)
    }

    @Test func holdsNoMoreThanItsLimit() {
        let pool = LargeBufferPool(limitBytes: 50 << 20)
        defer { pool.drain() }
        let a = pool.allocate(bytes: 40 << 20), b = pool.allocate(bytes: 40 << 20)
        pool.release(a.pointer, capacity: a.capacity)
        pool.release(b.pointer, capacity: b.capacity)   // over the limit: back to the system
        #expect(pool.held == a.capacity)
    }

    @Test func pooledTensorsKeepTheirValuesAndZerosAreZero() {
        let count = (LargeBufferPool.minimumBytes / MemoryLayout<Float>.stride) + 17
        do {
            let filled = Tensor<Float>(Array(repeating: 7, count: count), shape: [count])
            #expect(filled.storage.buffer.count == count && filled.scalars.allSatisfy { $0 == 7 })
        }
        // The freed buffer of 7s is reused here, and must come back as zeros.
        let zeros = Tensor<Float>.zeros([count])
        #expect(zeros.scalars.allSatisfy { $0 == 0 })
        let sum = (zeros + 1).sum().item()
        #expect(sum == Float(count))
    }
}
