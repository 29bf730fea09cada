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
        // Two seeds: the mean probability, then its ensemble variance (chemprop's `_unc`).
        #expect(out.header == table.header + ["p_np_probability", "p_np_unc", "error"])
        #expect(out.rows.count == table.rows.count, "one output row per input row")
        #expect(out.rows.map { Array($0.prefix(3)) } == table.rows, "input cells kept, in order")

        let (good, outputs, _) = try rawOutputs(model, table: table, name: "predict-bbbp-reference")
        #expect(Set(good).isDisjoint(with: inserted))
        for row in table.rows.indices where !good.contains(row) {
            #expect(out.rows[row][3].isEmpty && out.rows[row][4].isEmpty && !out.rows[row][5].isEmpty, "row \(row + 1): \(out.rows[row])")
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
            #expect(out.rows[row][5].isEmpty)
        }
        // Two ranks: the same rows, the same numbers up to float32 rounding.
        #expect(written[1].header == out.header)
        #expect(written[1].rows.map { Array($0.prefix(3)) + [$0[5]] } == out.rows.map { Array($0.prefix(3)) + [$0[5]] })
        for (a, b) in zip(written[1].rows, out.rows) where !b[3].isEmpty {
            #expect(abs(Double(a[3])! - Double(b[3])!) <= 1e-5 + 1e-4 * abs(Double(b[3])!), "\(a[3]) vs \(b[3])")
        }
    }

    @Test func regressionPredictionsAreInTheLabelsUnits() throws {
        let (model, table) = try Self.regressor.get()
        guard let out = try predict(model, table, name: "esol-new") else { return }
        #expect(out.header == ["smiles", "logSolubility", "logSolubility_prediction", "error"])
        #expect(out.rows.count == table.rows.count)
        #expect(out.rows[5][2].isEmpty && out.rows[5][3].contains("C1CC"), "\(out.rows[5])")

        let (mean, std) = try scaling(model)
        #expect(mean < -1 && std > 1, "ESOL's training labels: mean \(mean), std \(std)")
        let (good, outputs, _) = try rawOutputs(model, table: table, name: "predict-esol-reference")
        #expect(good.count == table.rows.count - 1)
        for (k, row) in good.enumerated() {
            let expected = outputs[0]![k] * std + mean
            let got = Double(out.rows[row][2]) ?? .nan
            #expect(abs(got - expected) <= 1e-5 + 1e-4 * abs(expected), "row \(row + 1): \(got) vs \(expected)")
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
    /// writes it in squared label units as <task>_unc, computed here from the seed's own head.
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
        #expect(out.header == ["smiles", "logSolubility", "logSolubility_prediction", "logSolubility_unc", "error"])

        let manifest = try JSONDecoder().decode(FinetuneManifest.self, from: Data(contentsOf: model.appendingPathComponent("config.json")))
        let std = try scaling(model).std
        let batch = try F.batch(of: table, model: model, name: "predict-esol-mve-reference", configuration: manifest.model)
        let network = LGMCLModel<Float>(manifest.model)
        try network.loadWeights(from: model.appendingPathComponent("seed-0/model.safetensors"))
        let variances = try #require(network.predictions(ModelInputs(batch)).variances).scalars.map { Double($0) * std * std }
        for (row, expected) in variances.enumerated() {
            let got = Double(out.rows[row][3]) ?? .nan
            #expect(got > 0 && abs(got - expected) <= 1e-5 + 1e-4 * expected, "row \(row + 1): \(got) vs \(expected)")
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
