import Foundation
import LGMCL
import Testing
import TestSupport

/// `lgmcl-dist split` as a user runs it: the split column it writes is the split the library
/// computes, and a bad row keeps its place with a reason.
struct SplitCommandTests {
    @Test func splitCommandWritesEveryRowWithItsPartOrReason() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("lgmcl-split-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let source = try CSVTable(contentsOf: repositoryData.appendingPathComponent("moleculenet/esol.csv"))
        // Two broken rows among the real ones.
        var rows = source.rows
        rows.insert(["C1CC", "0.5"], at: 3)
        rows.insert(["c1cccc1X", "1.5"], at: 10)
        let input = directory.appendingPathComponent("esol_bad.csv")
        try Data((([source.header] + rows).map { $0.joined(separator: ",") }.joined(separator: "\n") + "\n").utf8).write(to: input)
        let output = directory.appendingPathComponent("out.csv")

        let result = try run(productPath("lgmcl-dist"), ["split", "--input", input.path, "--output", output.path, "--split", "random", "--seed", "2"], timeout: 120)
        #expect(result.status == 0, "\(result.output)")
        #expect(result.stdout.contains("2 rejected"))

        let written = try CSVTable(contentsOf: output)
        #expect(written.header == source.header + ["split", "error"])
        #expect(written.rows.map { Array($0.prefix(2)) } == rows)
        #expect(written.rows[3][2] == "" && written.rows[3][3].contains("C1CC"))
        #expect(written.rows[10][2] == "" && !written.rows[10][3].isEmpty)
        let good = written.rows.indices.filter { written.rows[$0][3].isEmpty }
        let expected = DatasetSplit.random(count: good.count, seed: 2).column().map(\.rawValue)
        #expect(good.map { written.rows[$0][2] } == expected)
        let fixed = try DatasetSplit.fixed(cells: good.map { written.rows[$0][2] }, column: "split")
        #expect(fixed.column() == DatasetSplit.random(count: good.count, seed: 2).column())
    }
}
