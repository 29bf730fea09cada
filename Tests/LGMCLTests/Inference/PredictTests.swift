import Foundation
@testable import LGMCL
import Testing
import TestSupport

/// `lgmcl-dist predict` on real (tiny) fine-tuned models: every input row comes back in order
/// with its cells, bad rows carry their reason, and the numbers are the models' outputs computed
/// here directly: the mean of the seeds' sigmoids for classification, de-standardized values for
/// regression.
@Suite(.serialized)
struct PredictTests {
    typealias F = InferenceFixtures

    /// An ESOL regressor, one seed, one epoch on the first 80 molecules.
    static let regressor: Result<(model: URL, input: CSVTable), Error> = Result {
        let esol = try CSVTable(contentsOf: repositoryData.appendingPathComponent("moleculenet/esol.csv"))
        let training = CSVTable(header: esol.header, rows: Array(esol.rows.prefix(80)), file: "esol-80.csv")
        let csv = try F.write(training, "esol-80.csv")
        let output = F.scratch.appendingPathComponent("finetuned-esol")
        try F.check(run(productPath("lgmcl-dist"), ["finetune", "--data", csv.path, "--output", output.path, "--preset", "tiny",
                                                    "--epochs", "1", "--batch-size", "16", "--log-interval", "1000"], timeout: 300),
                    "finetune esol")
        // New molecules, one of them broken.
        var rows = Array(esol.rows[80 ..< 100])
        rows.insert(["C1CC", "1.0"], at: 5)
        return (output, CSVTable(header: esol.header, rows: rows, file: "esol-new.csv"))
    }

    /// Each seed's raw outputs (molecules × tasks) for the molecules of `table` that RDKit parses.
    func rawOutputs(_ model: URL, table: CSVTable, name: String) throws -> (good: [Int], outputs: [UInt64: [Double]], manifest: FinetuneManifest) {
        let manifest = try JSONDecoder().decode(FinetuneManifest.self, from: Data(contentsOf: model.appendingPathComponent("config.json")))
        let smiles = try table.columnIndex("smiles")
        let good = table.rows.indices.filter { (try? Molecule(smiles: table.rows[$0][smiles])) != nil }
        let batch = try F.batch(of: CSVTable(header: table.header, rows: good.map { table.rows[$0] }), model: model,
                                name: name, configuration: manifest.model)
        #expect(batch.count == good.count)
        var outputs: [UInt64: [Double]] = [:]
        for seed in manifest.seeds {
            let network = LGMCLModel<Float>(manifest.model)
            try network.loadWeights(from: model.appendingPathComponent("seed-\(seed)/model.safetensors"))
            outputs[seed] = network.predictions(ModelInputs(batch)).predictions.scalars.map(Double.init)
        }
        return (good, outputs, manifest)
    }

    /// `lgmcl-dist predict` of `table` with `model` on `ranks` ranks; nil when it fails (recorded).
    func predict(_ model: URL, _ table: CSVTable, name: String, ranks: Int = 1, _ extra: [String] = []) throws -> CSVTable? {
        let input = try F.write(table, name + ".csv")
        let output = F.scratch.appendingPathComponent(name + "-predictions.csv")
        let result = try mpirun(ranks, "lgmcl-dist", ["predict", "--model", model.path, "--input", input.path, "--output", output.path] + extra,
                                timeout: 300)
        #expect(result.status == 0, "np \(ranks): \(result.output)")
        return result.status == 0 ? try CSVTable(contentsOf: output) : nil
    }

    /// A seed's predictions_<part>.csv: label and prediction of the first task, per molecule.
    func seedPredictions(_ model: URL, seed: UInt64, part: String) throws -> (smiles: [String], labels: [Double], predictions: [Double]) {
        let table = try CSVTable(contentsOf: model.appendingPathComponent("seed-\(seed)/predictions_\(part).csv"))
        return (table.rows.map { $0[0] }, table.rows.map { Double($0[2])! }, table.rows.map { Double($0[3])! })
    }

