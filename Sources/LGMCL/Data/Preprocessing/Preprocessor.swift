import Distributed
import Foundation

/// CSV → schema-v1 dataset, with the rows split across the ranks of `world`.
///
/// The input is cut into rounds of `rowsPerRound × ranks` consecutive rows; in each round rank r
/// featurizes the r-th run of `rowsPerRound` rows, and rank 0 gathers the round's results in rank
/// order and appends them to the file. The file therefore holds the rows in input order whatever
/// the rank count. The vocabulary is built on rank 0 from a sample fixed by the row count alone
/// (every k-th row) and broadcast before the main pass, so tokens do not depend on ranks either.
///
/// Rows RDKit cannot parse (and rows with unusable labels or splits) are skipped and listed in
/// the rejects CSV; a malformed file (missing column, ragged row, broken gzip) ends the run with
/// an error before anything is written.
public struct Preprocessor {
    public let options: PreprocessOptions
    public let world: Communicator
    /// Where rank 0's progress and summary lines go.
    public var report: (String) -> Void = { print($0) }

    public init(options: PreprocessOptions, world: Communicator) {
        self.options = options
        self.world = world
    }

    struct Columns {
        var smiles: Int
        var labels: [Int]
        var description: Int?
        var split: Int?
    }

    public func run() throws -> PreprocessSummary {
        let start = monotonicSeconds()
        // Rank 0 checks the whole input first (header, columns, row shapes, compression); the
        // others wait in the broadcast, so a bad file fails once, with one message.
        var rowCount = [Int64(0)]
        if world.isRoot { rowCount[0] = Int64(try scanInput()) }
        try world.broadcast(&rowCount)
        let rows = Int(rowCount[0])

        let (vocabulary, descriptions) = try agreeOnVocabulary(rows: rows)
        let featurizer = try RowFeaturizer(options: options, vocabulary: vocabulary)

        var writer: DatasetWriter?
        var rejects: RejectsWriter?
        if world.isRoot {
            writer = try DatasetWriter(path: options.output, metadata: DatasetMetadata(
                taskNames: options.labelColumns, hasSplit: options.splitColumn != nil, hasScaffolds: true,
                vocabulary: vocabulary.tokens, vocabularySHA256: vocabulary.sha256,
                rdkitVersion: RDKit.version, createdBy: "\(options.createdBy) (lgmcl \(LGMCLVersion.string))",
                maxSMILESTokens: options.maxSMILESTokens, maxDescriptionTokens: options.maxDescriptionTokens))
            rejects = try RejectsWriter(path: options.rejectsPath)
        }

        do {
            try featurizeRounds(rows: rows, featurizer: featurizer, descriptions: descriptions, writer: writer, rejects: rejects)
        } catch {
            // The job ends at once on an error (no deinit runs): leave nothing half-written.
            writer?.discard()
            rejects?.discard()
            throw error
        }

        var summary = PreprocessSummary(
            rows: rows, molecules: 0, rejected: 0, ranks: world.size, seconds: 0,
            vocabularySize: vocabulary.tokens.count, vocabularySHA256: vocabulary.sha256, outputBytes: 0)
        if let writer, let rejects {
            summary.molecules = writer.count
            summary.rejected = rejects.count
            try writer.finish()
            try rejects.finish()
            summary.outputBytes = ((try? FileManager.default.attributesOfItem(atPath: options.output))?[.size] as? Int) ?? 0
        }
        summary.seconds = monotonicSeconds() - start
        // Every rank leaves only once the file is complete.
        try world.barrier()
        return summary
    }

    /// The main pass: rounds of rows featurized on every rank, gathered and written by rank 0.
    func featurizeRounds(
        rows: Int, featurizer: RowFeaturizer, descriptions: [Int: String], writer: DatasetWriter?, rejects: RejectsWriter?
    ) throws {
        let input = try CSVInput(path: options.input)
        let columns = try resolveColumns(input)
        let perRound = options.rowsPerRound * world.size
        let rounds = (rows + perRound - 1) / perRound
        var progress = Progress(total: rows, interval: options.progressInterval, start: Date())
        for round in 0 ..< rounds {
            // This rank's rows of the round, as row numbers counted from 1.
            let first = round * perRound + world.rank * options.rowsPerRound + 1
            let mine = first ..< max(first, min(first + options.rowsPerRound, rows + 1))
            var coded = RecordCoding()
            while input.rowNumber < mine.upperBound - 1 {
                guard let row = try input.next() else { break }
                guard mine.contains(input.rowNumber) else { continue }
                coded.append(featurizer.outcome(row: row, number: input.rowNumber, columns: columns,
                                                description: descriptions[input.rowNumber]))
            }
            let (gathered, _) = try world.allgatherVariable(coded.bytes)
            if let writer, let rejects {
                var reader = RecordCoding.Reader(gathered)
                while !reader.isAtEnd {
                    switch reader.outcome() {
                    case .molecule(let record): try writer.append(record)
                    case .rejected(let row, let smiles, let reason): try rejects.append(row: row, smiles: smiles, reason: reason)
                    }
                }
                let done = min(rows, (round + 1) * perRound)
                if let line = progress.update(done: done, written: writer.count, rejected: rejects.count) { report(line) }
            }
        }
    }

