import Foundation
import LGMCL
import Testing
import TestSupport

/// `lgmcl-dist hpopt` end to end (tiny preset, 300 molecules of BBBP): groups of ranks run trials at
/// once and give the table one group gives running the same rounds one trial after another; an
/// interrupted search resumes to the same table, and refuses one it would not have drawn; the best
/// trial is the best by validation.
@Suite(.serialized)
struct HpoptTests {
    static let scratch = scratchDirectory("lgmcl-hpopt-\(getpid())")

    func data() throws -> String {
        try moleculeNetSlice("bbbp", rows: 300, in: Self.scratch).path
    }

    func hpopt(_ ranks: Int, data: String, output: URL, _ extra: [String]) throws -> ProcessResult {
        try mpirun(ranks, "lgmcl-dist",
                   ["hpopt", "--data", data, "--output", output.path, "--preset", "tiny", "--epochs", "2", "--deterministic",
                    "--sampler", "tpe", "--startup-trials", "2", "--search", "lr,weight-decay,prediction-dropout,batch-size,lr-schedule,ema-decay,fusion",
                    "--log-interval", "1000"] + extra,
                   timeout: 600)
    }

    /// trials.csv without the columns that say where and how fast a trial ran.
    func table(_ output: URL) throws -> [[String]] {
        let table = try CSVTable(contentsOf: output.appendingPathComponent("trials.csv"))
        let kept = table.header.indices.filter { !["group", "seconds"].contains(table.header[$0]) }
        return [kept.map { table.header[$0] }] + table.rows.map { row in kept.map { row[$0] } }
    }

    @Test func groupsRunTheSameTrialsAsOneGroupInTurn() throws {
        let csv = try data()
        let parallel = Self.scratch.appendingPathComponent("parallel"), serial = Self.scratch.appendingPathComponent("serial")
        let four = try hpopt(4, data: csv, output: parallel, ["--trials", "4", "--groups", "2"])
        #expect(four.status == 0, "\(four.output)")
        let two = try hpopt(2, data: csv, output: serial, ["--trials", "4", "--groups", "1", "--trials-per-round", "2"])
        #expect(two.status == 0, "\(two.output)")
        guard four.status == 0, two.status == 0 else { return }
        let rows = try table(parallel)
        #expect(rows.count == 5 && rows[0].contains("val"), "\(rows)")
        #expect(rows == (try table(serial)))
        // Each trial ran in its own group: round r's trials 2r and 2r + 1 on groups 0 and 1.
        let groups = try CSVTable(contentsOf: parallel.appendingPathComponent("trials.csv")).column("group")
        #expect(groups == ["0", "1", "0", "1"])
        // Trials differ (the draws are not one value) and every one finished with a score.
        #expect(Set(rows.dropFirst().map { $0[2] }).count == 4, "\(rows)")
        #expect(rows.dropFirst().allSatisfy { $0[rows[0].firstIndex(of: "status")!] == "ok" })

        // The best trial by validation ROC-AUC, and a configuration finetune --config reads.
        let best = try JSONSerialization.jsonObject(with: Data(contentsOf: parallel.appendingPathComponent("best.json"))) as! [String: Any]
        let vals = try CSVTable(contentsOf: parallel.appendingPathComponent("trials.csv")).column("val").map { Double($0)! }
        #expect(abs((best["val"] as? Double ?? 0) - vals.max()!) < 1e-12, "\(best)")
        #expect(best["trial"] as? Int == vals.firstIndex(of: vals.max()!))
        _ = try ModelConfiguration.load(from: parallel.appendingPathComponent("best-config.json"))
        // The command it names is one finetune accepts (integers for integer flags).
        let command = try #require(best["finetune"] as? String)
        #expect(command.contains("--batch-size ") && !command.contains(".0 ") && !command.hasSuffix(".0"), "\(command)")
        #expect(command.contains("--lr-schedule constant") || command.contains("--lr-schedule warmup-decay"), "\(command)")
        #expect(command.contains("--ema-decay "), "\(command)")
        #expect(command.contains("--recipe \(FinetuneRecipe.default.name) ") && (command.contains("--fusion gated") || command.contains("--fusion residual")),
                "\(command)")

