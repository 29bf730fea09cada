import Foundation
import LGMCL
import Testing
import TestSupport

/// `lgmcl-dist finetune` end to end on small slices of real MoleculeNet sets (tiny preset):
/// N ranks train the same models as one rank, the reported metrics are those of the written
/// predictions, regression targets are standardized with the training split, and pretrained
/// encoders are what fine-tuning starts from.
@Suite(.serialized)
struct FinetuneTests {
    static let scratch = scratchDirectory("lgmcl-finetune-\(getpid())")

    struct TestFailure: Error, CustomStringConvertible { let description: String }

    /// The header and the first `rows` rows of a MoleculeNet CSV.
    static func slice(_ name: String, rows: Int) throws -> String {
        try moleculeNetSlice(name, rows: rows, in: scratch).path
    }

    func directory(_ name: String) -> URL {
        Self.scratch.appendingPathComponent(name + "-" + UUID().uuidString)
    }

    func finetune(_ ranks: Int, data: String, output: URL, logInterval: Double = 1000, _ extra: [String]) throws -> ProcessResult {
        try mpirun(ranks, "lgmcl-dist",
                   ["finetune", "--data", data, "--output", output.path, "--preset", "tiny", "--log-interval", String(logInterval)] + extra,
                   timeout: 300)
    }

    func metrics(_ output: URL) throws -> FinetuneSummary {
        try JSONDecoder().decode(FinetuneSummary.self, from: Data(contentsOf: output.appendingPathComponent("metrics.json")))
    }

    /// One prediction column of a seed's predictions_<part>.csv with its label column.
    func predictions(_ output: URL, seed: Int, part: String, task: String, suffix: String) throws -> (labels: [Double], values: [Double]) {
        let table = try CSVTable(contentsOf: output.appendingPathComponent("seed-\(seed)/predictions_\(part).csv"))
        let labels = try table.column(task).map { Double($0) ?? .nan }
        let values = try table.column(task + suffix).map { Double($0)! }
        return (labels, values)
    }

    /// --train-fraction 0.25: each seed trains on a quarter of its training split (the same
    /// molecules on 1 and 2 ranks), val and test unchanged.
    @Test func aTrainFractionSubsamplesOnlyTheTrainingSplit() throws {
        let data = try Self.slice("bbbp", rows: 120)
        var kept: [[String]] = []
        for (ranks, fraction) in [(1, "0.25"), (2, "0.25"), (1, "1")] {
            let out = directory("fraction-\(ranks)-\(fraction)")
            let result = try finetune(ranks, data: data, output: out,
                                      ["--epochs", "1", "--batch-size", "8", "--seeds", "3", "--train-fraction", fraction])
            #expect(result.status == 0, "np \(ranks): \(result.output)")
            guard result.status == 0 else { return }
            kept.append(try CSVTable(contentsOf: out.appendingPathComponent("seed-3/predictions_train.csv")).column("row"))
            #expect(try CSVTable(contentsOf: out.appendingPathComponent("seed-3/predictions_test.csv")).rows.count == 24)
        }
        // 120 molecules, random 0.6/0.2/0.2: 72 train, a quarter of them kept.
        #expect(kept[0].count == 18 && kept[2].count == 72, "\(kept[0].count) and \(kept[2].count) training molecules")
        #expect(kept[0] == kept[1], "1 and 2 ranks trained on other molecules")
        #expect(Set(kept[0]).isSubset(of: Set(kept[2])))
    }

    /// By default the seeds of one run share split 0 (an ensemble: no member has seen another's
    /// validation or test molecules); --split-seed 2 moves that shared split to the one seed 2
    /// draws with `--split-seed each`, where every seed draws its own (replicates).
    @Test func modelSeedsShareOneSplitUnlessEachDrawsItsOwn() throws {
        let data = try Self.slice("bbbp", rows: 120)
        func testRows(_ extra: [String]) throws -> [[String]] {
            let out = directory("split-seed")
            let result = try finetune(1, data: data, output: out, ["--epochs", "1", "--batch-size", "24", "--seeds", "0,2"] + extra)
            #expect(result.status == 0, "\(result.output)")
            return try [0, 2].map { try CSVTable(contentsOf: out.appendingPathComponent("seed-\($0)/predictions_test.csv")).column("row") }
        }
        let shared = try testRows([]), each = try testRows(["--split-seed", "each"]), moved = try testRows(["--split-seed", "2"])
        #expect(shared[0] == shared[1] && shared[0].count == 24, "the default: one split for both seeds")
        #expect(each[0] == shared[0] && each[1] != each[0], "each: seed 0 draws split 0, seed 2 another")
        #expect(moved[0] == each[1] && moved[1] == each[1], "--split-seed 2: both on split 2")
        let refused = try finetune(1, data: data, output: directory("split-seed-bad"), ["--split-seed", "two"])
        #expect(refused.status != 0 && refused.stderr.contains("--split-seed takes a non-negative integer or 'each'"), "\(refused.output)")
    }

