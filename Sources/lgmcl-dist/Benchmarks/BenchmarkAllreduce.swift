import ArgumentParser
import Distributed
import Foundation
import LGMCL

/// Allreduce latency and bus bandwidth over message sizes, in the manner of osu_allreduce:
/// for each size, warm-up calls, then a barrier and a timed loop on every rank; the latency of a
/// rank is its loop time over the iterations, reported as the average, minimum and maximum over
/// ranks. Bus bandwidth follows nccl-tests: size / latency × 2(n − 1)/n, the bytes each rank's
/// link carries in a bandwidth-optimal allreduce, so it compares across rank counts.
struct BenchmarkAllreduce: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "allreduce",
        abstract: "Allreduce latency and bus bandwidth from 4 B to 64 MiB (float32 sum, in place).",
        discussion: paragraphs("""
            Run under mpirun across the nodes to measure, e.g.
              mpirun -np 2 --hostfile hostfiles/two-nodes lgmcl-dist benchmark allreduce
            Each size is checked for exact sums once before it is timed. With --json the last
            line is one JSON object with every size (docs/benchmarks-allreduce.md is made from it).

            With --gradients-of, one pretraining step's gradient sync of a model is timed instead:
            the stage's parameters, bucketed as `pretrain --bucket-mib` buckets them, with no
            backward to hide behind — what a run's "allreduce wait" would be with no overlap.
              mpirun … lgmcl-dist benchmark allreduce --gradients-of runs/pre/config.json --stage joint
            """)
    )

    @Option(help: "Smallest message in bytes (a power of two, at least 4).")
    var minBytes = 4

    @Option(help: "Largest message in bytes (a power of two).")
    var maxBytes = 64 << 20

    @Option(help: "Timed calls per size up to --large-from bytes.")
    var iterations = 1000

    @Option(help: "Timed calls per size from --large-from bytes on; fewer above 1 MiB, so each size moves at most 1 GiB (at least 10 calls).")
    var largeIterations = 100

    @Option(help: "Message size in bytes from which --large-iterations applies.")
    var largeFrom = 8192

    @Option(help: "Warm-up calls before timing: this many for small sizes, a tenth for large ones.")
    var warmup = 100

    @Option(parsing: .upToNextOption, help: "What to time: \(AllreduceMethod.allCases.map(\.rawValue).joined(separator: ", ")).")
    var methods: [AllreduceMethod] = AllreduceMethod.allCases

    @Option(help: "Time one step's gradient sync of this model instead of the size sweep: a preset (tiny, small, paper) or a config.json written beside a run's weights.")
    var gradientsOf: String?

    @Option(help: "With --gradients-of: the pretraining stage, whose trained parameters are synced.")
    var stage: PretrainStage = .graph

    @Option(help: "With --gradients-of: gradient bucket size in MiB (pretrain's --bucket-mib).")
    var bucketMib = GradientBucketSize.defaultMiB

    @Flag(help: "End with one JSON line holding every result.")
    var json = false

    func validate() throws {
        for (name, value) in [("--min-bytes", minBytes), ("--max-bytes", maxBytes)] {
            guard value >= 4, value & (value - 1) == 0 else {
                throw ValidationError("\(name) must be a power of two of at least 4 bytes, not \(value)")
            }
        }
        guard minBytes <= maxBytes else { throw ValidationError("--min-bytes \(minBytes) exceeds --max-bytes \(maxBytes)") }
        guard iterations > 0, largeIterations > 0, warmup >= 0 else {
            throw ValidationError("iterations must be positive and --warmup not negative")
        }
        guard bucketMib > 0 else { throw ValidationError("--bucket-mib must be positive") }
    }

    /// The gradient layout the bucketed methods sync: a model's trained parameters with
    /// --gradients-of, otherwise parameters of 64 Ki floats filling the buffer.
    func layout(bytes: Int) throws -> GradientLayout {
        guard let source = gradientsOf else { return .uniform(elements: bytes / MemoryLayout<Float>.size) }
        let configuration: ModelConfiguration
        if let preset = Preset(rawValue: source) {
            configuration = ModelConfiguration(preset: preset)
        } else if FileManager.default.fileExists(atPath: source) {
            configuration = try ModelConfiguration.load(from: URL(fileURLWithPath: source))
        } else {
            throw ValidationError("--gradients-of \(source): neither a preset (\(Preset.allCases.map(\.rawValue).joined(separator: ", "))) nor a file")
        }
        let trained = stage.trainedParameters(of: LGMCLModel<Float>(configuration))
        return GradientLayout(parameterCounts: trained.map(\.parameter.count),
                              capacity: GradientBucketSize.capacity(mib: bucketMib, of: Float.self))
    }

    func run() throws {
        Job.run { world in
            let hosts = try world.hostNames()
            if world.isRoot {
                print("# lgmcl-dist benchmark allreduce: \(world.size) ranks on \(hosts.count) host(s) (\(hosts.joined(separator: ", ")))")
                print("# \(Environment.libraryVersion)")
                print("# float32 sum, in place; latency over ranks (µs); bus bandwidth = size/avg × 2(n−1)/n")
            }
            let columns = "method        " + "bytes".leftPadded(10) + "iters".leftPadded(7) + "avg µs".leftPadded(11)
                + "min µs".leftPadded(11) + "max µs".leftPadded(11) + "busbw GB/s".leftPadded(12)
            var results: [AllreduceTiming] = []
            var model: GradientReport?
            if let source = gradientsOf {
                let layout = try layout(bytes: 0)
                let buckets = GradientBuckets<Float>(world: world, parameterCounts: layout.parameterCounts, capacity: layout.capacity)
                model = GradientReport(source: source, stage: stage.rawValue, tensors: layout.parameterCounts.count,
                                       elements: layout.elements, bucketMiB: bucketMib, buckets: buckets.buckets.map(\.count))
                if world.isRoot {
                    print("# gradients of \(source), stage \(stage.rawValue): \(layout.parameterCounts.count) tensors, \(layout.elements) floats "
                          + "in \(buckets.buckets.count) bucket(s) of at most \(bucketMib) MiB")
                    print(columns)
                }
                for method in methods {
                    let timing = try measure(method, bytes: layout.elements * MemoryLayout<Float>.size, layout: layout, world: world)
                    if world.isRoot { print(timing.line) }
                    results.append(timing)
                }
            } else {
                if world.isRoot { print(columns) }
                for method in methods {
                    var bytes = minBytes
                    while bytes <= maxBytes {
                        let timing = try measure(method, bytes: bytes, layout: try layout(bytes: bytes), world: world)
                        if world.isRoot { print(timing.line) }
                        results.append(timing)
                        bytes *= 2
                    }
                }
            }
            if world.isRoot, json {
                let report = AllreduceReport(ranks: world.size, hosts: hosts, mpi: Environment.libraryVersion,
                                             date: ISO8601DateFormatter().string(from: Date()), gradients: model, results: results)
                let encoder = JSONEncoder()
                encoder.outputFormatting = .sortedKeys
                print(String(decoding: try encoder.encode(report), as: UTF8.self))
            }
        }
    }

    func timedCalls(bytes: Int) -> Int {
        guard bytes >= largeFrom else { return iterations }
        return max(10, min(largeIterations, (1 << 30) / bytes))
    }

    func measure(_ method: AllreduceMethod, bytes: Int, layout: GradientLayout, world: Communicator) throws -> AllreduceTiming {
        let count = bytes / MemoryLayout<Float>.size
        let buffer = UnsafeMutableBufferPointer<Float>.allocate(capacity: count)
        defer { buffer.deallocate() }
        let reduce = try method.prepare(buffer, layout: layout, world: world)

        // One checked call: small integers, so the float sums are exact.
        for i in 0 ..< count { buffer[i] = Float((world.rank + 1) * (i % 5 + 1)) }
        try reduce()
        let rankSum = Float(world.size * (world.size + 1) / 2)
        for i in Set([0, count / 2, count - 1]) where buffer[i] != rankSum * Float(i % 5 + 1) {
            throw BenchmarkError(description: "\(method.rawValue) allreduce of \(bytes) B: element \(i) is \(buffer[i]), want \(rankSum * Float(i % 5 + 1))")
        }

        // Zeros while timing: repeated in-place sums of anything else grow without bound.
        for i in 0 ..< count { buffer[i] = 0 }
        let calls = timedCalls(bytes: bytes)
        for _ in 0 ..< (bytes >= largeFrom ? warmup / 10 : warmup) { try reduce() }
        try world.barrier()
        let start = DispatchTime.now().uptimeNanoseconds
        for _ in 0 ..< calls { try reduce() }
        let seconds = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9 / Double(calls)
        try world.barrier()

        let sum = try world.allreduce(seconds, op: .sum)
        let low = try world.allreduce(seconds, op: .min)
        let high = try world.allreduce(seconds, op: .max)
        let average = sum / Double(world.size)
        let busFactor = world.size > 1 ? 2 * Double(world.size - 1) / Double(world.size) : 0
        return AllreduceTiming(method: method.rawValue, bytes: bytes, iterations: calls,
                               averageMicroseconds: average * 1e6, minimumMicroseconds: low * 1e6,
                               maximumMicroseconds: high * 1e6,
                               busGigabytesPerSecond: Double(bytes) / average * busFactor / 1e9)
    }
}

