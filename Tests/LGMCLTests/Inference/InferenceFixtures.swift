import Foundation
@testable import LGMCL
import TestSupport

/// Shared inputs of the embed and predict tests: a tiny pretraining output (graph then text
/// stage, a few steps on the first 96 BBBP molecules) and a CSV of real molecules with two rows
/// RDKit rejects.
enum InferenceFixtures {
    static let scratch = scratchDirectory("lgmcl-inference-\(getpid())")

    struct Failure: Error, CustomStringConvertible { let description: String }

    static func check(_ result: ProcessResult, _ what: String) throws {
        guard result.status == 0 else { throw Failure(description: "\(what) failed (status \(result.status)):\n\(result.output)") }
    }

    /// The first 96 BBBP rows as `id,smiles,p_np`.
    static let bbbp: Result<CSVTable, Error> = Result {
        let table = try CSVTable(contentsOf: repositoryData.appendingPathComponent("moleculenet/bbbp.csv"))
        let smiles = try table.columnIndex("smiles"), label = try table.columnIndex("p_np")
        let rows = table.rows.prefix(96).enumerated().map { ["m\($0.offset)", $0.element[smiles], $0.element[label]] }
        return CSVTable(header: ["id", "smiles", "p_np"], rows: Array(rows), file: "bbbp-96.csv")
    }

    static func write(_ table: CSVTable, _ name: String) throws -> URL {
        try FileManager.default.createDirectory(at: scratch, withIntermediateDirectories: true)
        let url = scratch.appendingPathComponent(name)
        try CSVText.write(CSVText.render(header: table.header, rows: table.rows), to: url)
        return url
    }

    /// A pretraining output directory with both stages' encoders and the vocabulary.
    static let pretrained: Result<URL, Error> = Result {
        let csv = try write(bbbp.get(), "bbbp-96.csv")
        let data = scratch.appendingPathComponent("bbbp-96.h5").path
        try check(run(productPath("lgmcl-dist"), ["preprocess", "--input", csv.path, "--output", data, "--vocab-size", "300"],
                      timeout: 300), "preprocess")
        let output = scratch.appendingPathComponent("pretrained")
        for stage in ["graph", "text"] {
            try check(run(productPath("lgmcl-dist"), ["pretrain", "--data", data, "--output", output.path, "--preset", "tiny",
                                                      "--stage", stage, "--batch-size", "16", "--max-steps", "3", "--held-out", "12",
                                                      "--log-interval", "1000"], timeout: 300), "pretrain --stage \(stage)")
        }
        return output
    }

    /// A BBBP classifier of two seeds, fine-tuned for one epoch on the first 96 molecules.
    static let classifier: Result<URL, Error> = Result {
        let csv = try write(bbbp.get(), "bbbp-96-labels.csv")
        let output = scratch.appendingPathComponent("finetuned-bbbp")
        try check(run(productPath("lgmcl-dist"), ["finetune", "--data", csv.path, "--output", output.path, "--preset", "tiny",
                                                    "--label-columns", "p_np", "--epochs", "1", "--seeds", "0,1", "--batch-size", "16",
                                                    "--log-interval", "1000"], timeout: 300), "finetune bbbp")
        return output
    }

    /// 40 BBBP rows with two unparsable SMILES inserted at rows 3 and 21 (0-based).
    static let inputWithBadRows: Result<(url: URL, table: CSVTable, bad: [Int]), Error> = Result {
        var rows = Array(try bbbp.get().rows.prefix(38))
        rows.insert(["bad1", "C1CC", ""], at: 3)
        rows.insert(["bad2", "c1cccc1X", ""], at: 21)
        let table = CSVTable(header: ["id", "smiles", "p_np"], rows: rows, file: "with-bad-rows.csv")
        return (try write(table, "with-bad-rows.csv"), table, [3, 21])
    }

    /// The molecules of `rows` (CSV rows RDKit parses) through `lgmcl-dist preprocess` with the
    /// model's vocabulary, read back as one batch.
    static func batch(of table: CSVTable, model: URL, name: String, configuration: ModelConfiguration) throws -> MoleculeBatch {
        let csv = try write(table, name + ".csv")
        let data = scratch.appendingPathComponent(name + ".h5").path
        try check(run(productPath("lgmcl-dist"), ["preprocess", "--input", csv.path, "--output", data, "--vocab", model.path],
                      timeout: 300), "preprocess \(name)")
        let dataset = try MoleculeDataset(path: data)
        let plan = try ShardPlan.sequential(Array(0 ..< dataset.count), globalBatchSize: dataset.count)
        let reader = BatchReader(dataset: dataset, plan: plan, options: BatchOptions(
            maxSMILESTokens: configuration.text.maxSMILESTokens, maxDescriptionTokens: configuration.text.maxDescriptionTokens))
        guard let batch = try reader.next() else { throw Failure(description: "\(data): no batch") }
        return batch
    }

    /// Numbers of a CSV cell range (empty cells are an error).
    static func numbers(_ cells: ArraySlice<String>) throws -> [Float] {
        try cells.map { cell in
            guard let value = Float(cell) else { throw Failure(description: "'\(cell)' is not a number") }
            return value
        }
    }

    /// The index of the first element with |a − b| > atol + rtol·|b|, nil when all are close.
    static func firstMismatch(_ a: [Float], _ b: [Float], atol: Float, rtol: Float) -> Int? {
        guard a.count == b.count else { return -1 }
        return a.indices.first { abs(a[$0] - b[$0]) > atol + rtol * abs(b[$0]) }
    }
}
