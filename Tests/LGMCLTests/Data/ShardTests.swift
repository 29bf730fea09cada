@testable import LGMCL
import Testing

struct ShardTests {
    let order = EpochOrder(count: 2_000, blockSize: 64, windowBlocks: 4)

    @Test func anEpochVisitsEveryMoleculeOnceInAnOrderNamedBySeedAndEpoch() {
        let p = order.permutation(seed: 7, epoch: 3)
        #expect(p.sorted() == Array(0 ..< 2_000))
        #expect(order.permutation(seed: 7, epoch: 3) == p)
        #expect(order.permutation(seed: 7, epoch: 4) != p)
        #expect(order.permutation(seed: 8, epoch: 3) != p)
        #expect(p != Array(0 ..< 2_000))
    }

    @Test func eachWindowDrawsFromAtMostItsBlocks() {
        let p = order.permutation(seed: 1, epoch: 0)
        let windowMolecules = order.blockSize * order.windowBlocks
        var blocksSeen = Set<Int>()
        for start in stride(from: 0, to: p.count, by: windowMolecules) {
            let blocks = Set(p[start ..< min(start + windowMolecules, p.count)].map { $0 / order.blockSize })
            #expect(blocks.count <= order.windowBlocks)
            #expect(blocks.isDisjoint(with: blocksSeen), "a block recurs in a later window")
            blocksSeen.formUnion(blocks)
        }
        // Within a window the molecules of its blocks are mixed, not left block by block.
        let first = p.prefix(windowMolecules).map { $0 / order.blockSize }
        #expect(zip(first, first.dropFirst()).filter { $0 != $1 }.count > order.windowBlocks * 4)
    }

    @Test(arguments: [1, 2, 3])
    func ranksTogetherTakeTheEpochMinusTheDroppedTailOnce(rankCount: Int) throws {
        let g = 96
        let permutation = order.permutation(seed: 5, epoch: 1)
        let plans = try (0 ..< rankCount).map {
            try ShardPlan.training(order, seed: 5, epoch: 1, globalBatchSize: g, rank: $0, rankCount: rankCount)
        }
        #expect(plans.allSatisfy { $0.batchCount == 2_000 / g })
        var union: [Int] = []
        for k in 0 ..< plans[0].batchCount {
            let global = plans.flatMap { Array($0.share(ofBatch: k)) }
            // Rank shares in rank order make up the global batch, itself the same on any rank count.
            #expect(global == Array(permutation[k * g ..< (k + 1) * g]))
            #expect(plans.allSatisfy { $0.share(ofBatch: k).count == g / rankCount })
            union += global
        }
        #expect(union == Array(permutation.prefix((2_000 / g) * g)))
        #expect(Set(union).count == union.count)
    }

    /// Dealt by cost: equal counts, the whole batch once, each share in the batch's order, and
    /// loads within one molecule's cost of each other — where contiguous shares of a batch whose
    /// dear molecules come first are far apart.
    @Test(arguments: [2, 3, 4])
    func costsDealEqualCountsOfNearlyEqualCost(rankCount: Int) throws {
        let g = 96
        var random = SplitMix64(seed: UInt64(rankCount))
        let costs = (0 ..< 2_000).map { _ in Float(1 + random.next() % 1_000) }
        let plans = try (0 ..< rankCount).map {
            try ShardPlan.training(order, seed: 5, epoch: 1, globalBatchSize: g, rank: $0, rankCount: rankCount, costs: costs)
        }
        let contiguous = try ShardPlan.training(order, seed: 5, epoch: 1, globalBatchSize: g)
        for k in 0 ..< plans[0].batchCount {
            let batch = Array(contiguous.globalBatch(k))
            let shares = plans.map { $0.share(ofBatch: k) }
            #expect(shares.allSatisfy { $0.count == g / rankCount })
            #expect(shares.flatMap { $0 }.sorted() == batch.sorted())
            #expect(shares.allSatisfy { share in share == batch.filter { share.contains($0) } })
            let loads = shares.map { $0.reduce(0) { $0 + Double(costs[$1]) } }
            #expect(loads.max()! - loads.min()! <= Double(batch.map { costs[$0] }.max()!))
        }
        // One rank, or no costs: the contiguous shares as before.
        #expect(try ShardPlan.training(order, seed: 5, epoch: 1, globalBatchSize: g, costs: costs).share(ofBatch: 3) == Array(contiguous.globalBatch(3)))

        let skewed = (0 ..< 2_000).map { Float(2_000 - $0) }
        let sorted = try ShardPlan(order: Array(0 ..< 2_000), globalBatchSize: g, rank: 0, rankCount: 2, dropsIncompleteBatch: true, costs: skewed)
        let first = sorted.share(ofBatch: 0).reduce(0) { $0 + Double(skewed[$1]) }
        let total = (0 ..< g).reduce(0) { $0 + Double(skewed[$1]) }
        #expect(abs(2 * first - total) <= Double(skewed[0]))
    }

    @Test func aBatchThatRanksCannotShareEquallyIsRefused() {
        let error = #expect(throws: ShardPlanError.self) {
            try ShardPlan.training(order, seed: 0, epoch: 0, globalBatchSize: 100, rank: 0, rankCount: 3)
        }
        #expect(error?.description.contains("not divisible by the 3 ranks") == true)
    }

    @Test func subsetsKeepTheirMembersAndSequentialPassesKeepTheLastBatch() throws {
        let subset = Array(stride(from: 3, to: 2_000, by: 7))
        let shuffled = try ShardPlan.training(order, subset: subset, seed: 2, epoch: 0, globalBatchSize: 10,
                                              dropsIncompleteBatch: false)
        #expect(shuffled.order.sorted() == subset)
        #expect(shuffled.order != subset)
        #expect(shuffled.order == order.permutation(seed: 2, epoch: 0).filter { $0 % 7 == 3 })

        // 286 molecules in batches of 12 on 3 ranks: 24 batches, the last of 10 split 3/3/4.
        let plans = try (0 ..< 3).map { try ShardPlan.sequential(subset, globalBatchSize: 12, rank: $0, rankCount: 3) }
        #expect(plans[0].batchCount == 24)
        #expect(plans.map { $0.share(ofBatch: 23).count } == [3, 3, 4])
        let all = (0 ..< 24).flatMap { k in plans.flatMap { Array($0.share(ofBatch: k)) } }
        #expect(all == subset)
    }
}
