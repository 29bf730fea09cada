import Foundation

/// What a dataset says about itself besides its molecules.
public struct DatasetMetadata: Equatable, Sendable {
    public var taskNames: [String]
    /// Whether every molecule carries a fixed split (train/val/test).
    public var hasSplit: Bool
    /// Whether every molecule carries its Bemis–Murcko scaffold (files written by `preprocess`).
    public var hasScaffolds: Bool
    /// The token list shared by SMILES and descriptions, and its sha256 as the tokenizer reports it.
    public var vocabulary: [String]
    public var vocabularySHA256: String
    public var rdkitVersion: String
    public var createdBy: String
    public var preset: String
    public var maxSMILESTokens: Int
    public var maxDescriptionTokens: Int

    public init(
        taskNames: [String] = [], hasSplit: Bool = false, hasScaffolds: Bool = false, vocabulary: [String], vocabularySHA256: String,
        rdkitVersion: String, createdBy: String, preset: String = "none",
        maxSMILESTokens: Int, maxDescriptionTokens: Int
    ) {
        self.taskNames = taskNames
        self.hasSplit = hasSplit
        self.hasScaffolds = hasScaffolds
        self.vocabulary = vocabulary
        self.vocabularySHA256 = vocabularySHA256
        self.rdkitVersion = rdkitVersion
        self.createdBy = createdBy
        self.preset = preset
        self.maxSMILESTokens = maxSMILESTokens
        self.maxDescriptionTokens = maxDescriptionTokens
    }
}

/// Writes a schema-v1 dataset molecule by molecule.
///
/// The file is written under a temporary name beside `path` and renamed only by `finish()`, so
/// an interrupted run never leaves a file that looks complete; a writer dropped without
/// `finish()` deletes its temporary file.
public final class DatasetWriter {
    public let path: String
    public let metadata: DatasetMetadata
    let temporaryPath: String
    private var file: HDF5File?
    private var datasets: [String: HDF5Dataset] = [:]
    private var pending: [MoleculeRecord] = []
    private var totals = (molecules: 0, atoms: Int64(0), edges: Int64(0), smilesTokens: Int64(0), descriptionTokens: Int64(0))

    public var count: Int { totals.molecules + pending.count }

    public init(path: String, metadata: DatasetMetadata) throws {
        self.path = path
        self.metadata = metadata
        let url = URL(fileURLWithPath: path)
        temporaryPath = url.deletingLastPathComponent()
            .appendingPathComponent(".\(url.lastPathComponent).partial-\(getpid())").path
        let file = try HDF5File.create(temporaryPath)
        self.file = file
        do {
            try createLayout(file)
        } catch {
            discard()
            throw error
        }
    }

    deinit {
        if file != nil { discard() }
    }