        // Interrupted after trial 2: the search resumes from trials.csv and ends with the same table.
        let lines = try String(contentsOf: serial.appendingPathComponent("trials.csv"), encoding: .utf8).split(separator: "\n")
        try (lines.prefix(3).joined(separator: "\n") + "\n").write(to: serial.appendingPathComponent("trials.csv"), atomically: true, encoding: .utf8)
        let resumed = try hpopt(2, data: csv, output: serial, ["--trials", "4", "--groups", "1", "--trials-per-round", "2"])
        #expect(resumed.status == 0 && resumed.output.contains("2 trials already in"), "\(resumed.output)")
        #expect(try table(serial) == rows)

        // A table with a value this search would not draw (here trial 0's fusion) is refused, not continued.
        var cells = try String(contentsOf: serial.appendingPathComponent("trials.csv"), encoding: .utf8)
            .split(separator: "\n").map { $0.split(separator: ",", omittingEmptySubsequences: false).map(String.init) }
        let fusion = try #require(cells[0].firstIndex(of: "fusion"))
        cells[1][fusion] = cells[1][fusion] == "gated" ? "residual" : "gated"
        try (cells.map { $0.joined(separator: ",") }.joined(separator: "\n") + "\n")
            .write(to: serial.appendingPathComponent("trials.csv"), atomically: true, encoding: .utf8)
        let refused = try hpopt(2, data: csv, output: serial, ["--trials", "4", "--groups", "1", "--trials-per-round", "2"])
        #expect(refused.status != 0 && !refused.timedOut && refused.output.contains("trial 0 has fusion"), "\(refused.output)")
    }

    /// A search over pretrained encoders names them in the command it writes, and its best
    /// configuration is the pretrained one (here a 3-layer AttentiveFP, not tiny's 2) with the
    /// recipe's fine-tuning choices.
    @Test func theBestCommandKeepsThePretrainedEncoders() throws {
        let csv = try data()
        let h5 = Self.scratch.appendingPathComponent("bbbp-300.h5").path
        let pretrained = Self.scratch.appendingPathComponent("pretrained")
        let pre = try run(productPath("lgmcl-dist"), ["preprocess", "--input", csv, "--output", h5, "--vocab-size", "300"], timeout: 300)
        #expect(pre.status == 0, "\(pre.output)")
        let graph = try mpirun(1, "lgmcl-dist", ["pretrain", "--data", h5, "--output", pretrained.path, "--preset", "tiny",
                                                  "--set", "local.layers=3", "--stage", "graph", "--max-steps", "2",
                                                  "--batch-size", "16", "--held-out", "8"], timeout: 300)
        #expect(graph.status == 0, "\(graph.output)")
        guard pre.status == 0, graph.status == 0 else { return }
        let output = Self.scratch.appendingPathComponent("from-pretrained")
        let result = try hpopt(1, data: csv, output: output, ["--trials", "1", "--pretrained", pretrained.path])
        #expect(result.status == 0, "\(result.output)")
        guard result.status == 0 else { return }
        let best = try JSONSerialization.jsonObject(with: Data(contentsOf: output.appendingPathComponent("best.json"))) as! [String: Any]
        let command = try #require(best["finetune"] as? String)
        #expect(command.contains("--pretrained \(pretrained.path) --config "), "\(command)")
        let configuration = try ModelConfiguration.load(from: output.appendingPathComponent("best-config.json"))
        // The pretrained shapes, with the default recipe's readout on top.
        #expect(configuration.local.layers == 3 && configuration.local.readout == FinetuneRecipe.default.readout, "\(configuration.local)")
    }

    @Test func groupsThatDoNotDivideTheRanksAreRefused() throws {
        let result = try hpopt(3, data: try data(), output: Self.scratch.appendingPathComponent("refused"), ["--trials", "2", "--groups", "2"])
        #expect(result.status != 0 && !result.timedOut, "\(result.output)")
        #expect(result.output.components(separatedBy: "--groups 2 does not divide 3 ranks").count == 2, "said once: \(result.output)")
    }
}
