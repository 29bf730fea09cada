import Foundation

/// A schema-v1 dataset opened for reading. Opening checks the version, every dataset's presence,
/// type and shape, and the CSR offsets, so that a foreign, truncated or outdated file fails here
/// with a message naming what is wrong rather than later inside training.
///
/// The offsets live in memory (4 × 8 bytes per molecule); everything else is read by block.
public final class MoleculeDataset {
    public let path: String
    public let count: Int
    public let taskNames: [String]
    public let vocabulary: [String]
    public let vocabularySHA256: String
    public let rdkitVersion: String
    public let createdBy: String
    public let preset: String
    public let hasSplit: Bool
    public let hasScaffolds: Bool
    /// Rows per chunk of the per-molecule datasets: the reader's block size.
    public let moleculesPerChunk: Int

    let file: HDF5File
    private var datasets: [String: HDF5Dataset] = [:]
    let atomOffsets: [Int]
    let edgeOffsets: [Int]
    let smilesOffsets: [Int]
    let descriptionOffsets: [Int]

    public var taskCount: Int { taskNames.count }

    public init(path: String) throws {
        typealias P = DatasetSchema.Path
        typealias A = DatasetSchema.Attribute
        self.path = path
        let file: HDF5File
        do {
            file = try HDF5File.open(path)
        } catch let error as HDF5Error {
            throw DatasetError(file: path, reason: error.reasons.joined(separator: "; "))
        }
        self.file = file
        func fail(_ reason: String, hint: String? = nil) -> DatasetError { DatasetError(file: path, reason: reason, hint: hint) }

        guard let version = try file.integerAttribute(A.schemaVersion) else {
            if try !file.contains(P.atomOffsets) {
                throw fail("not an lgmcl dataset: no \(P.atomOffsets)")
            }
            throw fail("no schema_version attribute: an unfinished or foreign file",
                       hint: "re-run lgmcl-dist preprocess")
        }
        guard version == DatasetSchema.version else {
            throw fail("schema_version \(version), expected \(DatasetSchema.version)", hint: "re-run lgmcl-dist preprocess")
        }
        guard let n = try file.integerAttribute(A.moleculeCount) else { throw fail("no num_molecules attribute") }
        count = Int(n)

        // Every dataset: its element kind and its shape, with "N" for molecules and a letter for
        // the length of a flat array.
        let required: [(String, String, [Int?])] = [
            (P.smiles, "string", [count]),
            (P.sourceRow, "int", [count]),
            (P.atomOffsets, "int", [count + 1]),
            (P.atomFeatures, "float", [nil, DatasetSchema.atomFeatureCount]),
            (P.edgeOffsets, "int", [count + 1]),
            (P.edgeIndex, "int", [nil, 2]),
            (P.bondFeatures, "float", [nil, DatasetSchema.bondFeatureCount]),
            (P.maccs, "int", [count, DatasetSchema.maccsCount]),
            (P.pubchem, "int", [count, DatasetSchema.pubchemCount]),
            (P.erg, "float", [count, DatasetSchema.ergCount]),
            (P.vocabulary, "string", [nil]),
            (P.smilesOffsets, "int", [count + 1]),
            (P.smilesTokens, "int", [nil]),
            (P.description, "string", [count]),
            (P.descriptionOffsets, "int", [count + 1]),
            (P.descriptionTokens, "int", [nil]),
            (P.labels, "float", [count, nil]),
        ]
        hasSplit = try file.contains(P.split)
        // Optional: files written before scaffolds were stored have none (splits then find them).
        hasScaffolds = try file.contains(P.scaffold)
        let optional = (hasSplit ? [(P.split, "string", [count])] : []) + (hasScaffolds ? [(P.scaffold, "string", [count])] : [])
        var opened: [String: HDF5Dataset] = [:]
        var shapes: [String: [Int]] = [:]
        for (name, kind, expected) in required + optional {
            guard try file.contains(name) else { throw fail("not a complete lgmcl dataset: no \(name)") }
            let dataset = try file.dataset(name)
            let type = try dataset.elementType
            guard type.hasPrefix(kind) || (kind == "int" && type.hasPrefix("uint")) else {
                throw fail("\(name) holds \(type), expected \(kind)")
            }
            let shape = try dataset.shape
            let matches = shape.count == expected.count && zip(shape, expected).allSatisfy { $1 == nil || $0 == $1 }
            guard matches else {
                let wanted = expected.map { $0.map(String.init) ?? "*" }.joined(separator: ", ")
                throw fail("\(name) has shape \(shape), expected [\(wanted)] for \(count) molecules")
            }
            opened[name] = dataset
            shapes[name] = shape
        }

        taskNames = try file.stringsAttribute(A.taskNames, on: P.labels) ?? []
        guard shapes[P.labels]![1] == taskNames.count else {
            throw fail("\(P.labels) has \(shapes[P.labels]![1]) columns but \(taskNames.count) task_names")
        }
        vocabulary = try opened[P.vocabulary]!.readAllStrings()
        vocabularySHA256 = try file.stringAttribute(A.sha256, on: P.vocabulary) ?? ""
        rdkitVersion = try file.stringAttribute(A.rdkitVersion) ?? ""
        createdBy = try file.stringAttribute(A.createdBy) ?? ""
        preset = try file.stringAttribute(A.preset) ?? ""
        moleculesPerChunk = try opened[P.erg]!.chunkRows ?? DatasetSchema.moleculesPerChunk

        func loadOffsets(_ name: String, flat: String) throws -> [Int] {
            let offsets = try opened[name]!.readAll(as: Int64.self).map { Int($0) }
            let length = shapes[flat]![0]
            guard offsets.first == 0, offsets.last == length else {
                throw fail("\(name) runs from \(offsets.first ?? -1) to \(offsets.last ?? -1), expected 0 to \(length) (the length of \(flat))")
            }
            for i in 1 ..< offsets.count where offsets[i] < offsets[i - 1] {
                throw fail("\(name) decreases at molecule \(i - 1)")
            }
            return offsets
        }
        atomOffsets = try loadOffsets(P.atomOffsets, flat: P.atomFeatures)
        edgeOffsets = try loadOffsets(P.edgeOffsets, flat: P.edgeIndex)
        guard shapes[P.edgeIndex]![0] == shapes[P.bondFeatures]![0] else {
            throw fail("\(P.edgeIndex) has \(shapes[P.edgeIndex]![0]) edges but \(P.bondFeatures) \(shapes[P.bondFeatures]![0])")
        }
        smilesOffsets = try loadOffsets(P.smilesOffsets, flat: P.smilesTokens)
        descriptionOffsets = try loadOffsets(P.descriptionOffsets, flat: P.descriptionTokens)
        datasets = opened
    }