    private func createLayout(_ file: HDF5File) throws {
        typealias P = DatasetSchema.Path
        let rows = DatasetSchema.moleculesPerChunk
        datasets[P.smiles] = try file.createStringDataset(P.smiles, chunkRows: rows)
        datasets[P.sourceRow] = try file.createDataset(P.sourceRow, of: Int64.self, chunkRows: rows)
        for offsets in [P.atomOffsets, P.edgeOffsets, P.smilesOffsets, P.descriptionOffsets] {
            let dataset = try file.createDataset(offsets, of: Int64.self, chunkRows: rows)
            try dataset.append([Int64(0)])
            datasets[offsets] = dataset
        }
        datasets[P.atomFeatures] = try file.createDataset(P.atomFeatures, of: Float.self, columns: [DatasetSchema.atomFeatureCount])
        datasets[P.edgeIndex] = try file.createDataset(P.edgeIndex, of: Int32.self, columns: [2])
        datasets[P.bondFeatures] = try file.createDataset(P.bondFeatures, of: Float.self, columns: [DatasetSchema.bondFeatureCount])
        datasets[P.maccs] = try file.createDataset(P.maccs, of: UInt8.self, columns: [DatasetSchema.maccsCount], chunkRows: rows)
        datasets[P.pubchem] = try file.createDataset(P.pubchem, of: UInt8.self, columns: [DatasetSchema.pubchemCount], chunkRows: rows)
        datasets[P.erg] = try file.createDataset(P.erg, of: Float.self, columns: [DatasetSchema.ergCount], chunkRows: rows)
        datasets[P.smilesTokens] = try file.createDataset(P.smilesTokens, of: Int32.self)
        datasets[P.description] = try file.createStringDataset(P.description, chunkRows: rows)
        datasets[P.descriptionTokens] = try file.createDataset(P.descriptionTokens, of: Int32.self)
        datasets[P.labels] = try file.createDataset(P.labels, of: Float.self, columns: [metadata.taskNames.count], chunkRows: rows)
        if metadata.hasSplit {
            datasets[P.split] = try file.createStringDataset(P.split, chunkRows: rows)
        }
        if metadata.hasScaffolds {
            datasets[P.scaffold] = try file.createStringDataset(P.scaffold, chunkRows: rows)
        }
        let vocabulary = try file.createStringDataset(P.vocabulary)
        try vocabulary.append(strings: metadata.vocabulary)
        try file.setAttribute(DatasetSchema.Attribute.sha256, metadata.vocabularySHA256, on: P.vocabulary)
        try file.setAttribute(DatasetSchema.Attribute.taskNames, metadata.taskNames, on: P.labels)
    }

    /// Adds one molecule after checking its shapes against the schema and the metadata.
    public func append(_ record: MoleculeRecord) throws {
        try validate(record)
        pending.append(record)
        if pending.count >= DatasetSchema.moleculesPerChunk { try flush() }
    }

    private func validate(_ r: MoleculeRecord) throws {
        func fail(_ reason: String) -> DatasetError {
            DatasetError(file: path, reason: "molecule \(count) (input row \(r.sourceRow), \(r.smiles)): \(reason)")
        }
        guard r.atomFeatures.count == r.atomCount * DatasetSchema.atomFeatureCount else {
            throw fail("\(r.atomFeatures.count) atom feature values for \(r.atomCount) atoms, expected \(DatasetSchema.atomFeatureCount) per atom")
        }
        guard r.edgeIndex.count % 2 == 0, r.bondFeatures.count == r.edgeCount * DatasetSchema.bondFeatureCount else {
            throw fail("\(r.bondFeatures.count) bond feature values for \(r.edgeIndex.count / 2) edges, expected \(DatasetSchema.bondFeatureCount) per edge")
        }
        guard r.edgeIndex.allSatisfy({ $0 >= 0 && Int($0) < r.atomCount }) else {
            throw fail("edge index outside 0..<\(r.atomCount)")
        }
        guard r.maccs.count == DatasetSchema.maccsCount, r.pubchem.count == DatasetSchema.pubchemCount,
              r.erg.count == DatasetSchema.ergCount else {
            throw fail("fingerprint lengths \(r.maccs.count)/\(r.pubchem.count)/\(r.erg.count), expected \(DatasetSchema.maccsCount)/\(DatasetSchema.pubchemCount)/\(DatasetSchema.ergCount)")
        }
        guard r.labels.count == metadata.taskNames.count else {
            throw fail("\(r.labels.count) labels, expected \(metadata.taskNames.count)")
        }
        guard (r.split != nil) == metadata.hasSplit else {
            throw fail(metadata.hasSplit ? "no split" : "a split in a dataset without one")
        }
        guard (r.scaffold != nil) == metadata.hasScaffolds else {
            throw fail(metadata.hasScaffolds ? "no scaffold" : "a scaffold in a dataset without scaffolds")
        }
    }

