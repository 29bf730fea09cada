// Cases for the multi-rank tests: `mpirun -np N mpi-checks CASE`. Each case computes on every
// rank and compares with values derived independently in closed form; a mismatch throws, which
// ends the job non-zero through Job.run. Rank 0 prints "PASS CASE" at the end.
import Distributed
import Foundation

struct Mismatch: Error, CustomStringConvertible {
    let description: String
}

func expect<T: Equatable>(_ got: T, _ want: T, _ what: String, rank: Int) throws {
    guard got == want else { throw Mismatch(description: "rank \(rank): \(what): got \(got), want \(want)") }
}

/// A value that depends on rank and index, exact in Float and Double (small integers and halves).
func value(_ rank: Int, _ i: Int) -> Double { Double((rank + 1) * 3 + i % 7) * 0.5 }

func checkAllreduce<T: MPIScalar & BinaryFloatingPoint>(_ world: Communicator, _: T.Type) throws {
    let n = 37
    var sums = (0 ..< n).map { T(value(world.rank, $0)) }
    var maxima = sums
    var minima = sums
    try world.allreduce(&sums, op: .sum)
    try world.allreduce(&maxima, op: .max)
    try world.allreduce(&minima, op: .min)
    for i in 0 ..< n {
        let all = (0 ..< world.size).map { value($0, i) }
        try expect(sums[i], T(all.reduce(0, +)), "\(T.self) sum[\(i)]", rank: world.rank)
        try expect(maxima[i], T(all.max()!), "\(T.self) max[\(i)]", rank: world.rank)
        try expect(minima[i], T(all.min()!), "\(T.self) min[\(i)]", rank: world.rank)
    }
}

func checkGathers<T: MPIScalar & BinaryFloatingPoint>(_ world: Communicator, _: T.Type) throws {
    // Equal counts.
    let equal = try world.allgather((0 ..< 5).map { T(value(world.rank, $0)) })
    try expect(equal, (0 ..< world.size).flatMap { r in (0 ..< 5).map { T(value(r, $0)) } }, "\(T.self) allgather", rank: world.rank)
    // Uneven counts, including an empty contribution: rank r sends (2r) mod 5 values.
    let count = { (r: Int) in (2 * r) % 5 }
    let (values, counts) = try world.allgatherVariable((0 ..< count(world.rank)).map { T(value(world.rank, $0)) })
    try expect(counts, (0 ..< world.size).map(count), "\(T.self) allgatherv counts", rank: world.rank)
    try expect(values, (0 ..< world.size).flatMap { r in (0 ..< count(r)).map { T(value(r, $0)) } },
               "\(T.self) allgatherv values", rank: world.rank)
    // Reduce-scatter of uneven blocks: rank r receives r + 1 elements (rank 0 of 3 gets 1, …).
    let blocks = (0 ..< world.size).map { $0 + 1 }
    let total = blocks.reduce(0, +)
    let scattered = try world.reduceScatter((0 ..< total).map { T(value(world.rank, $0)) }, counts: blocks)
    let start = blocks[..<world.rank].reduce(0, +)
    let want = (start ..< start + blocks[world.rank]).map { i in T((0 ..< world.size).map { value($0, i) }.reduce(0, +)) }
    try expect(scattered, want, "\(T.self) reduce-scatter", rank: world.rank)
}

/// An allreduce large enough to be the bulk of the traffic (the multi-host test reads the veth
/// byte counters to see it cross the links): 4 Mi floats, 16 MiB per rank.
func checkLargeAllreduce(_ world: Communicator) throws {
    let n = 4 << 20
    var buffer = (0 ..< n).map { Float(value(world.rank, $0)) }
    try world.allreduce(&buffer)
    for i in stride(from: 0, to: n, by: 4093) {
        try expect(buffer[i], Float((0 ..< world.size).map { value($0, i) }.reduce(0, +)), "large[\(i)]", rank: world.rank)
    }
}

/// Checked allreduces of 1 MiB for `seconds`, so that faults can be injected mid-run. Rank 0's
/// clock decides when to stop, carried in the last element, so all ranks run the same steps.
func loop(_ world: Communicator, seconds: Double) throws {
    let n = 1 << 18
    let start = Date()
    var step = 0
    while true {
        var buffer = (0 ..< n).map { Float(value(world.rank, $0 + step)) }
        buffer.append(world.isRoot && Date().timeIntervalSince(start) > seconds ? 1 : 0)
        try world.allreduce(&buffer)
        for i in [0, n / 2, n - 1] {
            let want = Float((0 ..< world.size).map { value($0, i + step) }.reduce(0, +))
            try expect(buffer[i], want, "loop step \(step) [\(i)]", rank: world.rank)
        }
        step += 1
        if step == 1, world.isRoot {
            // The fault-injection harness waits for this line before it strikes.
            print("loop running on \(world.size) ranks")
            fflush(stdout)
        }
        if buffer[n] > 0 { break }
    }
    if world.isRoot { print("loop: \(step) steps in \(String(format: "%.1f", Date().timeIntervalSince(start))) s") }
}

