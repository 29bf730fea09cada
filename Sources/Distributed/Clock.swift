import Foundation

/// Seconds on a monotonic clock (not affected by wall-clock changes), for durations. Internal:
/// LGMCL reads its own (LGMCL/Support/Clock.swift), so no clock crosses the module boundary.
func monotonicSeconds() -> Double {
    var now = timespec()
    clock_gettime(CLOCK_MONOTONIC, &now)
    return Double(now.tv_sec) + Double(now.tv_nsec) * 1e-9
}