    /// Molecules `range` with everything training needs; `includeText` adds the SMILES and
    /// description strings, source rows, splits and scaffolds.
    public func read(_ range: Range<Int>, includeText: Bool = false) throws -> MoleculeBlock {
        typealias P = DatasetSchema.Path
        guard range.lowerBound >= 0, range.upperBound <= count else {
            throw DatasetError(file: path, reason: "molecules \(range) requested from a dataset of \(count)")
        }
        let atoms = atomOffsets[range.lowerBound] ..< atomOffsets[range.upperBound]
        let edges = edgeOffsets[range.lowerBound] ..< edgeOffsets[range.upperBound]
        let smilesTokens = smilesOffsets[range.lowerBound] ..< smilesOffsets[range.upperBound]
        let descriptionTokens = descriptionOffsets[range.lowerBound] ..< descriptionOffsets[range.upperBound]
        func rebased(_ offsets: [Int]) -> [Int] {
            let base = offsets[range.lowerBound]
            return offsets[range.lowerBound ... range.upperBound].map { $0 - base }
        }
        var block = MoleculeBlock(
            range: range, taskCount: taskCount,
            atomOffsets: rebased(atomOffsets),
            atomFeatures: try datasets[P.atomFeatures]!.read(rows: atoms),
            edgeOffsets: rebased(edgeOffsets),
            edgeIndex: try datasets[P.edgeIndex]!.read(rows: edges),
            bondFeatures: try datasets[P.bondFeatures]!.read(rows: edges),
            maccs: try datasets[P.maccs]!.read(rows: range),
            pubchem: try datasets[P.pubchem]!.read(rows: range),
            erg: try datasets[P.erg]!.read(rows: range),
            smilesOffsets: rebased(smilesOffsets),
            smilesTokens: try datasets[P.smilesTokens]!.read(rows: smilesTokens),
            descriptionOffsets: rebased(descriptionOffsets),
            descriptionTokens: try datasets[P.descriptionTokens]!.read(rows: descriptionTokens),
            labels: taskCount == 0 ? [] : try datasets[P.labels]!.read(rows: range))
        // Edge indices are molecule-local: one outside its molecule would make the batcher
        // connect atoms of different molecules.
        for i in 0 ..< range.count {
            let atomCount = Int32(block.atomOffsets[i + 1] - block.atomOffsets[i])
            for e in block.edgeOffsets[i] * 2 ..< block.edgeOffsets[i + 1] * 2
            where block.edgeIndex[e] < 0 || block.edgeIndex[e] >= atomCount {
                throw DatasetError(file: path, reason: "\(P.edgeIndex) of molecule \(range.lowerBound + i) points to atom \(block.edgeIndex[e]) of \(atomCount)")
            }
        }
        // Token ids index the embedding table: one past the vocabulary would read (or, in
        // backward, write) outside it.
        if !vocabulary.isEmpty {
            for (name, offsets, tokens) in [(P.smilesTokens, block.smilesOffsets, block.smilesTokens),
                                             (P.descriptionTokens, block.descriptionOffsets, block.descriptionTokens)] {
                for i in 0 ..< range.count {
                    if let bad = tokens[offsets[i] ..< offsets[i + 1]].first(where: { $0 < 0 || Int($0) >= vocabulary.count }) {
                        throw DatasetError(file: path, reason: "\(name) of molecule \(range.lowerBound + i) holds token id \(bad), outside the vocabulary of \(vocabulary.count) tokens")
                    }
                }
            }
        }
        if includeText {
            block.smiles = try datasets[P.smiles]!.readStrings(rows: range)
            block.descriptions = try datasets[P.description]!.readStrings(rows: range)
            block.sourceRows = try datasets[P.sourceRow]!.read(rows: range)
            if hasSplit { block.splits = try datasets[P.split]!.readStrings(rows: range) }
            if hasScaffolds { block.scaffolds = try datasets[P.scaffold]!.readStrings(rows: range) }
        }
        return block
    }

    /// One molecule with its strings (for inspection and tests; training reads blocks).
    public func record(at index: Int) throws -> MoleculeRecord {
        try read(index ..< index + 1, includeText: true).record(at: index)
    }

    /// The fixed split of every molecule, nil when the dataset has none.
    public func splits() throws -> [String]? {
        hasSplit ? try datasets[DatasetSchema.Path.split]!.readAllStrings() : nil
    }

    /// Every molecule's Bemis–Murcko scaffold as `preprocess` stored it; nil for older files.
    public func scaffolds() throws -> [String]? {
        hasScaffolds ? try datasets[DatasetSchema.Path.scaffold]!.readAllStrings() : nil
    }

    public func smiles() throws -> [String] {
        try datasets[DatasetSchema.Path.smiles]!.readAllStrings()
    }

    /// Each molecule's row in the input it was preprocessed from (0 = the first data row).
    public func sourceRows() throws -> [Int64] {
        try datasets[DatasetSchema.Path.sourceRow]!.readAll()
    }

    /// All labels, N × T row-major, NaN where missing.
    public func labels() throws -> [Float] {
        taskCount == 0 ? [] : try datasets[DatasetSchema.Path.labels]!.readAll()
    }
}
