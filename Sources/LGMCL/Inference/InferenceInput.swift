import Distributed
import Foundation

/// The molecules `embed` and `predict` run on, and how they line up with the rows of the input.
///
/// A CSV is preprocessed (with the model's vocabulary, ranks splitting the rows) into a temporary
/// dataset beside the output, removed by `removeTemporaryFiles()`; the rows RDKit rejects are kept
/// with their reasons, so that the output can hold one row per input row. An lgmcl dataset (.h5) is
/// used as it is: its molecules are the rows.
public final class InferenceInput {
    /// An input row without a molecule: its 0-based data row, its SMILES as given, and why.
    public struct Rejection: Sendable, Equatable {
        public let row: Int
        public let smiles: String
        public let reason: String
    }

    public let path: String
    public let dataset: MoleculeDataset
    /// Each molecule's 0-based data row in the input.
    public let sourceRows: [Int]
    /// The rows without a molecule (CSV input; known on rank 0 only).
    public let rejections: [Rejection]
    private let temporaryFiles: [String]

    init(path: String, dataset: MoleculeDataset, rejections: [Rejection], temporaryFiles: [String]) throws {
        self.path = path
        self.dataset = dataset
        self.sourceRows = try dataset.sourceRows().map(Int.init)
        self.rejections = rejections
        self.temporaryFiles = temporaryFiles
    }

    /// Input rows: molecules plus rejected rows (rank 0).
    public var rowCount: Int { dataset.count + rejections.count }

    /// Preprocesses `csv` on every rank of `world` into a temporary dataset in `directory`.
    /// - Parameter vocabulary: a directory holding vocab.txt (the model's), or nil when only graph
    ///   views are needed (a vocabulary is then built from the input and never used).
    public static func preprocessing(
        csv: String, in directory: URL, vocabulary: String?, smilesColumn: String?, descriptionColumn: String?,
        maxTokens: TextEncoderConfiguration, world: Communicator, report: @escaping (String) -> Void
    ) throws -> InferenceInput {
        let name = world.isRoot ? ".\(URL(fileURLWithPath: csv).lastPathComponent).lgmcl-input-\(getpid()).h5" : ""
        let temporary = directory.appendingPathComponent(try world.broadcast(string: name)).path
        var options = PreprocessOptions(input: csv, output: temporary)
        options.smilesColumn = smilesColumn
        options.descriptionColumn = descriptionColumn
        options.vocabulary = vocabulary
        // Longer sequences would be cut to these lengths in every batch anyway.
        options.maxSMILESTokens = maxTokens.maxSMILESTokens
        options.maxDescriptionTokens = maxTokens.maxDescriptionTokens
        options.progressInterval = 30
        options.createdBy = "lgmcl-dist (temporary input of embed/predict)"
        var preprocessor = Preprocessor(options: options, world: world)
        preprocessor.report = report
        let summary = try preprocessor.run()
        var rejections: [Rejection] = []
        if world.isRoot {
            let table = try CSVTable(contentsOf: URL(fileURLWithPath: options.rejectsPath))
            let (row, smiles, reason) = (try table.columnIndex("row"), try table.columnIndex("smiles"), try table.columnIndex("reason"))
            rejections = try table.rows.map { cells in
                guard let number = Int(cells[row]), number >= 1 else {
                    throw InferenceError(description: "\(options.rejectsPath): row number '\(cells[row])' is not a positive integer")
                }
                return Rejection(row: number - 1, smiles: cells[smiles], reason: cells[reason])
            }
            guard summary.molecules + rejections.count == summary.rows else {
                throw InferenceError(description: "\(csv): \(summary.rows) rows became \(summary.molecules) molecules and \(rejections.count) rejected rows")
            }
        }
        let input = try InferenceInput(path: csv, dataset: MoleculeDataset(path: temporary), rejections: rejections,
                                       temporaryFiles: [temporary, options.rejectsPath])
        return input
    }

    /// An lgmcl dataset, used as it is.
    public static func dataset(_ path: String) throws -> InferenceInput {
        try InferenceInput(path: path, dataset: MoleculeDataset(path: path), rejections: [], temporaryFiles: [])
    }

    /// Deletes the temporary dataset and its rejects file (call on rank 0 once every rank is done).
    public func removeTemporaryFiles() {
        for file in temporaryFiles { try? FileManager.default.removeItem(atPath: file) }
    }

    /// Checks that the input's tokens come from the model's vocabulary (an .h5 input may have
    /// been preprocessed with another one, and its token ids would then mean other tokens).
    public func check(vocabulary: Vocabulary?) throws {
        guard let vocabulary, dataset.vocabularySHA256 != vocabulary.sha256 else { return }
        throw InferenceError(description: "\(path): tokenized with vocabulary sha256 \(dataset.vocabularySHA256), the model's is \(vocabulary.sha256); preprocess the CSV again with --vocab MODEL_DIR (or give the CSV itself)")
    }
}
