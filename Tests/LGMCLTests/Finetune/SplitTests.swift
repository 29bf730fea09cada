import Foundation
import LGMCL
import Testing
import TestSupport

struct SplitTests {
    @Test func splitMix64MatchesTheReferenceSequence() {
        // Vigna's splitmix64.c seeded with 0.
        var generator = SplitMix64(seed: 0)
        #expect([generator.next(), generator.next(), generator.next()] == [0xE220_A839_7B1D_CDAF, 0x6E78_9E6A_A1B9_65F4, 0x06C4_5D18_8009_454F])
    }

    @Test func boundedDrawsAreInRangeAndCoverIt() {
        var generator = SplitMix64(seed: 7)
        var seen = Set<Int>()
        for _ in 0..<2000 {
            let value = generator.below(7)
            #expect((0..<7).contains(value))
            seen.insert(value)
        }
        #expect(seen.count == 7)
    }

    static func isPartition(_ split: DatasetSplit, count: Int) -> Bool {
        (split.train + split.val + split.test).sorted() == Array(0..<count)
    }

    @Test func randomSplitHasTheProtocolSizesAndDependsOnlyOnTheSeed() {
        let split = DatasetSplit.random(count: 1000, seed: 0)
        #expect(Self.isPartition(split, count: 1000))
        #expect((split.train.count, split.val.count, split.test.count) == (600, 200, 200))
        #expect(DatasetSplit.random(count: 1000, seed: 0) == split)
        #expect(DatasetSplit.random(count: 1000, seed: 1) != split)
        let odd = DatasetSplit.random(count: 11, seed: 3)
        #expect(Self.isPartition(odd, count: 11))
        #expect((odd.train.count, odd.val.count, odd.test.count) == (6, 2, 3))
    }

    /// Scaffold keys with a realistic spread: a few big families, many singletons, acyclic ("").
    static func syntheticScaffolds(count: Int) -> [String] {
        var generator = SplitMix64(seed: 99)
        return (0..<count).map { _ in
            let draw = generator.below(100)
            switch draw {
            case 0..<10: return ""
            case 10..<25: return "c1ccccc1"
            case 25..<32: return "C1CCNCC1"
            case 32..<60: return "family\(generator.below(40))"
            default: return "single\(generator.below(1_000_000))"
            }
        }
    }

    static func checkScaffoldSplit(_ split: DatasetSplit, scaffolds: [String]) {
        #expect(isPartition(split, count: scaffolds.count))
        var partOfScaffold: [String: SplitPart] = [:]
        for part in SplitPart.allCases {
            for index in split[part] {
                let previous = partOfScaffold.updateValue(part, forKey: scaffolds[index])
                #expect(previous == nil || previous == part, "scaffold '\(scaffolds[index])' in \(previous!.rawValue) and \(part.rawValue)")
            }
        }
    }

    @Test func balancedScaffoldSplitKeepsScaffoldsTogether() {
        let scaffolds = Self.syntheticScaffolds(count: 1500)
        let split = DatasetSplit.balancedScaffold(scaffolds: scaffolds, seed: 0)
        Self.checkScaffoldSplit(split, scaffolds: scaffolds)
        // Big scaffold sets (> half of val or test) are all in train.
        for big in ["", "c1ccccc1", "C1CCNCC1"] {
            #expect(split.train.contains(scaffolds.firstIndex(of: big)!))
        }
        #expect(abs(split.train.count - 1200) <= 5 && abs(split.val.count - 150) <= 5)
        #expect(DatasetSplit.balancedScaffold(scaffolds: scaffolds, seed: 0) == split)
        #expect(DatasetSplit.balancedScaffold(scaffolds: scaffolds, seed: 1) != split)
    }

    @Test func scaffoldSplitOfBBBPIsBalancedAndSeeded() throws {
        let table = try CSVTable(contentsOf: repositoryData.appendingPathComponent("moleculenet/bbbp.csv"))
        let parsed = try ParsedSMILES(table, column: "smiles")
        let scaffolds = parsed.molecules.map { Scaffold.murcko($0) }
        let n = Double(scaffolds.count)
        var splits: [DatasetSplit] = []
        for seed: UInt64 in [0, 1, 2] {
            let split = DatasetSplit.balancedScaffold(scaffolds: scaffolds, seed: seed)
            Self.checkScaffoldSplit(split, scaffolds: scaffolds)
            #expect(abs(Double(split.train.count) - 0.8 * n) <= 3, "seed \(seed): train \(split.train.count) of \(Int(n))")
            #expect(abs(Double(split.val.count) - 0.1 * n) <= 3, "seed \(seed): val \(split.val.count)")
            #expect(abs(Double(split.test.count) - 0.1 * n) <= 3, "seed \(seed): test \(split.test.count)")
            splits.append(split)
        }
        #expect(DatasetSplit.balancedScaffold(scaffolds: scaffolds, seed: 0) == splits[0])
        #expect(SplitProtocol.scaffold.split(parsed.molecules, seed: 2) == splits[2])
        #expect(Set(splits.map(\.test)).count == 3)
    }

    @Test func fixedSplitColumnReadsCellsAndNamesBadRows() throws {
        let split = try DatasetSplit.fixed(cells: ["train", " Val", "test", "TRAIN"], column: "split")
        #expect(split == DatasetSplit(train: [0, 3], val: [1], test: [2]))
        #expect(split.column() == [.train, .val, .test, .train])
        do {
            _ = try DatasetSplit.fixed(cells: ["train", "valid", "test"], column: "fold",
                                       describeRow: { "bbbp.csv row \($0 + 1)" })
            Issue.record("'valid' was accepted")
        } catch let error as SplitColumnError {
            #expect(error.description == "bbbp.csv row 2: split column 'fold' holds 'valid'; expected train, val or test")
        }
        #expect(throws: SplitColumnError.self) { try DatasetSplit.fixed(cells: ["train", "test"], column: "split") }
    }
}
