/// Which molecules rank `rank` of `rankCount` reads, batch by batch, for one pass over a dataset.
///
/// Global batch k is the k-th slice of `globalBatchSize` molecules of the pass's order; each
/// rank takes its contiguous share of it (rank r the r-th). Training passes drop an incomplete
/// last batch, so every rank runs the same number of steps with equal shares; evaluation passes
/// keep it and split it as evenly as possible (a rank may get one molecule fewer, or none).
///
/// With `costs`, a training batch is dealt instead: the same number of molecules per rank, and
/// their summed costs as equal as a greedy deal makes them. Why: a step ends when the slowest rank
/// is done, and molecules of the same batch can differ threefold in what they cost, so a
/// contiguous share leaves the rank with the cheaper half waiting at every step.
public struct ShardPlan: Equatable, Sendable {
    /// The pass's molecule indices in visiting order.
    public let order: [Int]
    public let globalBatchSize: Int
    public let rank: Int
    public let rankCount: Int
    public let dropsIncompleteBatch: Bool
    /// What each molecule of the dataset costs a step, by dataset index (any unit): training
    /// batches are dealt by it. Nil: contiguous shares.
    public let costs: [Float]?

    public init(order: [Int], globalBatchSize: Int, rank: Int = 0, rankCount: Int = 1, dropsIncompleteBatch: Bool,
                costs: [Float]? = nil) throws {
        guard globalBatchSize > 0, rankCount > 0, (0 ..< rankCount).contains(rank) else {
            throw ShardPlanError(message: "global batch \(globalBatchSize), rank \(rank) of \(rankCount) make no plan")
        }
        guard globalBatchSize % rankCount == 0 else {
            throw ShardPlanError(message: "global batch size \(globalBatchSize) is not divisible by the \(rankCount) ranks (each rank must get an equal share)")
        }
        self.order = order
        self.globalBatchSize = globalBatchSize
        self.rank = rank
        self.rankCount = rankCount
        self.dropsIncompleteBatch = dropsIncompleteBatch
        if let costs, let outside = order.first(where: { !(0 ..< costs.count).contains($0) }) {
            throw ShardPlanError(message: "molecule \(outside) has no cost (\(costs.count) costs)")
        }
        self.costs = costs
    }

    /// A training epoch over the whole dataset: shuffled, incomplete last batch dropped.
    public static func training(
        _ order: EpochOrder, seed: UInt64, epoch: Int, globalBatchSize: Int, rank: Int = 0, rankCount: Int = 1,
        costs: [Float]? = nil
    ) throws -> ShardPlan {
        try ShardPlan(order: order.permutation(seed: seed, epoch: epoch), globalBatchSize: globalBatchSize,
                      rank: rank, rankCount: rankCount, dropsIncompleteBatch: true, costs: costs)
    }

    /// A training epoch over a fixed subset (a fine-tuning split): the whole-file epoch order
    /// restricted to the subset, which keeps its block locality.
    public static func training(
        _ order: EpochOrder, subset: [Int], seed: UInt64, epoch: Int, globalBatchSize: Int,
        rank: Int = 0, rankCount: Int = 1, dropsIncompleteBatch: Bool = true, costs: [Float]? = nil
    ) throws -> ShardPlan {
        var member = [Bool](repeating: false, count: order.count)
        for i in subset {
            guard (0 ..< order.count).contains(i) else {
                throw ShardPlanError(message: "subset index \(i) outside the dataset's \(order.count) molecules")
            }
            member[i] = true
        }
        return try ShardPlan(order: order.permutation(seed: seed, epoch: epoch).filter { member[$0] },
                             globalBatchSize: globalBatchSize, rank: rank, rankCount: rankCount,
                             dropsIncompleteBatch: dropsIncompleteBatch, costs: costs)
    }

    /// Every listed molecule once, in the given order (evaluation, prediction): the last
    /// batch is kept even when incomplete.
    public static func sequential(
        _ indices: [Int], globalBatchSize: Int, rank: Int = 0, rankCount: Int = 1
    ) throws -> ShardPlan {
        try ShardPlan(order: indices, globalBatchSize: globalBatchSize, rank: rank, rankCount: rankCount,
                      dropsIncompleteBatch: false)
    }

    /// Steps in the pass: the same on every rank.
    public var batchCount: Int {
        dropsIncompleteBatch ? order.count / globalBatchSize : (order.count + globalBatchSize - 1) / globalBatchSize
    }

    /// Global batch k, all ranks' molecules.
    public func globalBatch(_ k: Int) -> ArraySlice<Int> {
        order[k * globalBatchSize ..< min((k + 1) * globalBatchSize, order.count)]
    }

    /// This rank's molecules of global batch k, in the batch's order.
    public func share(ofBatch k: Int) -> [Int] {
        let batch = globalBatch(k)
        let m = batch.count
        let start = batch.startIndex
        guard let costs, rankCount > 1, m % rankCount == 0 else {
            return Array(batch[start + rank * m / rankCount ..< start + (rank + 1) * m / rankCount])
        }
        // Dearest first, each to the rank with the least cost so far that still has room (ties:
        // the lower rank); every rank computes the same deal.
        let perRank = m / rankCount
        let dearestFirst = batch.indices.sorted { (costs[batch[$0]], $1) > (costs[batch[$1]], $0) }
        var load = [Double](repeating: 0, count: rankCount), taken = [Int](repeating: 0, count: rankCount)
        var mine: [Int] = []
        for position in dearestFirst {
            var r = -1
            for candidate in 0 ..< rankCount where taken[candidate] < perRank && (r < 0 || load[candidate] < load[r]) {
                r = candidate
            }
            load[r] += Double(costs[batch[position]])
            taken[r] += 1
            if r == rank { mine.append(position) }
        }
        return mine.sorted().map { batch[$0] }
    }
}

public struct ShardPlanError: Error, CustomStringConvertible {
    public let message: String
    public var description: String { message }
}
