/// Sums gradients over ranks in flat buckets whose allreduces overlap the rest of backward.
///
/// Parameters are bucketed in reverse order — the order backward finalises them — up to
/// `capacity` elements per bucket (a parameter larger than that gets a bucket of its own). The
/// layout depends only on the parameter sizes, so it is the same on every rank, and so is the
/// order in which buckets start: a bucket starts when all of its parameters are ready, and
/// buckets start in layout order even if a later one fills first (every rank must issue the
/// non-blocking collectives in the same order).
///
/// All calls come from the training thread; MPI progress is driven by `progress()` calls there.
public final class GradientBuckets<Element: MPIScalar & FloatingPoint> {
    public struct Bucket: Sendable {
        /// Indices into the parameter list, in the order they are packed.
        public let parameters: [Int]
        /// Offset of each of those parameters within the bucket.
        public let offsets: [Int]
        public let count: Int
    }

    public enum Reduction: Sendable {
        /// MPI_Iallreduce, overlapped with backward. Open MPI's algorithm choice may vary the
        /// summation order between launches.
        case overlapped
        /// Every rank's bucket is gathered and summed in rank order: bit-identical across hosts
        /// and launches, at N times the traffic and without overlap.
        case deterministic
    }

    public let buckets: [Bucket]
    let bucketOf: [Int]  // parameter → bucket
    let slotOf: [Int]  // parameter → position within its bucket's parameter list
    let parameterCounts: [Int]
    let world: Communicator
    let reduction: Reduction
    var storage: [UnsafeMutableBufferPointer<Element>]
    var readyCount: [Int]
    var requests: [Request?]
    var nextToStart = 0

    /// Time spent blocked in `finish` waiting for allreduces that backward did not hide.
    public private(set) var exposedWaitSeconds = 0.0

    public init(world: Communicator, parameterCounts: [Int], capacity: Int = 1 << 20, reduction: Reduction = .overlapped) {
        precondition(capacity > 0)
        self.world = world
        self.parameterCounts = parameterCounts
        self.reduction = reduction
        var buckets: [Bucket] = []
        var members: [Int] = []
        var offsets: [Int] = []
        var filled = 0
        for index in parameterCounts.indices.reversed() {
            let count = parameterCounts[index]
            if filled > 0, filled + count > capacity {
                buckets.append(Bucket(parameters: members, offsets: offsets, count: filled))
                members = []
                offsets = []
                filled = 0
            }
            members.append(index)
            offsets.append(filled)
            filled += count
        }
        if !members.isEmpty { buckets.append(Bucket(parameters: members, offsets: offsets, count: filled)) }
        self.buckets = buckets

        var bucketOf = [Int](repeating: 0, count: parameterCounts.count)
        var slotOf = [Int](repeating: 0, count: parameterCounts.count)
        for (b, bucket) in buckets.enumerated() {
            for (slot, parameter) in bucket.parameters.enumerated() {
                bucketOf[parameter] = b
                slotOf[parameter] = slot
            }
        }
        self.bucketOf = bucketOf
        self.slotOf = slotOf
        storage = buckets.map { bucket in
            let buffer = UnsafeMutableBufferPointer<Element>.allocate(capacity: bucket.count)
            buffer.initialize(repeating: 0)
            return buffer
        }
        readyCount = [Int](repeating: 0, count: buckets.count)
        requests = [Request?](repeating: nil, count: buckets.count)
    }

    deinit {
        for buffer in storage { buffer.deallocate() }
    }

    /// Copies a parameter's final gradient into its bucket; starts the bucket's reduction once
    /// the bucket is complete (and every earlier bucket has started).
    public func gradientReady(_ parameter: Int, _ gradient: UnsafeBufferPointer<Element>) throws {
        precondition(gradient.count == parameterCounts[parameter], "gradient \(parameter) has \(gradient.count) values, expected \(parameterCounts[parameter])")
        let b = bucketOf[parameter]
        let offset = buckets[b].offsets[slotOf[parameter]]
        _ = UnsafeMutableBufferPointer(rebasing: storage[b][offset ..< offset + gradient.count]).initialize(from: gradient)
        readyCount[b] += 1
        try startCompleteBuckets()
    }

    /// Lets MPI advance outstanding reductions (Open MPI progresses non-blocking collectives only
    /// inside MPI calls); call it between backward ops.
    public func progress() throws {
        for request in requests { if let request { _ = try request.test() } }
    }

    /// Waits for every bucket, scales the sums by `scale`, and hands each parameter's reduced
    /// gradient to `body`. Parameters that never reported (no gradient this step) are reduced as
    /// zeros, so every rank still issues the same collectives.
    public func finish(scale: Element = 1, _ body: (_ parameter: Int, _ reduced: UnsafeBufferPointer<Element>) throws -> Void) throws {
        try startRemainingBuckets()
        let start = monotonicSeconds()
        try waitForBuckets()
        exposedWaitSeconds += monotonicSeconds() - start
        for (b, bucket) in buckets.enumerated() {
            let sums = storage[b]
            if scale != 1 { for i in sums.indices { sums[i] *= scale } }
            for (slot, parameter) in bucket.parameters.enumerated() {
                let offset = bucket.offsets[slot]
                try body(parameter, UnsafeBufferPointer(rebasing: sums[offset ..< offset + parameterCounts[parameter]]))
            }
            clear(b)
        }
        nextToStart = 0
    }

    /// Seconds the buckets' collectives take with nothing beside them: every bucket started
    /// back to back after a barrier, then waited for. What a step would expose if backward hid
    /// none of it. The packing copies are left out (a step does them during backward either
    /// way); the bucket contents are reduced as they are and discarded.
    public func collectivesAloneSeconds() throws -> Double {
        try world.barrier()
        let start = monotonicSeconds()
        try startRemainingBuckets()
        try waitForBuckets()
        let elapsed = monotonicSeconds() - start
        for b in buckets.indices { clear(b) }
        nextToStart = 0
        return elapsed
    }

    /// Counts every bucket complete and starts those not yet started. A parameter without a
    /// gradient keeps the zeros its slot was cleared to after the last step.
    func startRemainingBuckets() throws {
        for b in buckets.indices { readyCount[b] = buckets[b].parameters.count }
        try startCompleteBuckets()
    }

    func waitForBuckets() throws {
        for b in buckets.indices {
            try requests[b]?.wait()
            requests[b] = nil
        }
    }

    /// Zeros a bucket for the next step.
    func clear(_ b: Int) {
        storage[b].update(repeating: 0)
        readyCount[b] = 0
    }

    func startCompleteBuckets() throws {
        while nextToStart < buckets.count, readyCount[nextToStart] == buckets[nextToStart].parameters.count {
            let b = nextToStart
            switch reduction {
            case .overlapped:
                requests[b] = try world.startAllreduce(storage[b])
            case .deterministic:
                try world.sumInRankOrder(storage[b])
            }
            nextToStart += 1
        }
    }
}