    /// --lr-schedule warmup-decay trains with chemprop's schedule (the rates themselves are
    /// checked against chemprop in OptimizerTests), says so, and trains other weights.
    @Test func aWarmupDecayScheduleIsUsedAndSaid() throws {
        let data = try Self.slice("bbbp", rows: 120)
        var losses: [[Double]] = []
        for extra in [[], ["--lr-schedule", "warmup-decay", "--warmup-epochs", "1", "--init-lr", "1e-5", "--final-lr", "1e-5"]] {
            let out = directory("schedule")
            let result = try finetune(1, data: data, output: out, ["--epochs", "2", "--batch-size", "24"] + extra)
            #expect(result.status == 0, "\(result.output)")
            guard result.status == 0 else { return }
            #expect(result.stderr.contains("lr warm-up from 1e-05 over 1 epochs, then exponential decay to 1e-05") == !extra.isEmpty,
                    "\(result.output)")
            let curves = try CSVTable(contentsOf: out.appendingPathComponent("learning_curves.csv"))
            losses.append(try curves.column("train_loss").compactMap(Double.init))
        }
        // Constant 1e-3 against a warm-up from 1e-5: other updates from the first step on.
        #expect(losses.count == 2 && losses[0] != losses[1], "\(losses)")
    }

    /// --recipe X trains with X's values (its fusion and dropouts replace the preset's), each flag
    /// given overrides its one value, and --set overrides the recipe's dropouts; the manifest and
    /// the log name the recipe.
    @Test func aRecipeSetsItsValuesAndAFlagOverridesOne() throws {
        let data = try Self.slice("bbbp", rows: 40)
        let preset = ModelConfiguration(preset: .tiny).fusion
        for recipe in FinetuneRecipe.all {
            let out = directory("recipe-\(recipe.name)")
            let result = try finetune(1, data: data, output: out, ["--recipe", recipe.name, "--epochs", "1", "--batch-size", "8",
                                                                   "--set", "fusion.fingerprintDropout=0.3"])
            #expect(result.status == 0, "\(result.output)")
            guard result.status == 0 else { return }
            let manifest = try FinetunedModel(directory: out).manifest
            var trained = recipe
            trained.globalBatchSize = 8
            trained.fusion = manifest.model.fusion.mode
            trained.readout = manifest.model.local.readout
            trained.predictionDropout = manifest.model.fusion.predictionDropout
            trained.fingerprintDropout = manifest.model.fusion.fingerprintDropout
            let settings = manifest.settings
            #expect(FinetuneRecipe(name: settings.recipe ?? "", learningRate: settings.learningRate,
                                   encoderLearningRate: settings.encoderLearningRate, weightDecay: settings.weightDecay,
                                   globalBatchSize: settings.globalBatchSize, schedule: settings.learningRateSchedule ?? .constant,
                                   emaDecay: settings.emaDecay, patience: settings.patience, epochSelection: settings.epochSelection,
                                   fusion: trained.fusion, readout: trained.readout,
                                   predictionDropout: trained.predictionDropout, fingerprintDropout: trained.fingerprintDropout) == trained)
            #expect(manifest.model.fusion.mode == recipe.fusion ?? preset.mode)
            #expect(manifest.model.local.readout == recipe.readout && manifest.model.graphTransformer.readout == recipe.readout)
            #expect(manifest.model.fusion.predictionDropout == recipe.predictionDropout ?? preset.predictionDropout)
            #expect(manifest.model.fusion.fingerprintDropout == 0.3)
            let readout = recipe.readout.map { "\($0.rawValue) readout, " } ?? ""
            #expect(result.stderr.contains("training (recipe \(recipe.name)): tiny model, \(manifest.model.fusion.mode.rawValue) fusion, \(readout)dropout "
                + "\(manifest.model.fusion.predictionDropout) (head) and 0.3 (fingerprint network)"), "\(result.output)")
        }
    }

    /// --select-by loss keeps the epoch of the lowest validation loss, which is the training loss
    /// on the validation molecules: for classification the binary cross-entropy of the kept
    /// model's written probabilities, for one regression task the squared RMSE over the squared
    /// standard deviation of the training labels, at every epoch.
    @Test func selectingByLossKeepsTheLowestValidationLoss() throws {
        let bbbp = try Self.slice("bbbp", rows: 120)
        let out = directory("select-loss-bbbp")
        let result = try finetune(1, data: bbbp, output: out, ["--select-by", "loss", "--epochs", "6", "--batch-size", "8", "--lr", "3e-3"])
        #expect(result.status == 0, "\(result.output)")
        guard result.status == 0 else { return }
        #expect(result.stderr.contains("the epoch kept: the lowest validation loss") && result.stderr.contains(", val loss "), "\(result.output)")
        let curves = try CSVTable(contentsOf: out.appendingPathComponent("learning_curves.csv"))
        let losses = try curves.column("val_loss").map { Double($0)! }, aucs = try curves.column("val_roc_auc").map { Double($0)! }
        let kept = try metrics(out).seeds[0].bestEpoch
        #expect(kept == losses.indices.min { losses[$0] < losses[$1] }, "kept epoch \(kept), val losses \(losses)")
        #expect(kept != aucs.indices.max { aucs[$0] < aucs[$1] }, "the metric keeps the same epoch here (val ROC-AUC \(aucs)): the test shows nothing")
        let (labels, p) = try predictions(out, seed: 0, part: "val", task: "p_np", suffix: "_probability")
        let crossEntropy = zip(labels, p).map { y, p in -(y * log(p) + (1 - y) * log(1 - p)) }.reduce(0, +) / Double(labels.count)
        #expect(abs(crossEntropy - losses[kept]) <= 1e-4 * crossEntropy, "BCE of the written probabilities \(crossEntropy), val_loss \(losses[kept])")
        // Every epoch's validation predictions, the kept one's those of predictions_val.csv.
        let epochs = try CSVTable(contentsOf: out.appendingPathComponent("seed-0/predictions_val_epochs.csv"))
        let epochColumn = try epochs.column("epoch"), probabilities = try epochs.column("p_np_probability")
        #expect(epochColumn == (1 ... 6).flatMap { Array(repeating: String($0), count: labels.count) })
        #expect(probabilities.enumerated().filter { epochColumn[$0.offset] == String(kept + 1) }.map { Double($0.element)! } == p)

        let esol = try Self.slice("esol", rows: 80)
        let regression = directory("select-loss-esol")
        let ran = try finetune(1, data: esol, output: regression, ["--select-by", "loss", "--epochs", "3", "--batch-size", "8"])
        #expect(ran.status == 0, "\(ran.output)")
        guard ran.status == 0 else { return }
        let scaling = try JSONSerialization.jsonObject(with: Data(contentsOf: regression.appendingPathComponent("seed-0/target_scaling.json"))) as! [String: Any]
        let std = (scaling["stds"] as! [Double])[0]
        let table = try CSVTable(contentsOf: regression.appendingPathComponent("learning_curves.csv"))
        for (loss, rmse) in zip(try table.column("val_loss").map { Double($0)! }, try table.column("val_rmse").map { Double($0)! }) {
            #expect(abs(loss * std * std - rmse * rmse) <= 1e-9 * rmse * rmse, "val_loss \(loss) × std² against val RMSE² \(rmse * rmse)")
        }
    }

    /// --ema-decay: decay 0 is the weights themselves (the same predictions to the bit), 0.9 keeps
    /// another model, says so, and 2 ranks keep the same average as one.
    @Test func aWeightAverageIsScoredAndKept() throws {
        let data = try Self.slice("bbbp", rows: 120)
        func run(_ ranks: Int, _ extra: [String]) throws -> (log: String, values: [Double])? {
            let out = directory("ema")
            let result = try finetune(ranks, data: data, output: out, ["--epochs", "2", "--batch-size", "24", "--precision", "float64"] + extra)
            #expect(result.status == 0, "np \(ranks) \(extra): \(result.output)")
            guard result.status == 0 else { return nil }
            return (result.stderr, try predictions(out, seed: 0, part: "test", task: "p_np", suffix: "_probability").values)
        }
        guard let plain = try run(1, []), let zero = try run(1, ["--ema-decay", "0"]), let one = try run(1, ["--ema-decay", "0.9"]),
              let two = try run(2, ["--ema-decay", "0.9"]) else { return }
        #expect(zero.values == plain.values)
        #expect(one.values != plain.values)
        #expect(one.log.contains("exponential moving average (decay 0.9)") && !plain.log.contains("moving average"), "\(one.log)")
        #expect(zip(one.values, two.values).allSatisfy { abs($0 - $1) <= 1e-6 }, "\(one.values) vs \(two.values)")
        let refused = try finetune(1, data: data, output: directory("ema-bad"), ["--ema-decay", "1"])
        #expect(refused.status != 0 && refused.stderr.contains("--ema-decay takes a decay in [0, 1)"), "\(refused.output)")
    }

    /// --precision bf16-mixed: the products round their operands to bfloat16, so the models differ
    /// from Float32's but stay close; the manifest says so, and 2 ranks train what one does (to
    /// bfloat16's resolution).
    @Test(.enabled(if: MatrixProducts.bfloat16IsAvailable, "this CPU has no AVX512_BF16"))
    func bfloat16ProductsTrainCloseModelsOnAnyRankCount() throws {
        let data = try Self.slice("bbbp", rows: 120)
        func run(_ ranks: Int, _ precision: String) throws -> (output: URL, values: [Double])? {
            let out = directory("bf16-\(ranks)-\(precision)")
            let result = try finetune(ranks, data: data, output: out, ["--epochs", "2", "--batch-size", "24", "--precision", precision])
            #expect(result.status == 0, "np \(ranks) \(precision): \(result.output)")
            guard result.status == 0 else { return nil }
            return (out, try predictions(out, seed: 0, part: "test", task: "p_np", suffix: "_probability").values)
        }
        guard let float = try run(1, "float32"), let one = try run(1, "bf16-mixed"), let two = try run(2, "bf16-mixed") else { return }
        #expect(one.values != float.values)
        #expect(zip(one.values, float.values).allSatisfy { abs($0 - $1) < 0.05 }, "\(one.values) vs \(float.values)")
        // Gradients summed over 2 ranks differ from one rank's in the last Float32 bits, which can
        // move an operand across a bfloat16 rounding boundary: equal to bfloat16's resolution.
        #expect(zip(one.values, two.values).allSatisfy { abs($0 - $1) <= 1e-3 }, "\(one.values) vs \(two.values)")
        #expect(try FinetunedModel(directory: one.output).manifest.settings.matrixProducts == .bfloat16)
        #expect(try FinetunedModel(directory: float.output).manifest.settings.matrixProducts == nil)
    }

    @Test func twoRanksTrainTheSameModelsAsOne() throws {
        let data = try Self.slice("bbbp", rows: 120)
        var runs: [URL] = []
        for ranks in [1, 2] {
            let out = directory("eq-\(ranks)")
            let result = try finetune(ranks, data: data, output: out,
                                      ["--epochs", "2", "--batch-size", "24", "--seeds", "0,1", "--precision", "float64"])
            #expect(result.status == 0, "np \(ranks): \(result.output)")
            guard result.status == 0 else { return }
            // Epochs shorter than --log-interval show only their summary line.
            #expect(!result.output.contains("epoch 1/2 1/"), "\(result.output)")
            runs.append(out)
        }
        let one = try metrics(runs[0]), two = try metrics(runs[1])
        #expect(one.seeds.map(\.bestEpoch) == two.seeds.map(\.bestEpoch))
        for seed in [0, 1] {
            let a = try predictions(runs[0], seed: seed, part: "test", task: "p_np", suffix: "_probability")
            let b = try predictions(runs[1], seed: seed, part: "test", task: "p_np", suffix: "_probability")
            #expect(a.labels.count == 24)
            #expect(zip(a.values, b.values).allSatisfy { abs($0 - $1) <= 1e-6 }, "seed \(seed): \(a.values) vs \(b.values)")
        }
        // The reported test ROC-AUC is that of the written predictions.
        for (i, result) in one.seeds.enumerated() {
            let p = try predictions(runs[0], seed: i, part: "test", task: "p_np", suffix: "_probability")
            let recomputed = Evaluation(.rocAUC, predictions: TaskMatrix(rows: p.values.count, tasks: 1, values: p.values),
                                        labels: TaskMatrix(rows: p.labels.count, tasks: 1, values: p.labels), taskNames: ["p_np"])
            #expect(abs((recomputed.mean ?? .nan) - (result.test?.mean ?? .nan)) < 1e-6)
        }
        let manifest = try FinetunedModel(directory: runs[0]).manifest
        #expect(manifest.task == .classification && manifest.tasks == ["p_np"] && manifest.seeds == [0, 1])
    }

    /// A run ended by a fault in seed 0's third epoch and continued with --resume writes the files
    /// an uninterrupted run writes, byte for byte: seed 0 goes on from its second epoch's
    /// checkpoint (weights, Adam, kept epoch, weight average, curves), seed 1 trains from the
    /// start. Resumed once more, both seeds count as finished; other settings are refused.
    @Test func aStoppedRunResumesToTheSameFiles() throws {
        let data = try Self.slice("bbbp", rows: 120)
        let settings = ["--epochs", "4", "--batch-size", "24", "--seeds", "0,1", "--precision", "float64", "--ema-decay", "0.5"]
        let straight = directory("resume-straight"), stopped = directory("resume-stopped")
        let whole = try finetune(2, data: data, output: straight, settings)
        #expect(whole.status == 0, "\(whole.output)")
        // Three steps an epoch (72 training molecules): step 8 is in seed 0's third epoch.
        let faulted = try mpirun(2, "lgmcl-dist", ["finetune", "--data", data, "--output", stopped.path, "--preset", "tiny",
                                                   "--log-interval", "1000"] + settings,
                                 environment: ["LGMCL_FAULT": "rank:1,step:8,kind:exit"], timeout: 300)
        #expect(faulted.status != 0, "\(faulted.output)")
        let resumed = try finetune(2, data: data, output: stopped, settings + ["--resume"])
        #expect(resumed.status == 0, "\(resumed.output)")
        guard whole.status == 0, resumed.status == 0 else { return }
        #expect(resumed.stderr.contains("seed 0: resumed after epoch 2 (step 6)"), "\(resumed.output)")
        #expect(!FileManager.default.fileExists(atPath: stopped.appendingPathComponent("seed-0/checkpoints").path))
        let files = ["learning_curves.csv", "calibration.json"] + [0, 1].flatMap { seed in
            ["model.safetensors", "predictions_train.csv", "predictions_val.csv", "predictions_test.csv", "predictions_val_epochs.csv"]
                .map { "seed-\(seed)/\($0)" }
        }
        for file in files {
            #expect(try Data(contentsOf: stopped.appendingPathComponent(file)) == Data(contentsOf: straight.appendingPathComponent(file)),
                    "\(file) differs from the uninterrupted run's")
        }
        let one = try metrics(straight), two = try metrics(stopped)
        #expect(one.seeds.map(\.bestEpoch) == two.seeds.map(\.bestEpoch) && one.seeds.map(\.test) == two.seeds.map(\.test))

        let again = try finetune(2, data: data, output: stopped, settings + ["--resume"])
        #expect(again.status == 0 && again.stderr.contains("seed 0: finished by an earlier run")
                && again.stderr.contains("seed 1: finished by an earlier run"), "\(again.output)")
        #expect(try metrics(stopped).seeds.map(\.test) == two.seeds.map(\.test))
        let other = try finetune(2, data: data, output: stopped, settings + ["--resume", "--lr", "0.002"])
        #expect(other.status != 0 && other.stderr.contains("was written with other settings or another split"), "\(other.output)")
    }

    /// SIGUSR1 to the ranks (what Slurm sends before a time limit) while rank 1 is inside seed 0's
    /// eighth step, the second of its third epoch: the ranks finish that step, checkpoint it and
    /// stop with exit status 75 and stop.json naming that checkpoint, and --resume goes on inside
    /// the epoch to the files of an uninterrupted run, byte for byte (weights, weight average,
    /// learning curves, every epoch's validation predictions).
    @Test func aStopSignalEndsWithTheCheckpointToResumeFrom() throws {
        let data = try Self.slice("bbbp", rows: 120)
        let settings = ["--epochs", "3", "--batch-size", "24", "--precision", "float64", "--ema-decay", "0.5"]
        let straight = directory("stop-straight"), stopped = directory("stop-signal")
        let whole = try finetune(2, data: data, output: straight, settings)
        #expect(whole.status == 0, "\(whole.output)")
        let arguments = ["finetune", "--data", data, "--output", stopped.path, "--preset", "tiny", "--log-interval", "1000"] + settings
        let job = try start("/usr/bin/mpirun", mpirunArguments(2, "lgmcl-dist", arguments),
                            environment: ["LGMCL_FAULT": "rank:1,step:8,kind:sleep,seconds:5"])
        let ranks = signalRanks(of: job, once: "sleeps 5", SIGUSR1)
        #expect(ranks.count == 2, "ranks: \(ranks)")
        let result = job.wait(timeout: 120)
        #expect(result.status == 75, "\(result.output)")
        let report = try JSONDecoder().decode(StopReport.self, from: Data(contentsOf: stopped.appendingPathComponent("stop.json")))
        #expect(report.signal == "SIGUSR1" && report.step == 8 && report.lastStep == 9
                && report.checkpoint == stopped.appendingPathComponent("seed-0/checkpoints/step-00000008").path, "\(report)")
        #expect(result.stderr.contains("stopped at step 8 of 9 (SIGUSR1)"), "\(result.output)")
        let resumed = try finetune(2, data: data, output: stopped, settings + ["--resume"])
        #expect(resumed.status == 0, "\(resumed.output)")
        guard whole.status == 0, resumed.status == 0 else { return }
        #expect(resumed.stderr.contains("seed 0: resumed in epoch 3 after its batch 2 (step 8)"), "\(resumed.output)")
        #expect(!FileManager.default.fileExists(atPath: stopped.appendingPathComponent("stop.json").path))
        for file in ["learning_curves.csv", "seed-0/model.safetensors", "seed-0/predictions_test.csv", "seed-0/predictions_val_epochs.csv"] {
            #expect(try Data(contentsOf: stopped.appendingPathComponent(file)) == Data(contentsOf: straight.appendingPathComponent(file)),
                    "\(file) differs from the uninterrupted run's")
        }
    }

    @Test func regressionTargetsAreStandardizedWithTheTrainingSplit() throws {
        let data = try Self.slice("esol", rows: 100)
        let out = directory("esol")
        let result = try finetune(1, data: data, output: out, logInterval: 0, ["--epochs", "2", "--batch-size", "20", "--split", "scaffold"])
        #expect(result.status == 0, "\(result.output)")
        guard result.status == 0 else { return }
        #expect(result.output.contains("task: regression"))
        // --log-interval 0: a progress line after every step of every epoch (80 training molecules, 4 steps).
        for epoch in 1 ... 2 {
            for step in 1 ... 4 {
                #expect(result.output.contains("seed 0 epoch \(epoch)/2 \(step)/4 steps"), "epoch \(epoch) step \(step): \(result.output)")
            }
        }
        let train = try predictions(out, seed: 0, part: "train", task: "logSolubility", suffix: "_prediction")
        let scaling = try JSONDecoder().decode(TargetScaler.self, from: Data(contentsOf: out.appendingPathComponent("seed-0/target_scaling.json")))
        let mean = train.labels.reduce(0, +) / Double(train.labels.count)
        let std = (train.labels.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / Double(train.labels.count)).squareRoot()
        #expect(train.labels.count == 80)
        // Labels are stored as float32: agreement to float32 precision.
        #expect(abs(scaling.means[0] - mean) < 1e-5 && abs(scaling.stds[0] - std) < 1e-5, "\(scaling) vs \(mean), \(std)")
        // Predictions come back in the labels' units: their RMSE is the reported one.
        let test = try predictions(out, seed: 0, part: "test", task: "logSolubility", suffix: "_prediction")
        let reported = try metrics(out).seeds[0].test?.mean ?? .nan
        #expect(abs(rootMeanSquaredError(test.values, test.labels) - reported) < 1e-5 * max(1, reported))
    }

    /// With an encoder learning rate of 0 the fine-tuned encoders are exactly the pretrained ones,
    /// while the fingerprint network, fusion and head train at --lr; the pretrained configuration
    /// (tiny, where --preset says small) takes the run's --readout and --set.
    @Test func pretrainedEncodersAreLoaded() throws {
        let data = try Self.slice("bbbp", rows: 80)
        let pretrained = directory("pre")
        let h5 = Self.scratch.appendingPathComponent("bbbp-80-\(UUID().uuidString).h5").path
        let pre = try run(productPath("lgmcl-dist"), ["preprocess", "--input", data, "--output", h5, "--vocab-size", "300"], timeout: 300)
        #expect(pre.status == 0, "\(pre.output)")
        for stage in ["graph", "text"] {
            let result = try mpirun(1, "lgmcl-dist", ["pretrain", "--data", h5, "--output", pretrained.path, "--preset", "tiny",
                                                      "--stage", stage, "--max-steps", "2", "--batch-size", "16", "--held-out", "8"],
                                    timeout: 300)
            #expect(result.status == 0, "\(result.output)")
            guard result.status == 0 else { return }
        }
        let out = directory("from-pre")
        let result = try finetune(1, data: data, output: out, ["--pretrained", pretrained.path, "--epochs", "1",
                                                               "--batch-size", "16", "--encoder-lr", "0", "--readout", "norm",
                                                               "--set", "text.dropout=0.2", "fusion.width=16"])
        #expect(result.status == 0, "\(result.output)")
        guard result.status == 0 else { return }
        let tuned = try SafeTensors.read(out.appendingPathComponent("seed-0/model.safetensors"))
        for (file, prefixes) in [("graph", ["AttentiveFP.", "GT."]), ("text", ["DeBERTa."])] {
            let source = try SafeTensors.read(pretrained.appendingPathComponent("\(file).safetensors"))
            let names = source.names.filter { name in prefixes.contains { name.hasPrefix($0) } }
            #expect(!names.isEmpty)
            for name in names {
                #expect(try tuned.tensor(name, as: Float.self).scalars == source.tensor(name, as: Float.self).scalars, "\(name)")
            }
        }
        #expect(result.output.contains("training (recipe residual-fp-norm): tiny model, residual-fingerprints fusion, norm readout, dropout 0.05 (head) and 0.1 (fingerprint network), "
            + "encoders from \(pretrained.path); Adam lr 0.001 "
            + "(encoders frozen), weight decay 0.001, global batch 16 over 1 rank, up to 1 epoch\n"), "\(result.output)")
        let manifest = try FinetunedModel(directory: out).manifest
        #expect(manifest.vocabularySHA256 == (try MoleculeDataset(path: h5).vocabularySHA256))
        #expect(manifest.settings.encoderLearningRate == 0 && manifest.settings.learningRate == 1e-3)
        #expect(manifest.model.local.readout == .norm && manifest.model.graphTransformer.readout == .norm)
        #expect(manifest.model.text.dropout == 0.2 && manifest.model.fusion.width == 16, "\(manifest.model)")
        #expect(manifest.model.text.hidden == Preset.tiny.configuration.text.hidden)
        // The fine-tuner initialises seed S's model after Initialization.seed(S): the head moved from there.
        Initialization.seed(0)
        let initial = Dictionary(uniqueKeysWithValues: LGMCLModel<Float>(manifest.model).stateDict().map { ($0.name, Array($0.parameter.values)) })
        let head = tuned.names.filter { $0.hasPrefix("MLP.") || $0.hasPrefix("FPN.") }
        #expect(!head.isEmpty)
        for name in head { #expect(try tuned.tensor(name, as: Float.self).scalars != initial[name], "\(name) did not train") }
    }

    @Test func aDatasetWithAnotherVocabularyIsRefused() throws {
        let data = try Self.slice("bbbp", rows: 60)
        let pretrained = directory("pre-vocab")
        try FileManager.default.createDirectory(at: pretrained, withIntermediateDirectories: true)
        try ModelConfiguration(preset: .tiny).save(to: pretrained.appendingPathComponent("config.json"))
        let h5 = Self.scratch.appendingPathComponent("bbbp-60-\(UUID().uuidString).h5").path
        let pre = try run(productPath("lgmcl-dist"), ["preprocess", "--input", data, "--output", h5, "--label-columns", "p_np",
                                                      "--vocab-size", "200"], timeout: 300)
        #expect(pre.status == 0, "\(pre.output)")
        try "[PAD]\n[UNK]\n[CLS]\n[SEP]\n[MASK]\nC\n".write(to: pretrained.appendingPathComponent("vocab.txt"), atomically: true, encoding: .utf8)
        let result = try finetune(1, data: h5, output: directory("refused"), ["--pretrained", pretrained.path, "--epochs", "1"])
        #expect(result.status != 0)
        #expect(result.output.contains("vocabulary sha256"), "\(result.output)")
    }
}