    /// The model's calibration.json, as JSON.
    func calibrationJSON(_ model: URL) throws -> [String: Any] {
        try JSONSerialization.jsonObject(with: Data(contentsOf: model.appendingPathComponent("calibration.json"))) as! [String: Any]
    }

    /// The split-conformal half-width at 90% as chemprop takes it: torch.quantile(scores,
    /// ⌈(n+1)·0.9⌉/n, interpolation "higher").
    func conformalQuantile(_ scores: [Double]) -> Double {
        let sorted = scores.sorted(), n = Double(sorted.count)
        let level = min(((n + 1) * 0.9).rounded(.up) / n, 1)
        return sorted[Int((level * (n - 1)).rounded(.up))]
    }

    /// Seed 0's target standardization (the training split's mean and std), as the run wrote it.
    func scaling(_ model: URL) throws -> (mean: Double, std: Double) {
        let url = model.appendingPathComponent("seed-0/target_scaling.json")
        let scaling = try JSONSerialization.jsonObject(with: Data(contentsOf: url)) as! [String: Any]
        return ((scaling["means"] as! [Double])[0], (scaling["stds"] as! [Double])[0])
    }

    @Test func classificationKeepsEveryRowAndAveragesTheSeedsProbabilities() throws {
        let model = try F.classifier.get()
        let (input, table, inserted) = try F.inputWithBadRows.get()
        var written: [CSVTable] = []
        for ranks in [1, 2] {
            let output = F.scratch.appendingPathComponent("predict-bbbp-np\(ranks).csv")
            let result = try mpirun(ranks, "lgmcl-dist", ["predict", "--model", model.path, "--input", input.path, "--output", output.path,
                                                          "--batch-size-per-rank", "\(8 / ranks - 1)"], timeout: 300)
            #expect(result.status == 0, "np \(ranks): \(result.output)")
            guard result.status == 0 else { return }
            #expect(result.stdout.contains("mean of 2 seeds"), "\(result.stdout)")
            written.append(try CSVTable(contentsOf: output))
        }
        let out = written[0]
        // Two seeds: the mean probability, its ensemble variance (chemprop's `_unc`), and the
        // probability after the Platt scaling finetune fitted on the shared validation split.
        #expect(out.header == table.header + ["p_np_probability", "p_np_unc", "p_np_calibrated", "error"])
        let platt = try #require(((calibrationJSON(model)["tasks"] as! [[String: Any]])[0]["platt"]) as? [String: Double])
        #expect(out.rows.count == table.rows.count, "one output row per input row")
        #expect(out.rows.map { Array($0.prefix(3)) } == table.rows, "input cells kept, in order")

        let (good, outputs, _) = try rawOutputs(model, table: table, name: "predict-bbbp-reference")
        #expect(Set(good).isDisjoint(with: inserted))
        for row in table.rows.indices where !good.contains(row) {
            #expect(out.rows[row][3].isEmpty && out.rows[row][4].isEmpty && !out.rows[row][6].isEmpty, "row \(row + 1): \(out.rows[row])")
        }
        let sigmoid = { (x: Double) in 1 / (1 + exp(-x)) }
        #expect(outputs[0]! != outputs[1]!, "the two seeds' models are the same")
        for (k, row) in good.enumerated() {
            let p = (sigmoid(outputs[0]![k]), sigmoid(outputs[1]![k]))
            let expected = (p.0 + p.1) / 2
            // Population variance of two values: a quarter of their squared difference.
            let spread = (p.0 - p.1) * (p.0 - p.1) / 4
            guard let got = Double(out.rows[row][3]), let unc = Double(out.rows[row][4]) else {
                Issue.record("row \(row + 1): no probability or uncertainty (\(out.rows[row]))")
                continue
            }
            #expect(abs(got - expected) <= 1e-5 + 1e-4 * abs(expected), "row \(row + 1): \(got) vs \(expected)")
            #expect(abs(unc - spread) <= 1e-6 + 1e-3 * spread, "row \(row + 1): uncertainty \(unc) vs \(spread)")
            let calibrated = sigmoid(platt["a"]! * log(got / (1 - got)) + platt["b"]!)
            #expect(abs((Double(out.rows[row][5]) ?? .nan) - calibrated) <= 1e-6, "row \(row + 1): calibrated \(out.rows[row][5]) vs \(calibrated)")
            #expect(out.rows[row][6].isEmpty)
        }
        // finetune's report: the NLL before calibration is the ensemble's over the shared test
        // split, computed here from the two seeds' predictions_test.csv.
        let tests = try [0, 1].map { try seedPredictions(model, seed: UInt64($0), part: "test") }
        #expect(tests[0].smiles == tests[1].smiles, "the seeds share their test split")
        let nll = tests[0].labels.indices.map { i in
            let p = (tests[0].predictions[i] + tests[1].predictions[i]) / 2
            return -log(tests[0].labels[i] == 1 ? p : 1 - p)
        }.reduce(0, +) / Double(tests[0].labels.count)
        let metrics = try JSONSerialization.jsonObject(with: Data(contentsOf: model.appendingPathComponent("metrics.json"))) as! [String: Any]
        let reported = (((metrics["calibration"] as? [String: Any])?["tasks"] as? [[String: Any]])?.first?["before"] as? [String: Any])?["nll"] as? Double
        #expect(reported.map { abs($0 - nll) <= 1e-5 * max(1, nll) } == true, "metrics.json NLL \(String(describing: reported)) vs \(nll)")
        #expect(FileManager.default.fileExists(atPath: model.appendingPathComponent("reliability.svg").path))
        // Two ranks: the same rows, the same numbers up to float32 rounding.
        #expect(written[1].header == out.header)
        #expect(written[1].rows.map { Array($0.prefix(3)) + [$0[6]] } == out.rows.map { Array($0.prefix(3)) + [$0[6]] })
        for (a, b) in zip(written[1].rows, out.rows) where !b[3].isEmpty {
            #expect(abs(Double(a[3])! - Double(b[3])!) <= 1e-5 + 1e-4 * abs(Double(b[3])!), "\(a[3]) vs \(b[3])")
        }
    }

