import Foundation
import LGMCL
import Testing
import TestSupport

/// `lgmcl-dist benchmark moleculenet` as a user runs it, on a data directory holding the first 60
/// molecules of ESOL and of the authors' ESOL LLM file, tiny preset, one epoch: the table has the
/// rows and columns of what ran, the split files are those `lgmcl-dist split` writes, and the
/// fine-tuning scored exactly the test rows of those files.
struct BenchmarkCommandTests {
    static func head(_ file: String, rows: Int, into url: URL) throws {
        let table = try CSVTable(contentsOf: repositoryData.appendingPathComponent(file))
        let lines = [table.header] + table.rows.prefix(rows)
        let text = lines.map { $0.map { $0.contains(",") || $0.contains("\"") ? "\"" + $0.replacingOccurrences(of: "\"", with: "\"\"") + "\"" : $0 }
            .joined(separator: ",") }.joined(separator: "\n") + "\n"
        try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
        try Data(text.utf8).write(to: url)
    }

    /// A scratch directory (removed by the caller) whose data/ holds the first 60 molecules of ESOL.
    static func esolDataDirectory() throws -> (directory: URL, data: URL) {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("lgmcl-bench-\(UUID().uuidString)")
        let data = directory.appendingPathComponent("data")
        try head("moleculenet/esol.csv", rows: 60, into: data.appendingPathComponent("moleculenet/esol.csv"))
        return (directory, data)
    }

