import Foundation
import LGMCL
import TestSupport

/// Molecule records with arbitrary but reproducible contents, for exercising the dataset writer,
/// reader and batcher without chemistry. Sizes vary per molecule (including a molecule without
/// bonds and empty token lists) so that offsets are really tested.
enum SyntheticRecords {
    /// SplitMix64: a tiny generator whose output depends only on the seed.
    struct Generator {
        var state: UInt64
        mutating func next() -> UInt64 {
            state &+= 0x9E37_79B9_7F4A_7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
        mutating func below(_ n: Int) -> Int { Int(next() % UInt64(n)) }
        mutating func float() -> Float { Float(next() >> 40) / Float(1 << 24) }
    }

    static func record(_ index: Int, taskCount: Int = 2, withSplit: Bool = false) -> MoleculeRecord {
        var g = Generator(state: UInt64(index) &* 7919 &+ 17)
        let atoms = index % 11 == 5 ? 1 : 2 + g.below(30)
        var edges: [Int32] = []
        if atoms > 1 {
            for a in 1 ..< atoms {
                let b = g.below(a)
                edges += [Int32(a), Int32(b), Int32(b), Int32(a)]
            }
        }
        let edgeCount = edges.count / 2
        let labels: [Float] = (0 ..< taskCount).map { t in (index + t) % 3 == 0 ? .nan : Float(g.below(2)) }
        return MoleculeRecord(
            smiles: "C\(String(repeating: "C", count: index % 7))O#\(index)",
            sourceRow: Int64(index * 2 + 1),
            atomCount: atoms,
            atomFeatures: (0 ..< atoms * 57).map { _ in g.below(4) == 0 ? 1 : 0 },
            edgeIndex: edges,
            bondFeatures: (0 ..< edgeCount * 15).map { _ in g.float() },
            maccs: (0 ..< 167).map { _ in UInt8(g.below(2)) },
            pubchem: (0 ..< 881).map { _ in UInt8(g.below(2)) },
            erg: (0 ..< 441).map { _ in g.below(5) == 0 ? g.float() : 0 },
            description: "molecule \(index): ünïcode — \(g.below(1000))",
            smilesTokens: (0 ..< (index % 13 == 0 ? 0 : 3 + g.below(40))).map { _ in Int32(g.below(50)) },
            descriptionTokens: (0 ..< 5 + g.below(120)).map { _ in Int32(g.below(50)) },
            labels: labels,
            split: withSplit ? ["train", "val", "test"][index % 3] : nil)
    }

    static func metadata(taskCount: Int = 2, withSplit: Bool = false) -> DatasetMetadata {
        DatasetMetadata(
            taskNames: (0 ..< taskCount).map { "task\($0)" }, hasSplit: withSplit,
            vocabulary: (0 ..< 50).map { "tok\($0)" }, vocabularySHA256: "synthetic",
            rdkitVersion: "none", createdBy: "SyntheticRecords", maxSMILESTokens: 64, maxDescriptionTokens: 160)
    }

    /// Writes `count` records to a new file in a fresh temporary directory.
    static func writeDataset(count: Int, taskCount: Int = 2, withSplit: Bool = false, name: String = "data.h5") throws -> String {
        let path = temporaryDirectory().appendingPathComponent(name).path
        let writer = try DatasetWriter(path: path, metadata: metadata(taskCount: taskCount, withSplit: withSplit))
        for i in 0 ..< count { try writer.append(record(i, taskCount: taskCount, withSplit: withSplit)) }
        try writer.finish()
        return path
    }

    static func temporaryDirectory() -> URL {
        let url = scratchDirectory("lgmcl-data-\(UUID().uuidString)")
        try? FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }
}