    @Test func regressionPredictionsAreInTheLabelsUnits() throws {
        let (model, table) = try Self.regressor.get()
        guard let out = try predict(model, table, name: "esol-new") else { return }
        // One seed, no uncertainty: the conformal interval is ± the 90% quantile of the
        // validation molecules' absolute errors.
        #expect(out.header == ["smiles", "logSolubility", "logSolubility_prediction", "logSolubility_lower", "logSolubility_upper", "error"])
        #expect(out.rows.count == table.rows.count)
        #expect(out.rows[5][2].isEmpty && out.rows[5][5].contains("C1CC"), "\(out.rows[5])")
        let val = try seedPredictions(model, seed: 0, part: "val")
        let q = conformalQuantile(val.labels.indices.map { abs(val.labels[$0] - val.predictions[$0]) })

        let (mean, std) = try scaling(model)
        #expect(mean < -1 && std > 1, "ESOL's training labels: mean \(mean), std \(std)")
        let (good, outputs, _) = try rawOutputs(model, table: table, name: "predict-esol-reference")
        #expect(good.count == table.rows.count - 1)
        for (k, row) in good.enumerated() {
            let expected = outputs[0]![k] * std + mean
            let got = Double(out.rows[row][2]) ?? .nan
            #expect(abs(got - expected) <= 1e-5 + 1e-4 * abs(expected), "row \(row + 1): \(got) vs \(expected)")
            let (lower, upper) = (Double(out.rows[row][3]) ?? .nan, Double(out.rows[row][4]) ?? .nan)
            // The CSVs hold float32 text: the same q, to float32 rounding.
            #expect(abs(got - q - lower) <= 1e-5 + 1e-5 * abs(lower) && abs(got + q - upper) <= 1e-5 + 1e-5 * abs(upper),
                    "row \(row + 1): [\(lower), \(upper)] vs \(got) ± \(q)")
        }
    }

    /// --mc-dropout 3: the prediction is the mean of three dropout passes and <task>_unc their
    /// variance, the passes' masks those `Predictor.dropoutStream` keys, the same on 1 and 2 ranks.
    @Test func monteCarloDropoutPassesAreKeyedByModelSampleAndMolecule() throws {
        let (model, table) = try Self.regressor.get()
        var written: [CSVTable] = []
        for ranks in [1, 2] {
            guard let out = try predict(model, table, name: "esol-mc-np\(ranks)", ranks: ranks,
                                        ["--mc-dropout", "3", "--batch-size-per-rank", "5"]) else { return }
            written.append(out)
        }
        let out = written[0]
        // The calibration was fitted for a model without uncertainty, not for dropout's: left out.
        #expect(out.header == ["smiles", "logSolubility", "logSolubility_prediction", "logSolubility_unc", "error"])

        let manifest = try JSONDecoder().decode(FinetuneManifest.self, from: Data(contentsOf: model.appendingPathComponent("config.json")))
        let (mean, std) = try scaling(model)
        let smiles = try table.columnIndex("smiles")
        let good = table.rows.indices.filter { (try? Molecule(smiles: table.rows[$0][smiles])) != nil }
        let batch = try F.batch(of: CSVTable(header: table.header, rows: good.map { table.rows[$0] }), model: model,
                                name: "predict-esol-mc-reference", configuration: manifest.model)
        let network = LGMCLModel<Float>(manifest.model)
        try network.loadWeights(from: model.appendingPathComponent("seed-0/model.safetensors"))
        let passes = (0 ..< 3).map { sample in
            network.predictions(ModelInputs(batch), Predictor.dropoutStream(seed: 0, sample: sample)).predictions.scalars
                .map { Double($0) * std + mean }
        }
        #expect(passes[0] != passes[1], "dropout was off")
        for (k, row) in good.enumerated() {
            let values = passes.map { $0[k] }
            let expected = values.reduce(0, +) / 3
            let variance = values.map { ($0 - expected) * ($0 - expected) }.reduce(0, +) / 3
            let got = Double(out.rows[row][2]) ?? .nan, unc = Double(out.rows[row][3]) ?? .nan
            #expect(abs(got - expected) <= 1e-4 + 1e-4 * abs(expected), "row \(row + 1): \(got) vs \(expected)")
            #expect(abs(unc - variance) <= 1e-4 + 1e-3 * variance, "row \(row + 1): uncertainty \(unc) vs \(variance)")
        }
        for (a, b) in zip(written[1].rows, out.rows) where !b[2].isEmpty {
            #expect(abs(Double(a[2])! - Double(b[2])!) <= 1e-5 + 1e-4 * abs(Double(b[2])!), "2 ranks \(a[2]) vs 1 rank \(b[2])")
        }
        let refused = try mpirun(1, "lgmcl-dist", ["predict", "--model", model.path, "--input", try F.write(table, "esol-mc.csv").path,
                                                   "--output", F.scratch.appendingPathComponent("mc-refused.csv").path, "--mc-dropout", "1"],
                                 timeout: 60)
        #expect(refused.status != 0 && refused.stderr.contains("--mc-dropout takes the number of dropout passes"), "\(refused.output)")
    }

    /// finetune --loss mve: the head has 2 × tasks outputs, the variance is positive, and predict
    /// writes it in squared label units as <task>_unc, z-scaled by the calibration, with the
    /// conformal interval ± q·σ; all recomputed here from the seed's own head.
    @Test func aMeanVarianceHeadPredictsItsVariance() throws {
        let esol = try CSVTable(contentsOf: repositoryData.appendingPathComponent("moleculenet/esol.csv"))
        let csv = try F.write(CSVTable(header: esol.header, rows: Array(esol.rows.prefix(80)), file: "esol-80-mve.csv"), "esol-80-mve.csv")
        let model = F.scratch.appendingPathComponent("finetuned-esol-mve")
        let trained = try run(productPath("lgmcl-dist"), ["finetune", "--data", csv.path, "--output", model.path, "--preset", "tiny",
                                                          "--epochs", "2", "--batch-size", "16", "--loss", "mve", "--log-interval", "1000"],
                              timeout: 300)
        #expect(trained.status == 0, "\(trained.output)")
        guard trained.status == 0 else { return }
        let weights = try SafeTensors.read(model.appendingPathComponent("seed-0/model.safetensors"))
        #expect(try weights.tensor("MLP.4.weight", as: Double.self).shape.first == 2, "the head's last layer: mean and variance")

        let table = CSVTable(header: esol.header, rows: Array(esol.rows[80 ..< 100]), file: "esol-mve-new.csv")
        guard let out = try predict(model, table, name: "esol-mve-new", ranks: 2) else { return }
        #expect(out.header == ["smiles", "logSolubility", "logSolubility_prediction", "logSolubility_unc",
                               "logSolubility_lower", "logSolubility_upper", "error"])

        let manifest = try JSONDecoder().decode(FinetuneManifest.self, from: Data(contentsOf: model.appendingPathComponent("config.json")))
        let std = try scaling(model).std
        let batch = try F.batch(of: table, model: model, name: "predict-esol-mve-reference", configuration: manifest.model)
        let network = LGMCLModel<Float>(manifest.model)
        try network.loadWeights(from: model.appendingPathComponent("seed-0/model.safetensors"))
        func variances(_ batch: MoleculeBatch) throws -> [Double] {
            try #require(network.predictions(ModelInputs(batch)).variances).scalars.map { Double($0) * std * std }
        }
        // The calibration, recomputed from the validation molecules: z-scaling s² = mean(error² / σ²)
        // and the 90% quantile of |error| / σ.
        let val = try seedPredictions(model, seed: 0, part: "val")
        let valBatch = try F.batch(of: CSVTable(header: ["smiles"], rows: val.smiles.map { [$0] }, file: "esol-mve-val.csv"), model: model,
                                   name: "predict-esol-mve-val", configuration: manifest.model)
        let valVariances = try variances(valBatch)
        let errors = val.labels.indices.map { val.labels[$0] - val.predictions[$0] }
        let scale = errors.indices.map { errors[$0] * errors[$0] / valVariances[$0] }.reduce(0, +) / Double(errors.count)
        let q = conformalQuantile(errors.indices.map { abs(errors[$0]) / valVariances[$0].squareRoot() })
        for (row, raw) in try variances(batch).enumerated() {
            let got = Double(out.rows[row][3]) ?? .nan, expected = raw * scale
            #expect(got > 0 && abs(got - expected) <= 1e-5 + 1e-3 * expected, "row \(row + 1): \(got) vs \(expected) (z-scaled)")
            let (mean, lower) = (Double(out.rows[row][2]) ?? .nan, Double(out.rows[row][4]) ?? .nan)
            #expect(abs(mean - lower - q * raw.squareRoot()) <= 1e-4 * max(1, q * raw.squareRoot()), "row \(row + 1): lower \(lower), mean \(mean)")
        }
        let refused = try run(productPath("lgmcl-dist"), ["finetune", "--data", try F.write(F.bbbp.get(), "bbbp-mve.csv").path,
                                                          "--output", F.scratch.appendingPathComponent("mve-bbbp").path, "--preset", "tiny",
                                                          "--label-columns", "p_np", "--epochs", "1", "--loss", "mve"], timeout: 120)
        #expect(refused.status != 0 && refused.output.contains("--loss mve predicts a mean and a variance per task, which needs regression"),
                "\(refused.output)")
    }

    @Test func aPretrainingOutputCannotPredict() throws {
        let model = try F.pretrained.get()
        let (input, _, _) = try F.inputWithBadRows.get()
        let output = F.scratch.appendingPathComponent("predict-pretrained.csv")
        let result = try mpirun(1, "lgmcl-dist", ["predict", "--model", model.path, "--input", input.path, "--output", output.path], timeout: 120)
        #expect(result.status != 0)
        #expect(result.output.contains("finetune"), "\(result.output)")
        #expect(!FileManager.default.fileExists(atPath: output.path))
    }
}
