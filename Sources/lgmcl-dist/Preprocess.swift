import ArgumentParser
import Distributed
import Foundation
import LGMCL

struct Preprocess: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Turn a CSV of SMILES into an lgmcl dataset (HDF5, schema v1; docs/data-format.md).",
        discussion: paragraphs("""
            Every row is parsed with RDKit and stored with its graph, fingerprints, description
            and tokens. Under `mpirun -np N` the rows are split across the ranks; the file is the
            same for any N. Rows that cannot be used are skipped and listed, with the reason, in
            OUTPUT.rejects.csv (rows numbered from 1 after the header). Input may be gzip-compressed.
              mpirun -np 4 lgmcl-dist preprocess --input moses.csv.gz --output moses.h5
              lgmcl-dist preprocess --input bbbp.csv --output bbbp.h5 --label-columns p_np --vocab moses.h5
            """)
    )

    @Option(help: "Input CSV (.csv or .csv.gz) with a header row.")
    var input: String

    @Option(help: "Output dataset (.h5); written under a temporary name, renamed when complete.")
    var output: String

    @Option(help: "The SMILES column (default: the column named smiles, in any letter case).")
    var smilesColumn: String?

    @Option(help: "Comma-separated label columns; empty cells are missing labels.")
    var labelColumns: String?

    @Option(help: "Take descriptions from this column instead of generating them.")
    var descriptionColumn: String?

    @Option(help: "Carry a fixed split from this column (train/val/test; valid and validation mean val).")
    var splitColumn: String?

    @Option(help: "Reuse the vocabulary of an lgmcl dataset (.h5) or of DIR/vocab.txt.")
    var vocab: String?

    @Option(help: "Vocabulary size when building one.")
    var vocabSize = 4096

    @Option(help: "Rows (every k-th) the vocabulary is built from.")
    var vocabSample = 50_000

    @Option(help: "Longest SMILES token sequence stored.")
    var maxSMILESTokens = 256

    @Option(help: "Longest description token sequence stored.")
    var maxDescriptionTokens = 256

    @Option(help: "Seconds between progress lines.")
    var progressInterval = 10.0

    @Option(help: .hidden)
    var rowsPerRound = 256

    func validate() throws {
        try validatePaths(input: input, output: output)
        guard vocabSize > 0, vocabSample > 0, maxSMILESTokens > 1, maxDescriptionTokens > 1, rowsPerRound > 0 else {
            throw ValidationError("sizes must be positive (token limits at least 2)")
        }
    }

    var options: PreprocessOptions {
        var options = PreprocessOptions(input: input, output: output)
        options.smilesColumn = smilesColumn
        options.labelColumns = labelColumns.map {
            $0.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
        } ?? []
        options.descriptionColumn = descriptionColumn
        options.splitColumn = splitColumn
        options.vocabulary = vocab
        options.vocabularySize = vocabSize
        options.vocabularySample = vocabSample
        options.maxSMILESTokens = maxSMILESTokens
        options.maxDescriptionTokens = maxDescriptionTokens
        options.progressInterval = progressInterval
        options.rowsPerRound = rowsPerRound
        options.createdBy = "lgmcl-dist " + CommandLine.arguments.dropFirst().joined(separator: " ")
        return options
    }

    func run() throws {
        let options = self.options
        Job.run { world in
            var preprocessor = Preprocessor(options: options, world: world)
            preprocessor.report = { line in
                print(line)
                fflush(stdout)
            }
            let s = try preprocessor.run()
            guard world.isRoot else { return }
            let perMolecule = s.molecules > 0 ? Double(s.outputBytes) / Double(s.molecules) : 0
            print("""
                preprocess: \(s.rows) rows → \(s.molecules) molecules, \(s.rejected) rejected\
                \(s.rejected > 0 ? " (see \(options.rejectsPath))" : "")
                preprocess: \(String(format: "%.1f", s.seconds)) s on \(s.ranks) rank\(s.ranks == 1 ? "" : "s"), \
                \(String(format: "%.0f", Double(s.rows) / max(s.seconds, 1e-9) / Double(s.ranks))) rows/s per rank
                preprocess: vocabulary \(s.vocabularySize) tokens, sha256 \(s.vocabularySHA256)
                preprocess: wrote \(options.output) (\(s.outputBytes) bytes, \(String(format: "%.0f", perMolecule)) bytes per molecule)
                """)
        }
    }
}