    // MARK: Input

    func resolveColumns(_ input: CSVInput) throws -> Columns {
        let smiles: Int
        if let name = options.smilesColumn {
            smiles = try input.column(name, role: "SMILES")
        } else if let index = input.header.firstIndex(where: { $0.lowercased() == "smiles" }) {
            smiles = index
        } else {
            _ = try input.column("smiles", role: "SMILES")
            smiles = -1
        }
        return Columns(
            smiles: smiles,
            labels: try options.labelColumns.map { try input.column($0, role: "label") },
            description: try options.descriptionColumn.map { try input.column($0, role: "description") },
            split: try options.splitColumn.map { try input.column($0, role: "split") })
    }

    /// Reads the whole input once: checks it and counts its rows.
    func scanInput() throws -> Int {
        let input = try CSVInput(path: options.input)
        _ = try resolveColumns(input)
        while try input.next() != nil {}
        if input.rowNumber == 0 {
            throw DatasetError(file: options.input, reason: "no data rows after the header")
        }
        return input.rowNumber
    }

    // MARK: Vocabulary

    /// The rank that featurizes row `number` (counted from 1) in the main pass.
    func owner(ofRow number: Int) -> Int {
        ((number - 1) / options.rowsPerRound) % world.size
    }

    /// The vocabulary every rank tokenizes with: loaded (`--vocab`) or built on rank 0 from
    /// every k-th row's canonical SMILES and description, then broadcast. Each rank describes
    /// the sampled rows it will featurize later, and keeps those descriptions for then.
    func agreeOnVocabulary(rows: Int) throws -> (vocabulary: Vocabulary, descriptions: [Int: String]) {
        var tokens: [String] = []
        var descriptions: [Int: String] = [:]
        if let source = options.vocabulary {
            if world.isRoot { tokens = try Self.loadVocabulary(source) }
        } else {
            let every = max(1, (rows + options.vocabularySample - 1) / options.vocabularySample)
            let sample = Array(stride(from: 1, through: rows, by: every))
            if world.isRoot { report("preprocess: \(rows) rows; building the vocabulary from \(sample.count) of them") }
            let texts = try sampleTexts(Set(sample.filter { owner(ofRow: $0) == world.rank }))
            var coding = RecordCoding()
            for text in texts {
                coding.append(Int64(text.row))
                coding.append(string: text.smiles)
                coding.append(string: text.description)
                if options.descriptionColumn == nil { descriptions[text.row] = text.description }
            }
            let (gathered, _) = try world.allgatherVariable(coding.bytes)
            if world.isRoot {
                var reader = RecordCoding.Reader(gathered)
                var all: [(row: Int64, smiles: String, description: String)] = []
                while !reader.isAtEnd { all.append((reader.integer(Int64.self), reader.string(), reader.string())) }
                // Row order, whatever the ranks: the builder sees the same list on any rank count.
                all.sort { $0.row < $1.row }
                tokens = Vocabulary.build(smiles: all.map(\.smiles), descriptions: all.map(\.description),
                                          size: options.vocabularySize).tokens
            }
        }
        let joined = try world.broadcast(string: tokens.joined(separator: "\n"))
        let vocabulary = try Vocabulary(tokens: joined.split(separator: "\n", omittingEmptySubsequences: false).map(String.init))
        return (vocabulary, descriptions)
    }

    /// Canonical SMILES and descriptions of the listed rows that would not be rejected.
    func sampleTexts(_ rowNumbers: Set<Int>) throws -> [(row: Int, smiles: String, description: String)] {
        var texts: [(row: Int, smiles: String, description: String)] = []
        guard let last = rowNumbers.max() else { return [] }
        let input = try CSVInput(path: options.input)
        let columns = try resolveColumns(input)
        let featurizer = try RowFeaturizer(options: options, vocabulary: nil)
        while input.rowNumber < last, let row = try input.next() {
            guard rowNumbers.contains(input.rowNumber), let text = featurizer.texts(row: row, columns: columns) else { continue }
            texts.append((input.rowNumber, text.smiles, text.description))
        }
        return texts
    }

    /// Tokens of an lgmcl dataset's /text/vocab, or of DIR/vocab.txt (one token per line).
    static func loadVocabulary(_ source: String) throws -> [String] {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: source, isDirectory: &isDirectory) else {
            throw DatasetError(file: source, reason: "no such vocabulary file or directory")
        }
        if isDirectory.boolValue {
            let path = URL(fileURLWithPath: source).appendingPathComponent("vocab.txt").path
            guard let text = try? String(contentsOfFile: path, encoding: .utf8) else {
                throw DatasetError(file: path, reason: "cannot read the vocabulary (one token per line)")
            }
            return text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init).filter { !$0.isEmpty }
        }
        return try MoleculeDataset(path: source).vocabulary
    }
}
