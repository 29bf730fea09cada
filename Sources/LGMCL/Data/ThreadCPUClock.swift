import Foundation

/// CPU seconds the calling thread has run: what a piece of work costs, whatever else shares
/// the cores (wall time on a loaded machine mostly measures the others).
func threadCPUSeconds() -> Double {
    var now = timespec()
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &now)
    return Double(now.tv_sec) + Double(now.tv_nsec) * 1e-9
}
