import Foundation

/// Seconds on a monotonic clock (not affected by wall-clock changes), for durations. LGMCL has
/// its own (LGMCL/Support/Clock.swift): each module reads the clock without the other.
func monotonicSeconds() -> Double {
    var now = timespec()
    clock_gettime(CLOCK_MONOTONIC, &now)
    return Double(now.tv_sec) + Double(now.tv_nsec) * 1e-9
}
