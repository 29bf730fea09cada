import Foundation

/// Reads one rank's batches of a pass (a `ShardPlan`) ahead of training, on a background thread.
///
/// The thread makes every HDF5 read (the dataset is opened and validated by the caller before);
/// it never touches MPI. It reads whole blocks (one chunk of each per-molecule dataset), keeps the
/// recent ones in a small cache — the epoch order visits a window of blocks at a time, so each
/// block is read about once per epoch — and stays up to `readAhead` batches ahead.
public final class BatchReader {
    public let plan: ShardPlan
    private let queue: ReadAheadQueue
    private var delivered = 0

    /// - Parameter firstBatch: where to start in the pass (resuming mid-epoch).
    public init(
        dataset: MoleculeDataset, plan: ShardPlan, options: BatchOptions, firstBatch: Int = 0,
        readAhead: Int = 4, cachedBlocks: Int = 18
    ) {
        self.plan = plan
        let queue = ReadAheadQueue(capacity: max(1, readAhead))
        self.queue = queue
        delivered = firstBatch
        let thread = Thread {
            Self.produce(dataset: dataset, plan: plan, options: options, firstBatch: firstBatch,
                         cachedBlocks: cachedBlocks, into: queue)
        }
        thread.name = "lgmcl batch reader"
        thread.start()
    }

    deinit { queue.cancel() }

    public var batchCount: Int { plan.batchCount }

    /// The next batch in the pass, nil after the last; rethrows a read error from the thread.
    public func next() throws -> MoleculeBatch? {
        guard let result = queue.take() else { return nil }
        delivered += 1
        return try result.get()
    }

    /// CPU seconds the background thread has spent so far, reading blocks and assembling
    /// batches: its share of a step is this over the step time.
    public var readerSeconds: Double { queue.cost.total }

    /// The same CPU seconds by phase.
    public var readerCost: ReaderCost { queue.cost }

    private static func produce(
        dataset: MoleculeDataset, plan: ShardPlan, options: BatchOptions, firstBatch: Int, cachedBlocks: Int,
        into queue: ReadAheadQueue
    ) {
        let blockSize = dataset.moleculesPerChunk
        var cache: [Int: MoleculeBlock] = [:]
        var lastUse: [Int: Int] = [:]
        do {
            for k in firstBatch ..< plan.batchCount {
                let start = threadCPUSeconds()
                let molecules = plan.share(ofBatch: k)
                for index in molecules {
                    let b = index / blockSize
                    if cache[b] == nil {
                        cache[b] = try dataset.read(b * blockSize ..< min((b + 1) * blockSize, dataset.count))
                    }
                    lastUse[b] = k
                }
                let read = threadCPUSeconds()
                let batch = MoleculeBatch(batchIndex: k, molecules: molecules, taskCount: dataset.taskCount,
                                          options: options) { cache[$0 / blockSize]! }
                // Least recently used blocks go once the cache is over its size.
                if cache.count > cachedBlocks {
                    for (b, _) in lastUse.sorted(by: { $0.value < $1.value }).prefix(cache.count - cachedBlocks) {
                        cache[b] = nil
                        lastUse[b] = nil
                    }
                }
                queue.add(ReaderCost(readSeconds: read - start, assembleSeconds: threadCPUSeconds() - read))
                guard queue.put(.success(batch)) else { return }
            }
        } catch {
            _ = queue.put(.failure(error))
        }
        queue.finish()
    }
}

/// A bounded hand-over between the reader thread and the training thread.
final class ReadAheadQueue: @unchecked Sendable {
    private let condition = NSCondition()
    private var items: [Result<MoleculeBatch, Error>] = []
    private var finished = false
    private var cancelled = false
    private var spent = ReaderCost()
    let capacity: Int

    init(capacity: Int) { self.capacity = capacity }

    /// Blocks while full; false when the consumer has gone.
    func put(_ item: Result<MoleculeBatch, Error>) -> Bool {
        condition.lock()
        defer { condition.unlock() }
        while items.count >= capacity && !cancelled { condition.wait() }
        guard !cancelled else { return false }
        items.append(item)
        condition.broadcast()
        return true
    }

    func finish() {
        condition.lock()
        finished = true
        condition.broadcast()
        condition.unlock()
    }

    /// Blocks until an item or the end; nil at the end.
    func take() -> Result<MoleculeBatch, Error>? {
        condition.lock()
        defer { condition.unlock() }
        while items.isEmpty && !finished { condition.wait() }
        guard !items.isEmpty else { return nil }
        condition.broadcast()
        return items.removeFirst()
    }

    func cancel() {
        condition.lock()
        cancelled = true
        condition.broadcast()
        condition.unlock()
    }

    func add(_ cost: ReaderCost) {
        condition.lock()
        spent.readSeconds += cost.readSeconds
        spent.assembleSeconds += cost.assembleSeconds
        condition.unlock()
    }

    var cost: ReaderCost {
        condition.lock()
        defer { condition.unlock() }
        return spent
    }
}

/// CPU seconds of the reader thread by phase: reading blocks (HDF5: decompression, unshuffling,
/// copying) and assembling batches from them.
public struct ReaderCost: Sendable, Equatable {
    public var readSeconds = 0.0
    public var assembleSeconds = 0.0
    public var total: Double { readSeconds + assembleSeconds }

    public init(readSeconds: Double = 0, assembleSeconds: Double = 0) {
        self.readSeconds = readSeconds
        self.assembleSeconds = assembleSeconds
    }
}

extension MoleculeDataset {
    /// The epoch order of this dataset, its blocks being its chunks.
    public func epochOrder(windowBlocks: Int = 8) -> EpochOrder {
        EpochOrder(count: count, blockSize: moleculesPerChunk, windowBlocks: windowBlocks)
    }
}
