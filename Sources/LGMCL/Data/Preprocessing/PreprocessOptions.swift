/// What `lgmcl-dist preprocess` was asked to do.
public struct PreprocessOptions: Sendable {
    public var input: String
    public var output: String
    /// The SMILES column; nil picks a column named "smiles" in any letter case.
    public var smilesColumn: String?
    public var labelColumns: [String] = []
    /// Take descriptions from this column instead of generating them.
    public var descriptionColumn: String?
    /// Carry a fixed train/val/test split from this column.
    public var splitColumn: String?
    /// Reuse the vocabulary of an lgmcl dataset (.h5) or of a directory holding vocab.txt.
    public var vocabulary: String?
    public var vocabularySize = 4096
    /// Molecules sampled (every k-th row) to build the vocabulary from.
    public var vocabularySample = 50_000
    public var maxSMILESTokens = 256
    public var maxDescriptionTokens = 256
    /// Rows each rank featurizes between two gathers on rank 0.
    public var rowsPerRound = 256
    /// Seconds between progress lines.
    public var progressInterval = 10.0
    public var createdBy = "lgmcl-dist preprocess"

    public init(input: String, output: String) {
        self.input = input
        self.output = output
    }

    /// The rejects file beside the output: data.h5 → data.rejects.csv.
    public var rejectsPath: String {
        let base = output.hasSuffix(".h5") ? String(output.dropLast(3)) : output
        return base + ".rejects.csv"
    }
}

/// What a preprocess run did.
public struct PreprocessSummary: Sendable, Equatable {
    public var rows: Int
    public var molecules: Int
    public var rejected: Int
    public var ranks: Int
    public var seconds: Double
    public var vocabularySize: Int
    public var vocabularySHA256: String
    public var outputBytes: Int
}