/// The ways of summing a gradient-sized buffer over ranks that the benchmark compares.
enum AllreduceMethod: String, CaseIterable, ExpressibleByArgument {
    /// One MPI_Allreduce of the whole buffer through Communicator.
    case raw
    /// Distributed's GradientBuckets as training uses it: the buffer as the parameters of a
    /// `GradientLayout`, handed over in reverse order, packed into buckets whose MPI_Iallreduce
    /// starts as each fills, then unpacked. With no backward to overlap, this is the bucket
    /// path's full cost: the copies in and out and the non-blocking collectives.
    case buckets
    /// The same buckets reduced in rank order (`--deterministic`): an allgather and a local sum.
    case deterministic

    /// Sets up for `buffer` and returns the call to time; the buffer is summed over ranks in place.
    func prepare(_ buffer: UnsafeMutableBufferPointer<Float>, layout: GradientLayout, world: Communicator) throws -> () throws -> Void {
        switch self {
        case .raw:
            return { try world.allreduce(buffer) }
        case .buckets, .deterministic:
            let counts = layout.parameterCounts
            precondition(layout.elements == buffer.count)
            let offsets = counts.reduce(into: [0]) { $0.append($0.last! + $1) }
            let buckets = GradientBuckets<Float>(world: world, parameterCounts: counts, capacity: layout.capacity,
                                                 reduction: self == .buckets ? .overlapped : .deterministic)
            return {
                for p in counts.indices.reversed() {
                    try buckets.gradientReady(p, UnsafeBufferPointer(rebasing: buffer[offsets[p] ..< offsets[p + 1]]))
                    try buckets.progress()
                }
                try buckets.finish { p, reduced in
                    _ = UnsafeMutableBufferPointer(rebasing: buffer[offsets[p] ..< offsets[p + 1]]).update(fromContentsOf: reduced)
                }
            }
        }
    }
}

