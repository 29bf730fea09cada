import Distributed
import Foundation
import Logging

/// The labelled molecules of a fine-tuning run, featurized, with what the run decided about
/// them: the task kind, the completed model configuration, and how the molecules are split.
struct LabelledData {
    var dataset: MoleculeDataset
    var labels: TaskMatrix
    /// The input row (0-based, header excluded) of every molecule: errors and predictions name it.
    var sourceRows: [Int64]
    var kind: TaskKind
    var model: ModelConfiguration
    var rejectedRows: Int
    var descriptions: DescriptionSource
    var smilesColumn: String
    /// The split every seed shares: a dataset's own /split, nil when each seed draws its own.
    var fixedSplit: DatasetSplit?
    /// For the scaffold split: every molecule's Bemis–Murcko scaffold, found once for all seeds.
    var scaffolds: [String]

    /// Opens `settings.data`: an HDF5 dataset as it is, a CSV featurized into `featurizedData`
    /// first (all ranks together; with the pretrained encoders' vocabulary when there are any).
    init(settings: FinetuneSettings, featurizedData: URL, world: Communicator, logger: Logger) throws {
        model = settings.model
        let vocabularySource = Self.vocabularySource(settings)
        let featurized = try Self.featurize(settings, into: featurizedData, world: world, logger: logger)
        smilesColumn = featurized.smilesColumn
        rejectedRows = featurized.rejectedRows
        let path = featurized.path
        dataset = try MoleculeDataset(path: path)
        guard dataset.taskCount > 0 else {
            throw FinetuneError(description: "\(path): no label columns; fine-tuning needs labels (--label-columns)")
        }
        if settings.splitColumn != nil, !dataset.hasSplit {
            throw FinetuneError(description: "\(path): --split-column given but the dataset has no /split (preprocess it with --split-column)")
        }
        if let source = vocabularySource {
            let expected = try Vocabulary(tokens: try Preprocessor.loadVocabulary(source)).sha256
            guard expected == dataset.vocabularySHA256 else {
                throw FinetuneError(description: "\(path): vocabulary sha256 \(dataset.vocabularySHA256) differs from the pretrained encoders' \(expected) (\(source)/vocab.txt); preprocess with --vocab \(source)")
            }
        }
        model.adopt(dataset, tasks: true)
        descriptions = settings.descriptionColumn.map { .column($0) } ?? .generated

        labels = TaskMatrix(rows: dataset.count, tasks: dataset.taskCount, values: try dataset.labels().map(Double.init))
        let sourceRows = try dataset.sourceRows()
        self.sourceRows = sourceRows
        let describeRow = { (i: Int) in "\(settings.data) row \(sourceRows[i] + 1)" }
        if let given = settings.task {
            if let mismatch = given.firstMismatch(in: labels, taskNames: dataset.taskNames, describeRow: describeRow) {
                throw FinetuneError(description: mismatch)
            }
            kind = given
        } else {
            let inferred = TaskKind.infer(from: labels, taskNames: dataset.taskNames, describeRow: describeRow)
            if world.isRoot { logger.info("task: \(inferred.kind.rawValue) (\(inferred.reason)); --task overrides") }
            kind = inferred.kind
        }

        fixedSplit = try dataset.splits().map { cells in
            try DatasetSplit.fixed(cells: cells, column: settings.splitColumn ?? "split", describeRow: describeRow)
        }
        if fixedSplit == nil, settings.split == .scaffold {
            scaffolds = try dataset.scaffolds() ?? dataset.smiles().map { Scaffold.murcko(try Molecule(smiles: $0)) }
        } else {
            scaffolds = []
        }
    }

    /// The pretrained encoders' directory when it holds their vocabulary: what a CSV is tokenized with.
    static func vocabularySource(_ settings: FinetuneSettings) -> String? {
        settings.pretrained.flatMap { FileManager.default.fileExists(atPath: RunDirectory(path: $0).vocabulary.path) ? $0 : nil }
    }

    /// `settings.data` as an HDF5 dataset: the file itself, or a CSV featurized into `output` (all
    /// ranks together, with the pretrained vocabulary when there is one) with the SMILES column it
    /// was read from and the rows it rejected.
    static func featurize(_ settings: FinetuneSettings, into output: URL,
                          world: Communicator, logger: Logger) throws -> (path: String, smilesColumn: String, rejectedRows: Int) {
        var smilesColumn = settings.smilesColumn ?? "smiles"
        guard !["h5", "hdf5"].contains(URL(fileURLWithPath: settings.data).pathExtension.lowercased()) else {
            return (settings.data, smilesColumn, 0)
        }
        let table = try CSVTable(contentsOf: URL(fileURLWithPath: settings.data))
        if settings.smilesColumn == nil, let name = table.header.first(where: { $0.lowercased() == "smiles" }) { smilesColumn = name }
        var options = PreprocessOptions(input: settings.data, output: output.path)
        options.smilesColumn = smilesColumn
        options.labelColumns = try LabelColumns.select(in: table, smilesColumn: smilesColumn, given: settings.labelColumns,
                                                       excluded: [settings.descriptionColumn, settings.splitColumn].compactMap { $0 })
        options.descriptionColumn = settings.descriptionColumn
        options.splitColumn = settings.splitColumn
        options.vocabulary = vocabularySource(settings)
        options.maxSMILESTokens = settings.model.text.maxSMILESTokens
        options.maxDescriptionTokens = settings.model.text.maxDescriptionTokens
        options.createdBy = "lgmcl-dist finetune"
        var preprocessor = Preprocessor(options: options, world: world)
        preprocessor.report = { logger.info("\($0)") }
        return (output.path, smilesColumn, try preprocessor.run().rejected)
    }

    /// The molecules of each part for `seed`: the cells given for it (one per input row), else the
    /// dataset's own split, else the protocol's split drawn with the seed.
    func split(seed: UInt64, cells: [String]?, settings: FinetuneSettings) throws -> DatasetSplit {
        var split = try fullSplit(seed: seed, cells: cells, settings: settings)
        if let fraction = settings.trainFraction { split.train = Self.subsample(split.train, fraction: fraction, seed: seed) }
        return split
    }

    /// round(fraction · n) of `molecules` (at least one), the same ones for a seed whatever the
    /// rank count: those whose keyed draw (seed, molecule) is smallest, in their original order.
    static func subsample(_ molecules: [Int], fraction: Double, seed: UInt64) -> [Int] {
        let kept = max(1, Int((fraction * Double(molecules.count)).rounded()))
        let ranked = molecules.map { molecule -> (UInt64, Int) in
            var draw = SplitMix64(seed: seed, epoch: UInt64(molecule), stream: 0x7472_6169_6E)  // "train"
            return (draw.next(), molecule)
        }.sorted { $0 < $1 }.map(\.1)
        return Array(ranked.prefix(kept)).sorted()
    }

    private func fullSplit(seed: UInt64, cells: [String]?, settings: FinetuneSettings) throws -> DatasetSplit {
        if let cells {
            return try DatasetSplit.fixed(cells: sourceRows.map { Int($0) < cells.count ? cells[Int($0)] : "" }, column: "split") { i in
                "\(settings.data) row \(sourceRows[i] + 1)"
            }
        }
        if let fixedSplit { return fixedSplit }
        switch settings.split {
        case .random: return .random(count: dataset.count, fractions: .random, seed: seed)
        case .scaffold: return .balancedScaffold(scaffolds: scaffolds, fractions: .scaffold, seed: seed)
        }
    }
}
