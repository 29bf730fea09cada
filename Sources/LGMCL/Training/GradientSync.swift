import Distributed

/// The data-parallel half of a training step, shared by every trainer: all replicas start from
/// rank 0's weights, and each step's parameter gradients stream into buckets whose allreduce
/// (SUM) starts while backward is still running, then land back in the parameters.
public final class GradientSync<Scalar: TensorScalar & MPIScalar> {
    let world: Communicator
    let trained: [(name: String, parameter: Parameter<Scalar>)]
    let buckets: GradientBuckets<Scalar>
    let index: [ObjectIdentifier: Int]

    init(world: Communicator, trained: [(name: String, parameter: Parameter<Scalar>)], bucketMiB: Double, deterministic: Bool) {
        self.world = world
        self.trained = trained
        var index: [ObjectIdentifier: Int] = [:]
        for (i, entry) in trained.enumerated() { index[ObjectIdentifier(entry.parameter)] = i }
        self.index = index
        buckets = GradientBuckets(world: world, parameterCounts: trained.map(\.parameter.count),
                                  capacity: GradientBucketSize.capacity(mib: bucketMiB, of: Scalar.self),
                                  reduction: deterministic ? .deterministic : .overlapped)
    }

    /// Every rank must hold the same parameters in the same order, or the bucketed allreduce
    /// would sum unrelated numbers: compare a hash of names and shapes, then start from rank 0's
    /// weights.
    func agree(on stateDict: [(name: String, parameter: Parameter<Scalar>)]) throws {
        var hasher = FNV1a()
        for entry in stateDict {
            hasher.add(entry.name)
            for d in entry.parameter.shape { hasher.add(String(d)) }
        }
        let hashes = try world.allgather([Int(bitPattern: UInt(hasher.value))])
        if let bad = hashes.firstIndex(where: { $0 != hashes[0] }) {
            throw PretrainError(description: "rank \(bad) built a model with different parameters than rank 0 (names/shapes hash differs): all ranks must use the same preset and configuration")
        }
        for entry in stateDict { try world.broadcast(entry.parameter.values) }
    }

    /// Replicas that drifted apart would go on training different models under one name, and the
    /// checkpoint (rank 0's) would hide it: every rank hashes the bits of its weights and all
    /// must agree. Returns the shared hash. Cheap next to a step; run at the end of training.
    func checkReplicas(_ stateDict: [(name: String, parameter: Parameter<Scalar>)], step: Int) throws -> String {
        // Parameter by parameter: a copy of all weights would double a large preset's memory.
        let digest = SHA256Digest()
        for entry in stateDict { digest.add(UnsafeRawBufferPointer(entry.parameter.values)) }
        let hash = String(digest.hex().prefix(16))
        let hashes = try world.allgather(string: hash)
        let differing = hashes.indices.filter { hashes[$0] != hashes[0] }
        guard differing.isEmpty else {
            throw PretrainError(description: "the replicas diverged: after step \(step), rank\(differing.count == 1 ? "" : "s") \(differing.map(String.init).joined(separator: ", ")) hold other weights than rank 0 (a bug in gradient synchronisation; please report it with the command line)")
        }
        return hash
    }

    /// Backward of `loss`, starting each bucket's allreduce as soon as its gradients are ready.
    /// Every trained parameter must receive a gradient, or its bucket would never start.
    func backward(_ loss: Tensor<Scalar>) throws {
        var failure: Error?
        loss.backward { parameter in
            guard failure == nil, let i = self.index[ObjectIdentifier(parameter)] else { return }
            do {
                try self.buckets.gradientReady(i, UnsafeBufferPointer(parameter.gradients))
                try self.buckets.progress()
            } catch { failure = error }
        }
        if let failure { throw failure }
    }

    /// Waits for the outstanding allreduces and stores the global sums as the gradients; returns
    /// the seconds spent waiting (the sync time backward did not hide).
    func finish() throws -> Double {
        let waitedBefore = buckets.exposedWaitSeconds
        try buckets.finish { i, sums in
            _ = self.trained[i].parameter.gradients.update(fromContentsOf: sums)
        }
        return buckets.exposedWaitSeconds - waitedBefore
    }

    // MARK: Measuring

    /// How many buckets, and how many gradient values they carry.
    public var bucketLayout: (buckets: Int, values: Int) {
        (buckets.buckets.count, buckets.buckets.reduce(0) { $0 + $1.count })
    }

    /// Seconds per step of the bucket collectives with nothing to overlap them, averaged over
    /// `repetitions` and over ranks. Against the wait a training step exposes, it tells how much
    /// of the allreduce backward hid.
    public func allreduceAloneSeconds(repetitions: Int) throws -> Double {
        var total = 0.0
        for _ in 0 ..< max(1, repetitions) { total += try buckets.collectivesAloneSeconds() }
        return try world.allreduce(total, op: .sum) / Double(world.size * max(1, repetitions))
    }
}

/// 64-bit FNV-1a, for comparing parameter layouts across ranks.
struct FNV1a {
    var value: UInt64 = 0xcbf2_9ce4_8422_2325
    mutating func add(_ text: String) {
        for byte in text.utf8 + [0] {
            value ^= UInt64(byte)
            value = value &* 0x100_0000_01b3
        }
    }
}
