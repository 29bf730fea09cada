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
