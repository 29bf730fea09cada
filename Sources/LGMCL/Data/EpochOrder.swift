/// The order in which an epoch visits a dataset's molecules: a function of (seed, epoch) only,
/// never of the rank count, so that global batches are the same on any number of ranks and a
/// run can resume anywhere (DESIGN.md, Randomness).
///
/// Two levels, so that reads stay sequential enough to go by whole chunks:
/// 1. the blocks of `blockSize` consecutive molecules (one HDF5 chunk of each per-molecule
///    dataset) are shuffled;
/// 2. the shuffled blocks are taken `windowBlocks` at a time, and the molecules of each window
///    are shuffled among themselves.
/// Both shuffles are Fisher–Yates driven by `KeyedRandom` streams: (seed, epoch, 0) for the
/// blocks, (seed, epoch, 1 + w) for window w. docs/data-format.md states the algorithm exactly.
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
        var blockRandom = KeyedRandom(seed: seed, epoch: UInt64(epoch), stream: 0)
        blockRandom.shuffle(&blocks)

        var order: [Int] = []
        order.reserveCapacity(count)
        var window = 0
        for start in stride(from: 0, to: blocks.count, by: windowBlocks) {
            var molecules: [Int] = []
            for block in blocks[start ..< min(start + windowBlocks, blocks.count)] {
                molecules += block * blockSize ..< min((block + 1) * blockSize, count)
            }
            var windowRandom = KeyedRandom(seed: seed, epoch: UInt64(epoch), stream: 1 + UInt64(window))
            windowRandom.shuffle(&molecules)
            order += molecules
            window += 1
        }
        return order
    }
}

/// A reproducible random stream named by (seed, epoch, stream): SplitMix64 started from a
/// mix of the three, so distinct names give unrelated streams and no state needs saving.
public struct KeyedRandom: RandomNumberGenerator, Sendable {
    private var state: UInt64

    public init(seed: UInt64, epoch: UInt64, stream: UInt64) {
        var key = Self.mix(seed ^ 0x6C67_6D63_6C5F_6461)  // "lgmcl_da"
        key = Self.mix(key ^ epoch)
        state = Self.mix(key ^ stream)
    }

    static func mix(_ x: UInt64) -> UInt64 {
        var z = x &+ 0x9E37_79B9_7F4A_7C15
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    public mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// A uniform integer in 0..<bound by rejection (no modulo bias), spelled out rather than
    /// left to the standard library so that the order is the documented one on every platform.
    public mutating func below(_ bound: Int) -> Int {
        precondition(bound > 0)
        let n = UInt64(bound)
        let limit = UInt64.max - UInt64.max % n
        while true {
            let x = next()
            if x < limit { return Int(x % n) }
        }
    }

    /// Fisher–Yates from the end: element i swaps with a uniform j in 0...i.
    public mutating func shuffle<T>(_ values: inout [T]) {
        guard values.count > 1 else { return }
        for i in stride(from: values.count - 1, to: 0, by: -1) {
            values.swapAt(i, below(i + 1))
        }
    }
}