let name = CommandLine.arguments.dropFirst().first ?? ""
// A stop by signal ends with 75 (EX_TEMPFAIL), as pretrain does: unfinished, not a success.
var status: Int32 = 0
Job.runWithStatus { world in
    switch name {
    case "allreduce":
        try checkAllreduce(world, Float.self)
        try checkAllreduce(world, Double.self)
        let total = try world.allreduce(world.rank + 1)
        try expect(total, world.size * (world.size + 1) / 2, "Int sum", rank: world.rank)
        try expect(try world.allreduce(world.rank, op: .max), world.size - 1, "Int max", rank: world.rank)
    case "gather":
        try checkGathers(world, Float.self)
        try checkGathers(world, Double.self)
        let names = try world.allgather(string: "r\(world.rank)" + String(repeating: "x", count: world.rank))
        try expect(names, (0 ..< world.size).map { "r\($0)" + String(repeating: "x", count: $0) }, "strings", rank: world.rank)
    case "broadcast":
        var values = world.isRoot ? [1.5, 2.5, 3.5] : [0.0, 0.0, 0.0]
        try world.broadcast(&values)
        try expect(values, [1.5, 2.5, 3.5], "broadcast", rank: world.rank)
        let text = try world.broadcast(string: world.isRoot ? "vocabulary ✓" : "")
        try expect(text, "vocabulary ✓", "broadcast string", rank: world.rank)
        let last = try world.broadcast(array: [Int](repeating: world.rank, count: world.rank + 1), root: world.size - 1)
        try expect(last, [Int](repeating: world.size - 1, count: world.size), "broadcast from last rank", rank: world.rank)
    case "split":
        // Ranks 0, 2, 4, … and 1, 3, 5, …: each group sums its own ranks, unseen by the other.
        let group = try world.split(color: world.rank % 2)
        try expect(group.size, (world.size - world.rank % 2 + 1) / 2, "group size", rank: world.rank)
        try expect(group.rank, world.rank / 2, "rank in group", rank: world.rank)
        let sum = try group.allreduce(world.rank)
        try expect(sum, stride(from: world.rank % 2, to: world.size, by: 2).reduce(0, +), "group sum", rank: world.rank)
        try world.barrier()
    case "nonblocking":
        var buffer = (0 ..< 1000).map { Float(value(world.rank, $0)) }
        try buffer.withUnsafeMutableBufferPointer { pointer in
            let request = try world.startAllreduce(pointer)
            while try !request.test() {}
        }
        for i in [0, 499, 999] {
            try expect(buffer[i], Float((0 ..< world.size).map { value($0, i) }.reduce(0, +)), "iallreduce[\(i)]", rank: world.rank)
        }
    case "buckets":
        // Parameters of uneven sizes, one larger than a bucket; gradients arrive in reverse order
        // (as backward produces them) with rank-dependent values; a parameter may skip a step.
        let counts = [3, 700, 1, 2500, 64, 0, 129]
        for reduction in [GradientBuckets<Float>.Reduction.overlapped, .deterministic] {
            let buckets = GradientBuckets(world: world, parameterCounts: counts, capacity: 1000, reduction: reduction)
            try expect(buckets.buckets.flatMap(\.parameters), Array(counts.indices.reversed()), "bucket order", rank: world.rank)
            for step in 0 ..< 3 {
                for p in counts.indices.reversed() where !(step == 1 && p == 4) {
                    let gradient = (0 ..< counts[p]).map { Float(value(world.rank, $0 + p + step)) }
                    try gradient.withUnsafeBufferPointer { try buckets.gradientReady(p, $0) }
                    try buckets.progress()
                }
                var reduced = counts.map { [Float](repeating: -1, count: $0) }
                try buckets.finish(scale: 0.5) { p, sums in reduced[p] = Array(sums) }
                for p in counts.indices {
                    let want = (0 ..< counts[p]).map { i -> Float in
                        step == 1 && p == 4 ? 0 : Float((0 ..< world.size).map { value($0, i + p + step) }.reduce(0, +) * 0.5)
                    }
                    try expect(reduced[p], want, "\(reduction) step \(step) parameter \(p)", rank: world.rank)
                }
            }
        }
    case "steps":
        // A training-like loop: an allreduce per step, heartbeats, the fault switch, stop signals.
        // Arguments: steps, watchdog timeout (s), run directory.
        let arguments = Array(CommandLine.arguments.dropFirst(2))
        let steps = Int(arguments.first ?? "") ?? 20
        let timeout = Double(arguments.dropFirst().first ?? "") ?? 5
        let directory = URL(fileURLWithPath: arguments.dropFirst(2).first ?? NSTemporaryDirectory())
        let fault = try Fault.fromEnvironment()
        StopRequest.install()
        let watchdog = try Watchdog(directory: directory.appendingPathComponent("heartbeats"),
                                    rank: world.rank, size: world.size, timeout: timeout)
        watchdog.start()
        for step in 1 ... steps {
            watchdog.enter("compute", step: step)
            var poisoned = false
            if let fault { poisoned = fault.fire(rank: world.rank, size: world.size, step: step, phase: "step") }
            usleep(100_000)
            watchdog.enter("allreduce", step: step)
            let total = try world.allreduce(poisoned ? Double.nan : 1.0)
            guard total.isFinite else { throw Mismatch(description: "non-finite value at step \(step)") }
            watchdog.stepCompleted(step)
            if world.isRoot { print("step \(step)") }
            if try StopRequest.shouldStop(world: world) {
                if world.isRoot { print("stopped at step \(step) by signal") }
                status = 75
                break
            }
        }
        watchdog.stop()
    case "large":
        try checkLargeAllreduce(world)
    case "loop":
        let seconds = CommandLine.arguments.dropFirst(2).first.flatMap(Double.init) ?? 30
        try loop(world, seconds: seconds)
    case "throw":
        // The last rank fails while the others wait in a collective that can never complete.
        if world.rank == world.size - 1 {
            throw Mismatch(description: "deliberate failure on rank \(world.rank)")
        }
        try world.barrier()
    default:
        throw Mismatch(description: "unknown case '\(name)' (allreduce, gather, broadcast, nonblocking, buckets, steps, large, loop [SECONDS], throw)")
    }
    try world.barrier()
    if world.isRoot { print("PASS \(name) on \(world.size) ranks") }
    return status
}
