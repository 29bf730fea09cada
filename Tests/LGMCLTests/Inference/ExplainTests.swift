import Foundation
#if canImport(FoundationXML)
import FoundationXML
#endif
@testable import LGMCL
import Testing
import TestSupport

/// `lgmcl-dist explain` on the tiny two-seed BBBP classifier: one summary row per input row with
/// bad rows' reasons, one attribution per RDKit atom, f(x) the mean of the seeds' logits computed
/// here, and the same files on one rank and two; drawings and index.html well-formed, every row in
/// the page, nothing loaded from the network. (The attributions themselves are checked against
/// Captum in IntegratedGradientsTests.)
@Suite(.serialized)
struct ExplainTests {
    typealias F = InferenceFixtures

    @Test func explainWritesEveryRowAndTheSameFilesOnAnyRankCount() throws {
        let model = try F.classifier.get()
        let (input, table, bad) = try F.inputWithBadRows.get()
        var outputs: [URL] = []
        for ranks in [1, 2] {
            let output = F.scratch.appendingPathComponent("explain-np\(ranks)")
            let result = try mpirun(ranks, "lgmcl-dist", ["explain", "--model", model.path, "--input", input.path, "--output", output.path,
                                                          "--steps", "8"], timeout: 300)
            #expect(result.status == 0, "np \(ranks): \(result.output)")
            guard result.status == 0 else { return }
            outputs.append(output)
        }
        for file in ["summary.csv", "atoms.csv", "explain.json", "index.html"] {
            #expect(try Data(contentsOf: outputs[0].appendingPathComponent(file)) == Data(contentsOf: outputs[1].appendingPathComponent(file)),
                    "\(file) differs between 1 and 2 ranks")
        }
        let summary = try CSVTable(contentsOf: outputs[0].appendingPathComponent("summary.csv"))
        let column = { (name: String) in try! summary.columnIndex(name) }
        #expect(summary.rows.count == table.rows.count, "one row per input row (one task)")
        for row in bad { #expect(!summary.rows[row][column("error")].isEmpty, "row \(row + 1): \(summary.rows[row])") }

        let (good, logits, _) = try PredictTests().rawOutputs(model, table: table, name: "explain-reference")
        let atoms = try CSVTable(contentsOf: outputs[0].appendingPathComponent("atoms.csv"))
        let smiles = try table.columnIndex("smiles")
        for (k, row) in good.enumerated() {
            let cells = summary.rows[row]
            #expect(cells[column("row")] == String(row + 1) && cells[column("error")].isEmpty, "\(cells)")
            let expected = (logits[0]![k] + logits[1]![k]) / 2
            let output = Double(cells[column("output")]) ?? .nan
            #expect(abs(output - expected) <= 1e-5 + 1e-4 * abs(expected), "row \(row + 1): f(x) \(output) vs mean logit \(expected)")
            let mine = atoms.rows.filter { $0[0] == String(row + 1) }
            let molecule = try Molecule(smiles: table.rows[row][smiles])
            #expect(mine.map { $0[3] } == (0 ..< molecule.atomCount).map(String.init), "row \(row + 1): one attribution per atom")
            // Completeness: what the atoms and bits carry plus the residual is the difference.
            let parts = ["atoms", "fingerprints", "residual"].map { Double(cells[column($0)]) ?? .nan }.reduce(0, +)
            let difference = Double(cells[column("difference")]) ?? .nan
            #expect(abs(parts - difference) <= 1e-5 * max(1, abs(difference)), "row \(row + 1): \(parts) vs \(difference)")
            let atomSum = mine.map { Double($0[4]) ?? .nan }.reduce(0, +)
            #expect(abs(atomSum - (Double(cells[column("atoms")]) ?? .nan)) <= 1e-5 * max(1, abs(atomSum)))

            // The drawing: one highlight per atom, the strongest atom in the scale's end colour.
            let svg = try String(contentsOf: outputs[0].appendingPathComponent("molecules/row-\(row + 1)-0.svg"), encoding: .utf8)
            #expect(XMLParser(data: Data(svg.utf8)).parse(), "row \(row + 1): the SVG is not well-formed")
            for atom in 0 ..< molecule.atomCount { #expect(svg.contains("class='atom-\(atom)'"), "row \(row + 1): atom \(atom) not drawn") }
            let values = mine.map { Double($0[4]) ?? .nan }
            let strongest = values.indices.max { abs(values[$0]) < abs(values[$1]) }!
            #expect(svg.contains(values[strongest] < 0 ? "fill:#542788" : "fill:#B35806"), "row \(row + 1): no atom in the end colour")
        }
        let page = try String(contentsOf: outputs[0].appendingPathComponent("index.html"), encoding: .utf8)
        let parser = XMLParser(data: Data(page.utf8))
        #expect(parser.parse(), "index.html is not well-formed: \(String(describing: parser.parserError))")
        #expect(page.components(separatedBy: "<tr>").count - 1 == table.rows.count + 1, "a header and one row per input row")
        #expect(!page.contains("src=") && !page.contains("href=") && !page.contains("<link") && !page.contains("@import"),
                "index.html loads something")
        for row in bad {
            let reason = summary.rows[row][column("error")].replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;")
                .replacingOccurrences(of: ">", with: "&gt;").replacingOccurrences(of: "\"", with: "&quot;")
            #expect(page.contains(reason), "row \(row + 1)'s reason is not on the page")
        }
    }
}
