import Foundation

/// Per-thread engine state: whether the tape records, the backward-pass counter, the
/// initialisation generator and the matrix products' arithmetic. Per thread because the test
/// runner runs tests concurrently, and a no-grad block on one thread must not switch recording off
/// for another.
final class ThreadState {
    var recording = true
    var pass = 0
    var generator = RandomGenerator(seed: 0)
    /// Set by `GemmProfile.measure`: every gemm call's shape and time.
    var gemmProfile: GemmProfile?
    /// Set by `MatrixProducts.use`: how Float matrix products round their operands.
    var matrixProducts = MatrixProducts.float32

    private static let key: pthread_key_t = {
        var key = pthread_key_t()
        pthread_key_create(&key) { pointer in
            if let pointer { Unmanaged<ThreadState>.fromOpaque(pointer).release() }
        }
        return key
    }()

    static var current: ThreadState {
        if let pointer = pthread_getspecific(key) {
            return Unmanaged<ThreadState>.fromOpaque(pointer).takeUnretainedValue()
        }
        let state = ThreadState()
        pthread_setspecific(key, Unmanaged.passRetained(state).toOpaque())
        return state
    }
}