    private func flush() throws {
        guard !pending.isEmpty else { return }
        typealias P = DatasetSchema.Path
        let batch = pending
        pending.removeAll(keepingCapacity: true)

        func offsets(_ start: Int64, _ lengths: [Int]) -> [Int64] {
            var total = start
            return lengths.map { total += Int64($0); return total }
        }
        try datasets[P.smiles]!.append(strings: batch.map(\.smiles))
        try datasets[P.sourceRow]!.append(batch.map(\.sourceRow))
        try datasets[P.atomOffsets]!.append(offsets(totals.atoms, batch.map(\.atomCount)))
        try datasets[P.atomFeatures]!.append(batch.flatMap(\.atomFeatures))
        try datasets[P.edgeOffsets]!.append(offsets(totals.edges, batch.map(\.edgeCount)))
        try datasets[P.edgeIndex]!.append(batch.flatMap(\.edgeIndex))
        try datasets[P.bondFeatures]!.append(batch.flatMap(\.bondFeatures))
        try datasets[P.maccs]!.append(batch.flatMap(\.maccs))
        try datasets[P.pubchem]!.append(batch.flatMap(\.pubchem))
        try datasets[P.erg]!.append(batch.flatMap(\.erg))
        try datasets[P.smilesOffsets]!.append(offsets(totals.smilesTokens, batch.map(\.smilesTokens.count)))
        try datasets[P.smilesTokens]!.append(batch.flatMap(\.smilesTokens))
        try datasets[P.description]!.append(strings: batch.map(\.description))
        try datasets[P.descriptionOffsets]!.append(offsets(totals.descriptionTokens, batch.map(\.descriptionTokens.count)))
        try datasets[P.descriptionTokens]!.append(batch.flatMap(\.descriptionTokens))
        if metadata.taskNames.isEmpty {
            // A [N, 0] dataset cannot be extended by writing no values; set its extent instead.
            try datasets[P.labels]!.grow(by: batch.count)
        } else {
            try datasets[P.labels]!.append(batch.flatMap(\.labels))
        }
        if metadata.hasSplit { try datasets[P.split]!.append(strings: batch.map { $0.split ?? "" }) }
        if metadata.hasScaffolds { try datasets[P.scaffold]!.append(strings: batch.map { $0.scaffold ?? "" }) }

        totals.molecules += batch.count
        totals.atoms += Int64(batch.reduce(0) { $0 + $1.atomCount })
        totals.edges += Int64(batch.reduce(0) { $0 + $1.edgeCount })
        totals.smilesTokens += Int64(batch.reduce(0) { $0 + $1.smilesTokens.count })
        totals.descriptionTokens += Int64(batch.reduce(0) { $0 + $1.descriptionTokens.count })
    }

    /// Writes the remaining molecules and the file's attributes, closes it and moves it to `path`
    /// (replacing any file there).
    public func finish() throws {
        guard let file else { throw DatasetError(file: path, reason: "writer already finished") }
        do {
            try flush()
            typealias A = DatasetSchema.Attribute
            // The version and count go last: a file without them is never taken for complete.
            try file.setAttribute(A.rdkitVersion, metadata.rdkitVersion)
            try file.setAttribute(A.createdBy, metadata.createdBy)
            try file.setAttribute(A.preset, metadata.preset)
            try file.setAttribute(A.maxSMILESTokens, Int64(metadata.maxSMILESTokens))
            try file.setAttribute(A.maxDescriptionTokens, Int64(metadata.maxDescriptionTokens))
            try file.setAttribute(A.moleculeCount, Int64(totals.molecules))
            try file.setAttribute(A.schemaVersion, DatasetSchema.version)
            datasets.removeAll()
            try file.close()
            self.file = nil
            if FileManager.default.fileExists(atPath: path) { try FileManager.default.removeItem(atPath: path) }
            try FileManager.default.moveItem(atPath: temporaryPath, toPath: path)
        } catch {
            discard()
            throw error
        }
    }

    /// Abandons the file: nothing is left on disk.
    public func discard() {
        datasets.removeAll()
        try? file?.close()
        file = nil
        try? FileManager.default.removeItem(atPath: temporaryPath)
    }
}
