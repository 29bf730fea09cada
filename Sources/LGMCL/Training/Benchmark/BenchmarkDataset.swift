import Foundation

/// A labelled dataset of the MoleculeNet benchmark: where its CSV is, which columns are its
/// labels, and where the LGM-CL authors' LLM-written descriptions of (most of) its molecules are.
public struct BenchmarkDataset: Codable, Equatable, Sendable {
    public var name: String
    public var file: URL
    public var smilesColumn: String
    /// nil: every column but the SMILES, description and split columns.
    public var labelColumns: [String]?
    /// The authors' cleaned subset with a `description` column, when they released one.
    public var llmText: LLMText?

    public struct LLMText: Codable, Equatable, Sendable {
        public var file: URL
        public var labelColumns: [String]
        public var descriptionColumn: String
    }

    public init(name: String, file: URL, smilesColumn: String = "smiles", labelColumns: [String]? = nil, llmText: LLMText? = nil) {
        self.name = name
        self.file = file
        self.smilesColumn = smilesColumn
        self.labelColumns = labelColumns
        self.llmText = llmText
    }

    /// The five sets of the data directory (data/README.md), by name. FreeSolv's LLM file names
    /// its label `expt` where the MoleculeNet copy says `freesolv`; Tox21 has no LLM file.
    public static func moleculeNet(_ name: String, dataDirectory: URL) -> BenchmarkDataset? {
        let labels: [String: (csv: [String]?, llm: [String]?)] = [
            "bbbp": (["p_np"], ["p_np"]),
            "bace": (["Class"], ["Class"]),
            "tox21": (nil, nil),
            "esol": (["logSolubility"], ["logSolubility"]),
            "freesolv": (["freesolv"], ["expt"]),
        ]
        guard let entry = labels[name] else { return nil }
        let file = dataDirectory.appendingPathComponent("moleculenet/\(name).csv")
        let llm = entry.llm.map {
            LLMText(file: dataDirectory.appendingPathComponent("llm_text/\(name)_llm.csv"), labelColumns: $0, descriptionColumn: "description")
        }
        return BenchmarkDataset(name: name, file: file, labelColumns: entry.csv, llmText: llm)
    }

    public static let moleculeNetNames = ["bbbp", "bace", "tox21", "esol", "freesolv"]

    /// Fails before any training when a file the run needs is not in the data directory, naming
    /// the file and the command that fetches it: the LLM files are downloaded, not committed.
    public func requireFiles(llmText needsLLMText: Bool, dataDirectory: String) throws {
        guard FileManager.default.fileExists(atPath: file.path) else {
            throw CSVTableError(description: "\(file.path) is missing; fetch it with: lgmcl-dist datasets download moleculenet --to \(dataDirectory)")
        }
        if needsLLMText, let llmText, !FileManager.default.fileExists(atPath: llmText.file.path) {
            throw CSVTableError(description: """
                --llm-text needs \(llmText.file.path), the LGM-CL authors' descriptions of the \(name) molecules, \
                which is missing; fetch it with: lgmcl-dist datasets download llm-text --to \(dataDirectory)
                """)
        }
    }

    /// A name of the catalogue, or the path of any CSV (named after its file, labels: every
    /// column but SMILES).
    public static func resolve(_ argument: String, dataDirectory: URL) throws -> BenchmarkDataset {
        if let known = moleculeNet(argument.lowercased(), dataDirectory: dataDirectory) { return known }
        let url = URL(fileURLWithPath: argument)
        guard argument.contains("/") || argument.hasSuffix(".csv") else {
            throw CSVTableError(description: "dataset '\(argument)' is neither one of \(moleculeNetNames.joined(separator: ", ")) nor a CSV path")
        }
        guard FileManager.default.fileExists(atPath: url.path) else {
            throw CSVTableError(description: "\(url.path): no such dataset file")
        }
        return BenchmarkDataset(name: url.deletingPathExtension().lastPathComponent, file: url)
    }
}
