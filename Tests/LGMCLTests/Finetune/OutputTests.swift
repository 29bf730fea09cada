import Foundation
#if canImport(FoundationXML)
import FoundationXML
#endif
import LGMCL
import Testing
import TestSupport

struct OutputTests {
    static func scratch() throws -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("lgmcl-output-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }

    static func write(_ text: String, in directory: URL, name: String = "input.csv") throws -> URL {
        let url = directory.appendingPathComponent(name)
        try Data(text.utf8).write(to: url)
        return url
    }

    @Test func csvTableReadsQuotesAndBOMAndNamesRaggedRows() throws {
        let directory = try Self.scratch()
        defer { try? FileManager.default.removeItem(at: directory) }
        let good = try Self.write("\u{FEFF}smiles,name,y\r\nCCO,\"ethanol, absolute\",1\r\nc1ccccc1,\"say \"\"hi\"\"\",\r\n", in: directory)
        let table = try CSVTable(contentsOf: good)
        #expect(table.header == ["smiles", "name", "y"])
        #expect(table.rows == [["CCO", "ethanol, absolute", "1"], ["c1ccccc1", "say \"hi\"", ""]])

        let ragged = try Self.write("smiles,y\nCCO,1\nCC,1,2\n", in: directory, name: "ragged.csv")
        #expect(throws: CSVTableError(description: "\(ragged.path): row 2 has 3 fields, the header has 2")) { try CSVTable(contentsOf: ragged) }
        let duplicate = try Self.write("smiles,y,y\n", in: directory, name: "dup.csv")
        #expect(throws: CSVTableError.self) { try CSVTable(contentsOf: duplicate) }
    }

    @Test func labelColumnsAreGivenOrEverythingButSMILESAndDescription() throws {
        let table = CSVTable(header: ["smiles", "a", "description", "b", "split"],
                             rows: [["C", "1", "text", "", "train"], ["CC", "nan", "t", "0.5", "val"]], file: "t.csv")
        #expect(try LabelColumns.select(in: table, smilesColumn: "smiles", given: nil, excluded: ["description", "split"]) == ["a", "b"])
        #expect(try LabelColumns.select(in: table, smilesColumn: "smiles", given: ["b"]) == ["b"])
        #expect(throws: CSVTableError.self) { try LabelColumns.select(in: table, smilesColumn: "smiles", given: ["c"]) }
        #expect(throws: CSVTableError.self) { try LabelColumns.select(in: table, smilesColumn: "SMILES", given: nil) }
        let values = try LabelColumns.values(in: table, columns: ["a", "b"])
        #expect(values[0, 0] == 1 && values[0, 1].isNaN && values[1, 0].isNaN && values[1, 1] == 0.5)
        #expect(throws: CSVTableError(description: "t.csv row 1: label column 'description' holds 'text', which is not a number")) {
            try LabelColumns.values(in: table, columns: ["description"])
        }
    }

    @Test func predictionTableKeepsEveryRowInOrderWithReasons() throws {
        let directory = try Self.scratch()
        defer { try? FileManager.default.removeItem(at: directory) }
        let input = CSVTable(header: ["smiles", "id", "error"],
                             rows: [["CCO", "1", "x"], ["C1CC", "2", ""], ["c1ccccc1", "3", ""]], file: "in.csv")
        var table = PredictionTable(input: input, taskNames: ["p_np", "tox"], kind: .classification, groups: ["_calibrated"])
        #expect(table.predictionColumns == ["p_np_probability", "tox_probability"])
        #expect(table.groupColumns == [["p_np_calibrated", "tox_calibrated"]])
        #expect(table.errorColumn == "error_lgmcl")
        table.setPrediction(row: 0, values: [0.25, 0.75, 0.3, .nan])
        table.setError(row: 1, reason: "SMILES 'C1CC' is invalid (unclosed ring)")
        #expect(throws: CSVTableError.self) { try table.csvData() }
        table.setPrediction(row: 2, values: [1, 0.125, 0.5, .nan])
        let url = directory.appendingPathComponent("preds.csv")
        try table.write(to: url)
        let written = try CSVTable(contentsOf: url)
        #expect(written.header == ["smiles", "id", "error", "p_np_probability", "tox_probability", "p_np_calibrated", "tox_calibrated", "error_lgmcl"])
        #expect(written.rows == [
            ["CCO", "1", "x", "0.25", "0.75", "0.3", "", ""],
            ["C1CC", "2", "", "", "", "", "", "SMILES 'C1CC' is invalid (unclosed ring)"],
            ["c1ccccc1", "3", "", "1.0", "0.125", "0.5", "", ""],
        ])
        #expect(table.failedRows == 1)
        // Nothing but the output itself is left in the directory (the temporary file was renamed).
        #expect(try FileManager.default.contentsOfDirectory(atPath: directory.path) == ["preds.csv"])
    }

    @Test func learningCurvesWriteCSVAndAWellFormedSVG() throws {
        let directory = try Self.scratch()
        defer { try? FileManager.default.removeItem(at: directory) }
        var curves = LearningCurves(metric: .rocAUC)
        for seed: UInt64 in [0, 1] {
            for epoch in 1...4 {
                curves.append(.init(seed: seed, epoch: epoch, trainLoss: 0.7 / Double(epoch) + Double(seed) * 0.01,
                                    validation: epoch == 1 && seed == 1 ? nil : 0.6 + 0.05 * Double(epoch),
                                    validationLoss: epoch == 1 && seed == 1 ? nil : 0.5 / Double(epoch)))
            }
        }
        try curves.write(to: RunDirectory(directory))
        let csv = try CSVTable(contentsOf: directory.appendingPathComponent("learning_curves.csv"))
        #expect(csv.header == ["seed", "epoch", "train_loss", "val_roc_auc", "val_loss"])
        #expect(csv.rows.count == 8)
        #expect(csv.rows[4] == ["1", "1", "0.71", "", ""])
        #expect(csv.rows[1] == ["0", "2", "0.35", "0.7", "0.25"])
        let svg = try Data(contentsOf: directory.appendingPathComponent("learning_curves.svg"))
        let document = try XMLDocument(data: svg)
        let polylines = try document.nodes(forXPath: "//*[local-name()='polyline']")
        #expect(polylines.count == 4)  // two seeds × two panels
        let text = String(decoding: svg, as: UTF8.self)
        #expect(text.contains("validation ROC-AUC") && text.contains("seed 1"))
    }
}
