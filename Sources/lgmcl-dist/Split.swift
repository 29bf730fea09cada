import ArgumentParser
import Foundation
import LGMCL

struct Split: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Write a CSV's rows with the split column lgmcl would use (train/val/test).",
        discussion: paragraphs("""
            The split is the one `finetune --split P --seeds S` computes on the same file, over
            the molecules RDKit parses. Rows RDKit rejects get an empty split cell and the reason
            in the error column. Other tools read the column (chemprop: --splits-column split),
            so lgmcl and they are compared on identical molecules.
            """)
    )

    @Option(help: "Input CSV with a header row.") var input: String
    @Option(help: "Output CSV: the input's columns, then the split and error columns.") var output: String
    @Option(help: "Column holding the SMILES.") var smilesColumn = "smiles"
    @Option(help: "random (0.6/0.2/0.2) or scaffold (balanced Bemis–Murcko, 0.8/0.1/0.1).") var split: SplitProtocol = .scaffold
    @Option(help: "Seed of the split.") var seed: UInt64 = 0
    @Option(help: "Name of the split column written.") var splitColumn = "split"

    func run() throws {
        let table = try CSVTable(contentsOf: URL(fileURLWithPath: input))
        let parsed = try ParsedSMILES(table, column: smilesColumn)
        let datasetSplit = split.split(parsed.molecules, seed: seed)
        let cells = SplitTable.cells(datasetSplit, parsed: parsed, rowCount: table.rows.count)
        var errors = [String](repeating: "", count: table.rows.count)
        for failure in parsed.failures { errors[failure.row] = failure.reason }
        try SplitTable.write(table, splitColumn: splitColumn, cells: cells, errors: errors,
                             to: URL(fileURLWithPath: output))
        print("""
            \(table.file): \(table.rows.count) rows, \(parsed.molecules.count) molecules parsed, \(parsed.failures.count) rejected
            \(split.rawValue) split, seed \(seed): train \(datasetSplit.train.count), val \(datasetSplit.val.count), test \(datasetSplit.test.count)
            wrote \(output)
            """)
        for failure in parsed.failures.prefix(10) { print("  \(table.describeRow(failure.row)): \(failure.reason)") }
        if parsed.failures.count > 10 { print("  … and \(parsed.failures.count - 10) more (see the error column)") }
    }
}

extension SplitProtocol: ExpressibleByArgument {}
