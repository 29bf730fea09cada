/// The order in which an epoch visits a dataset's molecules: a function of (seed, epoch) only,
/// never of the rank count, so that global batches are the same on any number of ranks and a
/// run can resume anywhere (docs/design.md, Randomness).
///
/// Two levels, so that reads stay sequential enough to go by whole chunks:
/// 1. the blocks of `blockSize` consecutive molecules (one HDF5 chunk of each per-molecule
///    dataset) are shuffled;
/// 2. the shuffled blocks are taken `windowBlocks` at a time, and the molecules of each window
///    are shuffled among themselves.
/// Both shuffles are ``SplitMix64`` Fisher–Yates shuffles on keyed streams: (seed, epoch, 0) for
/// the blocks, (seed, epoch, 1 + w) for window w. docs/data-format.md states the algorithm exactly.
public struct EpochOrder: Equatable, Sendable {
    public let count: Int
    public let blockSize: Int
    public let windowBlocks: Int

    public init(count: Int, blockSize: Int = DatasetSchema.moleculesPerChunk, windowBlocks: Int = 8) {
        precondition(blockSize > 0 && windowBlocks > 0, "block size and window must be positive")
        self.count = count
        self.blockSize = blockSize
        self.windowBlocks = windowBlocks
    }

    public var blockCount: Int { (count + blockSize - 1) / blockSize }

    /// Every molecule index exactly once, in the epoch's order.
    public func permutation(seed: UInt64, epoch: Int) -> [Int] {
        var blocks = Array(0 ..< blockCount)
        var blockRandom = SplitMix64(seed: seed, epoch: UInt64(epoch), stream: 0)
        blockRandom.shuffle(&blocks)

        var order: [Int] = []
        order.reserveCapacity(count)
        var window = 0
        for start in stride(from: 0, to: blocks.count, by: windowBlocks) {
            var molecules: [Int] = []
            for block in blocks[start ..< min(start + windowBlocks, blocks.count)] {
                molecules += block * blockSize ..< min((block + 1) * blockSize, count)
            }
            var windowRandom = SplitMix64(seed: seed, epoch: UInt64(epoch), stream: 1 + UInt64(window))
            windowRandom.shuffle(&molecules)
            order += molecules
            window += 1
        }
        return order
    }
}
