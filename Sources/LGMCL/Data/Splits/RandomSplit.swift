extension DatasetSplit {
    /// A seeded random split: the molecules 0..<count shuffled by ``SplitMix64`` (seed), then the
    /// first ⌊train·count⌋ train, the next ⌊(train + val)·count⌋ − ⌊train·count⌋ val, the rest
    /// test. The same seed gives the same split on every machine.
    public static func random(count: Int, fractions: SplitFractions = .random, seed: UInt64) -> DatasetSplit {
        var order = Array(0..<count)
        var generator = SplitMix64(seed: seed)
        generator.shuffle(&order)
        let trainEnd = Int((fractions.train * Double(count)).rounded(.down))
        let valEnd = max(trainEnd, Int(((fractions.train + fractions.val) * Double(count)).rounded(.down)))
        return DatasetSplit(train: Array(order[..<trainEnd]),
                            val: Array(order[trainEnd..<valEnd]),
                            test: Array(order[valEnd...]))
    }
}
