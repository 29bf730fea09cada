import Foundation

// Every clock LGMCL reads, in the leaf layer, so that timing a piece of work pulls in no other
// layer. Distributed, a module below LGMCL, keeps its own monotonic clock.

/// Seconds on a monotonic clock (not affected by wall-clock changes), for durations.
func monotonicSeconds() -> Double {
    seconds(of: CLOCK_MONOTONIC)
}

/// CPU seconds this process has used (all threads): beside wall time it tells how much of a
/// core a rank really got on a shared machine.
func processCPUSeconds() -> Double {
    seconds(of: CLOCK_PROCESS_CPUTIME_ID)
}

/// CPU seconds the calling thread has run: what a piece of work costs, whatever else shares
/// the cores (wall time on a loaded machine mostly measures the others). Public for the
/// benchmarks of lgmcl-dist.
public func threadCPUSeconds() -> Double {
    seconds(of: CLOCK_THREAD_CPUTIME_ID)
}

private func seconds(of clock: clockid_t) -> Double {
    var now = timespec()
    clock_gettime(clock, &now)
    return Double(now.tv_sec) + Double(now.tv_nsec) * 1e-9
}