    @Test func benchmarkWritesTheTableOfWhatRanOnTheSharedSplits() throws {
        let (directory, data) = try Self.esolDataDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        try Self.head("samples/esol_llm_head100.csv", rows: 60, into: data.appendingPathComponent("llm_text/esol_llm.csv"))
        let output = directory.appendingPathComponent("out")
        let arguments = ["benchmark", "moleculenet", "--datasets", "esol", "--protocols", "random", "--seeds", "0,1",
                         "--epochs", "1", "--preset", "tiny", "--recipe", "paper", "--llm-text", "--data-directory", data.path, "--output", output.path,
                         "--json"]

        let started = Date()
        let result = try run(productPath("lgmcl-dist"), arguments, timeout: 600)
        #expect(result.status == 0, "\(result.output)")

        // Without --pretrained: the ablation, and the LLM pair; two seeds each.
        let results = try BenchmarkResults.load(from: output.appendingPathComponent("results.json"))
        #expect(results.runs.count == 6)
        #expect(Set(results.runs.map(\.variant)) == [.scratch, .generatedTextOnLLMSubset, .llmText])
        #expect(results.runs.allSatisfy { $0.metric == .rmse && $0.test.isFinite && $0.test > 0 && $0.preset == "tiny" && $0.epochs == 1 })
        #expect(results.runs.allSatisfy { $0.trainCount == 36 && $0.valCount == 12 && $0.testCount == 12 })
        // Each run says when it finished and which build on how many ranks produced it.
        for provenance in results.runs.map(\.provenance) {
            #expect(provenance?.ranks == 1 && provenance?.hosts.count == 1 && provenance?.commit == BuildInfo.gitCommit)
            let finished = provenance.flatMap { ISO8601DateFormatter().date(from: $0.finished) }
            #expect(finished.map { $0 >= started.addingTimeInterval(-1) && $0 <= Date() } == true, "\(String(describing: provenance))")
        }

        let markdown = try String(contentsOf: output.appendingPathComponent("results.md"), encoding: .utf8)
        let lines = markdown.split(separator: "\n").map(String.init)
        #expect(lines.contains("| dataset | metric | lgmcl `tiny`, no pretraining (1 ep.) |"), "\(markdown)")
        #expect(lines.filter { $0.hasPrefix("| esol | RMSE ↓ | ") }.count == 2, "the test and the validation table: \(markdown)")
        #expect(lines.contains { $0.hasPrefix("| esol | random | 60 | RMSE ↓ | ") })
        #expect(lines.filter { $0.hasPrefix("| esol | random | ") && $0.contains("| 36/12/12 |")
            && $0.hasSuffix("| \(BuildInfo.short(BuildInfo.gitCommit, length: 7)) (1 rank) |") }.count == 6, "\(markdown)")
        #expect(!markdown.contains("Scaffold split"))
        #expect(result.stdout.split(separator: "\n").last?.hasPrefix("{\"notes\":[],\"runs\":[") == true)

        // The split file of seed 1 is byte for byte what `lgmcl-dist split` writes...
        let splitFile = output.appendingPathComponent("splits/esol_random_1.csv")
        let reference = directory.appendingPathComponent("reference.csv")
        let split = try run(productPath("lgmcl-dist"), ["split", "--input", data.appendingPathComponent("moleculenet/esol.csv").path,
                                                        "--output", reference.path, "--split", "random", "--seed", "1"], timeout: 120)
        #expect(split.status == 0, "\(split.output)")
        #expect(try Data(contentsOf: splitFile) == Data(contentsOf: reference))
        // ...its digest is the one recorded, and the model was scored on its test rows.
        let written = try CSVTable(contentsOf: splitFile)
        let cells = try written.column("split")
        let run1 = results.runs.first { $0.variant == .scratch && $0.seed == 1 }
        #expect(run1?.splitDigest == SplitDigest.of(cells))
        let predictions = try CSVTable(contentsOf: output.appendingPathComponent("runs/esol/random/no-pretraining-tiny-1ep/seed-1/predictions_test.csv"))
        let testRows = cells.indices.filter { cells[$0] == "test" }.map { String($0 + 1) }
        #expect(try predictions.column("row").sorted() == testRows.sorted())
        // The train column is the RMSE of the kept model's predictions of its training rows.
        let trained = try CSVTable(contentsOf: output.appendingPathComponent("runs/esol/random/no-pretraining-tiny-1ep/seed-1/predictions_train.csv"))
        let errors = try zip(trained.column("logSolubility"), trained.column("logSolubility_prediction")).map { Double($0)! - Double($1)! }
        let trainRMSE = (errors.map { $0 * $0 }.reduce(0, +) / Double(errors.count)).squareRoot()
        #expect(errors.count == 36)
        #expect(run1?.train.map { abs($0 - trainRMSE) < 1e-5 * trainRMSE } == true, "\(String(describing: run1?.train)) vs \(trainRMSE)")

        // A second invocation finds every run done.
        let again = try run(productPath("lgmcl-dist"), arguments, timeout: 300)
        #expect(again.status == 0, "\(again.output)")
        #expect(again.stderr.contains("esol random llm-text (tiny, 1 epochs): seeds 0,1 already in"))
        #expect(try BenchmarkResults.load(from: output.appendingPathComponent("results.json")) == results)

        // The same runs asked for in another precision are refused, not answered with these.
        #expect(results.runs.allSatisfy { $0.hyperparameters?.learningRate == 1e-3 && $0.hyperparameters?.globalBatchSize == 64 })
        let other = try run(productPath("lgmcl-dist"), arguments + ["--precision", "float64"], timeout: 300)
        #expect(other.status != 0)
        #expect(other.stderr.contains("esol random no-pretraining (tiny, 1 epochs) seed 0 ran with --precision float32 (asked: float64)"), "\(other.output)")
        #expect(try BenchmarkResults.load(from: output.appendingPathComponent("results.json")) == results)
    }

    /// --train-fraction: each seed trains on its keyed subsample of the training split (val and
    /// test unchanged), recorded and named as a cell of its own.
    @Test func aTrainFractionIsACellOfItsOwn() throws {
        let (directory, data) = try Self.esolDataDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let output = directory.appendingPathComponent("out")
        let result = try run(productPath("lgmcl-dist"), [
            "benchmark", "moleculenet", "--datasets", "esol", "--protocols", "random", "--seeds", "0", "--epochs", "1",
            "--preset", "tiny", "--recipe", "paper", "--train-fraction", "0.5", "--data-directory", data.path, "--output", output.path],
                              timeout: 600)
        #expect(result.status == 0, "\(result.output)")
        let runs = try BenchmarkResults.load(from: output.appendingPathComponent("results.json")).runs
        // Random 0.6/0.2/0.2 of 60: 36 training molecules, half of them trained on.
        #expect(runs.count == 1 && runs.allSatisfy { $0.trainFraction == 0.5 && $0.trainCount == 18 && $0.valCount == 12 && $0.testCount == 12 },
                "\(runs)")
        #expect(FileManager.default.fileExists(atPath: output.appendingPathComponent("runs/esol/random/no-pretraining-tiny-1ep-train-0.5/seed-0").path))
        let markdown = try String(contentsOf: output.appendingPathComponent("results.md"), encoding: .utf8)
        #expect(markdown.contains("lgmcl `tiny`, no pretraining, 50% of training labels (1 ep.)"), "\(markdown)")
    }

    /// A training procedure beyond the paper's (learning rate, schedule, weight average, early
    /// stopping), and the default recipe, are columns of their own beside the paper's in one results
    /// file, not a clash with it.
    @Test func aProcedureIsAColumnOfItsOwn() throws {
        let (directory, data) = try Self.esolDataDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let output = directory.appendingPathComponent("out")
        let base = ["benchmark", "moleculenet", "--datasets", "esol", "--protocols", "random", "--seeds", "0", "--epochs", "2",
                    "--preset", "tiny", "--data-directory", data.path, "--output", output.path]
        let procedure = ["--lr", "5e-4", "--lr-schedule", "warmup-decay", "--warmup-epochs", "1", "--ema-decay", "0.9", "--patience", "1"]
        for extra in [["--recipe", "paper"] + procedure, ["--recipe", "paper"], []] {
            let result = try run(productPath("lgmcl-dist"), base + extra, timeout: 600)
            #expect(result.status == 0, "\(result.output)")
        }
        let runs = try BenchmarkResults.load(from: output.appendingPathComponent("results.json")).runs
        var departed = FinetuneRecipe.paper
        (departed.learningRate, departed.emaDecay, departed.patience) = (5e-4, 0.9, 1)
        departed.schedule = .warmupDecay(warmupEpochs: 1, initial: 1e-4, final: 1e-4)
        #expect(runs.count == 3 && Set(runs.map(\.cell.procedure)) == [.paper, TrainingProcedure(departed), TrainingProcedure(.default)],
                "\(runs)")
        let named = ["no-pretraining-tiny-2ep-lr-0.0005-warmup-1-0.0001-decay-0.0001-ema-0.9-patience-1",
                     "no-pretraining-tiny-2ep-recipe-\(FinetuneRecipe.default.name)"]
        for name in named {
            #expect(FileManager.default.fileExists(atPath: output.appendingPathComponent("runs/esol/random/\(name)/seed-0").path), "\(name)")
        }
        // The default trains the recipe's model choices.
        let byDefault = runs.filter { $0.cell.procedure == TrainingProcedure(.default) }
        #expect(byDefault.count == 1 && byDefault.allSatisfy { $0.fusion == .residualFingerprints && $0.readout == .norm }, "\(byDefault)")
        // The paper's column first.
        let markdown = try String(contentsOf: output.appendingPathComponent("results.md"), encoding: .utf8)
        for column in ["| dataset | metric | lgmcl `tiny`, no pretraining (2 ep.) |",
                       "| lgmcl `tiny`, no pretraining, lr 0.0005, warm-up 1 ep. from 0.0001, decay to 0.0001, EMA 0.9, patience 1 (2 ep.) |",
                       "| lgmcl `tiny`, no pretraining, recipe \(FinetuneRecipe.default.name) (2 ep.) |"] {
            #expect(markdown.contains(column), "\(column)\n\(markdown)")
        }
    }

    /// The LLM files are downloaded, not committed: without them --llm-text stops before any
    /// training, naming the missing file and the command that fetches it.
    @Test func aMissingLLMFileIsNamedWithTheCommandThatFetchesIt() throws {
        let (directory, data) = try Self.esolDataDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let result = try run(productPath("lgmcl-dist"), ["benchmark", "moleculenet", "--datasets", "esol", "--llm-text", "--data-dir", data.path,
                                                         "--output", directory.appendingPathComponent("out").path], timeout: 120)
        #expect(result.status != 0)
        #expect(result.stderr.contains("--llm-text needs \(data.path)/llm_text/esol_llm.csv"), "\(result.output)")
        #expect(result.stderr.contains("fetch it with: lgmcl-dist datasets download llm-text --to \(data.path)"), "\(result.output)")
        #expect(!FileManager.default.fileExists(atPath: directory.appendingPathComponent("out/results.json").path))
    }
}