/// Parameter sizes, in the order a model lists them, and the bucket capacity in elements.
struct GradientLayout {
    let parameterCounts: [Int]
    let capacity: Int

    var elements: Int { parameterCounts.reduce(0, +) }

    /// Parameters of 64 Ki floats (a mid-sized weight matrix) filling `elements`, in buckets of
    /// 1 Mi floats (4 MiB of Float32).
    static func uniform(elements: Int) -> GradientLayout {
        let size = 1 << 16
        return GradientLayout(parameterCounts: stride(from: 0, to: elements, by: size).map { min(size, elements - $0) },
                              capacity: 1 << 20)
    }
}

struct AllreduceTiming: Encodable {
    let method: String
    let bytes: Int
    let iterations: Int
    let averageMicroseconds: Double
    let minimumMicroseconds: Double
    let maximumMicroseconds: Double
    let busGigabytesPerSecond: Double

    enum CodingKeys: String, CodingKey {
        case method, bytes, iterations
        case averageMicroseconds = "avg_us", minimumMicroseconds = "min_us", maximumMicroseconds = "max_us"
        case busGigabytesPerSecond = "busbw_gbps"
    }

    var line: String {
        method.padding(toLength: 14, withPad: " ", startingAt: 0) + "\(bytes)".leftPadded(10) + "\(iterations)".leftPadded(7)
            + String(format: "%11.2f%11.2f%11.2f%12.3f", averageMicroseconds, minimumMicroseconds,
                     maximumMicroseconds, busGigabytesPerSecond)
    }
}

struct AllreduceReport: Encodable {
    let benchmark = "allreduce"
    let ranks: Int
    let hosts: [String]
    let mpi: String
    let date: String
    let gradients: GradientReport?
    let results: [AllreduceTiming]
}

/// The model gradient timed with --gradients-of.
struct GradientReport: Encodable {
    let source: String
    let stage: String
    let tensors: Int
    let elements: Int
    let bucketMiB: Double
    /// Elements per bucket, in the order they start.
    let buckets: [Int]

    enum CodingKeys: String, CodingKey {
        case source, stage, tensors, elements, buckets
        case bucketMiB = "bucket_mib"
    }
}

struct BenchmarkError: Error, CustomStringConvertible {
    let description: String
}

extension String {
    func leftPadded(_ width: Int) -> String {
        count >= width ? " " + self : String(repeating: " ", count: width - count) + self
    }
}
