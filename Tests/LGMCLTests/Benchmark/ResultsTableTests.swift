import Foundation
import LGMCL
import Testing

/// The results table: mean ± std over seeds (population std, as numpy's np.std), one row per
/// dataset, chemprop shown only on lgmcl's splits. Expected numbers are computed by hand (and with
/// numpy: np.std([0.9, 0.8, 0.85]) = 0.0408, np.std([1.1, 1.3]) = 0.1).
struct ResultsTableTests {
    static func run(_ dataset: String, _ split: SplitProtocol, _ variant: BenchmarkVariant, seed: UInt64, test: Double,
                    metric: Metric = .rocAUC, digest: String = "aaaaaaaaaaaa0000") -> BenchmarkRun {
        BenchmarkRun(dataset: dataset, split: split, variant: variant, seed: seed, preset: "tiny", epochs: 2,
                     pretrained: variant == .scratch ? nil : "/p", metric: metric, test: test, val: 0.5, bestEpoch: 1,
                     trainCount: 8, valCount: 1, testCount: 1, splitDigest: digest + "\(seed)", seconds: 1)
    }

    @Test func splitDigestIsSHA256OfTheConcatenatedCells() {
        // hashlib.sha256("trainvaltesttrain".encode()).hexdigest()
        #expect(SplitDigest.of(["train", "val", "", "test", "train"]) == "99e667e42b72ac4c69d16282a7a8c3e5b2484fbc7ee138d99804c1b03e8ca074")
        #expect(SplitDigest.matches("99e667e42b72", "99e667e42b72ac4c69d1"))
        #expect(!SplitDigest.matches("99e667e42b73", "99e667e42b72ac4c69d1"))
    }

    @Test func seedSummaryUsesThePopulationDeviation() {
        let summary = SeedSummary([0.9, 0.8, 0.85])
        #expect(abs(summary.mean - 0.85) < 1e-12)
        #expect(abs(summary.standardDeviation - 0.04082482904638629) < 1e-12)
        #expect(summary.text == "0.850 ± 0.041")
    }

    @Test func tableHasARowPerDatasetAndAColumnPerConfiguration() {
        var results = BenchmarkResults()
        for (seed, value) in zip([UInt64(0), 1, 2], [0.9, 0.8, 0.85]) {
            results.record(Self.run("bbbp", .scaffold, .pretrained, seed: seed, test: value))
            results.record(Self.run("bbbp", .scaffold, .scratch, seed: seed, test: value - 0.1))
        }
        results.record(Self.run("esol", .scaffold, .pretrained, seed: 0, test: 1.1, metric: .rmse))
        results.record(Self.run("esol", .scaffold, .pretrained, seed: 1, test: 1.3, metric: .rmse))
        results.record(Self.run("esol", .random, .llmText, seed: 0, test: 0.7, metric: .rmse))
        results.record(Self.run("esol", .random, .generatedTextOnLLMSubset, seed: 0, test: 0.6, metric: .rmse))
        // Recording a seed again replaces it.
        results.record(Self.run("bbbp", .scaffold, .pretrained, seed: 2, test: 0.85))
        #expect(results.runs.count == 10)

        let chemprop = [UInt64(0), 1, 2].map { (seed: UInt64) -> ChempropRun in
            let fitted: (train: Double?, val: Double?) = seed == 0 ? (0.99, 0.9) : (nil, nil)
            return ChempropRun(dataset: "bbbp", split: .scaffold, seed: seed, epochs: 50, metric: .rocAUC,
                               test: seed == 2 ? 0.5 : 0.95, train: fitted.train, val: fitted.val,
                               splitDigest: "aaaaaaaaaaaa0000\(seed)", version: "2.3.1")
        } + [ChempropRun(dataset: "esol", split: .scaffold, seed: 0, epochs: 50, metric: .rmse, test: 1.0,
                         splitDigest: "bbbbbbbbbbbb", version: "2.3.1")]
        let table = ResultsTable(results: results, chemprop: chemprop)
        #expect(table.notes.count == 1 && table.notes[0].contains("esol scaffold seed 0"), "\(table.notes)")
        let lines = table.markdown().split(separator: "\n").map(String.init)

        let header = lines.first { $0.hasPrefix("| dataset | metric |") }
        #expect(header == "| dataset | metric | lgmcl `tiny`, pretrained (2 ep.) | lgmcl `tiny`, no pretraining (2 ep.) | chemprop 2.3.1 (50 ep.) |")
        // chemprop: mean of 0.95, 0.95, 0.5 = 0.8, std = 0.2121; lgmcl pretrained is the best of the row.
        #expect(lines.contains("| bbbp | ROC-AUC ↑ | **0.850 ± 0.041** | 0.750 ± 0.041 | 0.800 ± 0.212 |"))
        // The mismatched chemprop run is left out; only two lgmcl seeds exist.
        #expect(lines.contains("| esol | RMSE ↓ | 1.200 ± 0.100 (seeds 0,1) | — | — |"))
        #expect(lines.contains("| esol | random | 10 | RMSE ↓ | **0.600 ± 0.000 (seed 0)** | 0.700 ± 0.000 (seed 0) |"))
        #expect(!lines.contains { $0.hasPrefix("### Random split") })
        // The validation metric's table after the test's: lgmcl's runs all have val 0.5; of
        // chemprop's only seed 0 recorded one.
        let validation = lines.firstIndex(of: "### Scaffold split (balanced Bemis–Murcko) 0.8/0.1/0.1: validation metric at the kept epoch")
        #expect(validation != nil && validation! > lines.firstIndex(of: "| bbbp | ROC-AUC ↑ | **0.850 ± 0.041** | 0.750 ± 0.041 | 0.800 ± 0.212 |") ?? .max)
        #expect(lines.contains("| bbbp | ROC-AUC ↑ | 0.500 ± 0.000 | 0.500 ± 0.000 | **0.900 ± 0.000 (seed 0)** |"), "\(lines)")
        #expect(lines.contains("| esol | RMSE ↓ | 0.500 ± 0.000 (seeds 0,1) | — | — |"))
        // Six runs, the paired comparison of their three pairs and chemprop's three runs, each with
        // train and val beside test where they were recorded.
        #expect(lines.filter { $0.hasPrefix("| bbbp | scaffold |") }.count == 10)
        #expect(lines.contains("| bbbp | scaffold | 50 | 0 | 0.990 | 0.900 | 0.950 | aaaaaaaaaaaa | 2.3.1 |"), "\(lines)")
        #expect(lines.contains("| bbbp | scaffold | 50 | 1 | — | — | 0.950 | aaaaaaaaaaaa | 2.3.1 |"))
        #expect(lines.contains { $0.hasPrefix("| bbbp | scaffold | pretrained | tiny | 2 | 0 | 8/1/1 | 1 | — | 0.500 | 0.900 |") })
    }

    /// docs/benchmarks/chemprop.csv as scripts/run_chemprop.py writes it, with the train and val
    /// columns and without them (rows written before they existed).
    @Test func chempropRowsLoadWithAndWithoutTrainAndVal() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("lgmcl-chemprop-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let now = directory.appendingPathComponent("now.csv"), before = directory.appendingPathComponent("before.csv")
        try Data("""
            dataset,protocol,seed,task_type,metric,test_value,train_value,val_value,epochs,chemprop_version,split_sha
            freesolv,scaffold,0,regression,rmse,5.216390,3.208726,4.601828,3,2.3.1,2893983acf04

            """.utf8).write(to: now)
        try Data("""
            dataset,protocol,seed,task_type,metric,test_value,epochs,chemprop_version,split_sha
            bbbp,random,2,classification,roc_auc,0.91,50,2.3.1,0123456789ab

            """.utf8).write(to: before)
        #expect(try ChempropRun.load(from: now) == [ChempropRun(dataset: "freesolv", split: .scaffold, seed: 0, epochs: 3, metric: .rmse,
                                                               test: 5.21639, train: 3.208726, val: 4.601828,
                                                               splitDigest: "2893983acf04", version: "2.3.1")])
        #expect(try ChempropRun.load(from: before) == [ChempropRun(dataset: "bbbp", split: .random, seed: 2, epochs: 50, metric: .rocAUC,
                                                                  test: 0.91, splitDigest: "0123456789ab", version: "2.3.1")])
    }

    /// bbbp: pretrained beats scratch by 0.02, 0.04, 0.06 on seeds 0–2 (mean 0.04, s = 0.02,
    /// interval 0.04 ± t(0.975, 2)·0.02/√3 = 0.04 ± 0.0497); esol (RMSE): lower is the improvement;
    /// a scratch run on another split is not a pair.
    @Test func pairedSectionPairsRunsBySplitAndSeed() {
        var results = BenchmarkResults()
        for (seed, gain) in zip([UInt64(0), 1, 2], [0.02, 0.04, 0.06]) {
            results.record(Self.run("bbbp", .scaffold, .pretrained, seed: seed, test: 0.8 + gain))
            results.record(Self.run("bbbp", .scaffold, .scratch, seed: seed, test: 0.8))
        }
        results.record(Self.run("esol", .scaffold, .pretrained, seed: 0, test: 1.0, metric: .rmse))
        results.record(Self.run("esol", .scaffold, .scratch, seed: 0, test: 1.25, metric: .rmse))
        results.record(Self.run("esol", .scaffold, .pretrained, seed: 1, test: 1.0, metric: .rmse))
        results.record(Self.run("esol", .scaffold, .scratch, seed: 1, test: 1.2, metric: .rmse, digest: "bbbbbbbbbbbb0000"))
        let markdown = ResultsTable(results: results).markdown()
        #expect(markdown.contains("| bbbp | scaffold | `tiny` (2 ep.) | 3 | +0.040 | [-0.010, +0.090] |"), "\(markdown)")
        #expect(markdown.contains("| esol | scaffold | `tiny` (2 ep.) | 1 | +0.250 | — (one pair) |"), "\(markdown)")
    }

    @Test func resultsSurviveTheirFile() throws {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("lgmcl-results-\(UUID().uuidString).json")
        defer { try? FileManager.default.removeItem(at: url) }
        #expect(try BenchmarkResults.load(from: url).runs.isEmpty)
        var results = BenchmarkResults()
        var run = Self.run("bace", .random, .pretrained, seed: 1, test: 0.8)
        run.provenance = RunProvenance(finished: Date(timeIntervalSince1970: 1_800_000_000), commit: "0123456789abcdef", hosts: ["a", "b"], ranks: 4)
        results.record(run)
        try results.save(to: url)
        let loaded = try BenchmarkResults.load(from: url)
        #expect(loaded == results)
        #expect(loaded.contains(results.runs[0].cell, seed: 1) && !loaded.contains(results.runs[0].cell, seed: 0))
        #expect(loaded.runs[0].provenance?.finished == "2027-01-15T08:00:00Z")
        #expect(ResultsTable(results: loaded).markdown().contains("| 2027-01-15T08:00:00Z | 0123456 (4 ranks) |"))
    }

    /// The residual-fusion ablation is a column of its own; results written before it existed
    /// (no `fusion` key) read as the paper's gated fusion.
    @Test func residualFusionRunsFormTheirOwnColumn() throws {
        var results = BenchmarkResults()
        results.record(Self.run("bbbp", .scaffold, .pretrained, seed: 0, test: 0.9))
        var residual = Self.run("bbbp", .scaffold, .pretrained, seed: 0, test: 0.7)
        residual.fusion = .residual
        results.record(residual)
        #expect(results.runs.count == 2)
        let lines = ResultsTable(results: results).markdown().split(separator: "\n").map(String.init)
        #expect(lines.contains("| dataset | metric | lgmcl `tiny`, pretrained (2 ep.) | lgmcl `tiny`, pretrained, residual fusion (2 ep.) |"))
        #expect(lines.contains("| bbbp | ROC-AUC ↑ | **0.900 ± 0.000 (seed 0)** | 0.700 ± 0.000 (seed 0) |"))

        var tree = try JSONSerialization.jsonObject(with: JSONEncoder().encode(Self.run("bbbp", .scaffold, .pretrained, seed: 0, test: 0.9))) as! [String: Any]
        tree.removeValue(forKey: "fusion")
        let older = try JSONDecoder().decode(BenchmarkRun.self, from: JSONSerialization.data(withJSONObject: tree))
        #expect(older.cell == results.runs[0].cell && older.cell.fusion == .gated)
    }

    /// A recipe other than the paper's titles its column; a flag that departs from it (here: no
    /// weight average, the other fusion, the other epoch selection) is named after it, and run directories say the same.
    @Test func aRecipeTitlesItsColumnAndFlagsDepartFromIt() {
        for recipe in FinetuneRecipe.all.dropFirst() {
            let hyperparameters = { (trained: FinetuneRecipe) -> BenchmarkHyperparameters in
                var settings = FinetuneSettings(data: "", output: "", model: ModelConfiguration(preset: .tiny))
                trained.apply(to: &settings)
                return BenchmarkHyperparameters(settings, precision: "float32")
            }
            var departed = recipe
            departed.emaDecay = recipe.emaDecay == nil ? 0.9 : nil
            departed.epochSelection = recipe.epochSelection == .loss ? .metric : .loss
            let otherFusion: FusionMode = recipe.fusion == .residual ? .gated : .residual
            var runs = [Self.run("bbbp", .scaffold, .scratch, seed: 0, test: 0.9), Self.run("bbbp", .scaffold, .scratch, seed: 0, test: 0.8),
                        Self.run("bbbp", .scaffold, .scratch, seed: 0, test: 0.7)]
            runs[0].hyperparameters = hyperparameters(recipe)
            runs[0].fusion = recipe.fusion ?? .gated
            runs[0].readout = recipe.readout
            runs[1].hyperparameters = hyperparameters(departed)
            runs[1].fusion = otherFusion
            runs[1].readout = recipe.readout
            runs[2].hyperparameters = hyperparameters(.paper)
            let ema = departed.emaDecay.map { "EMA \(String(format: "%g", $0))" } ?? "no EMA"
            #expect(runs[0].cell.training.departures == ["recipe \(recipe.name)"])
            let kept = departed.epochSelection == .loss ? "kept by val loss" : "kept by val metric"
            #expect(runs[1].cell.training.departures == ["\(otherFusion.rawValue) fusion", "recipe \(recipe.name)", ema, kept])
            #expect(runs[2].cell.training.departures == [])
            #expect(runs[0].cell.training.directoryName == "no-pretraining-tiny-2ep-recipe-\(recipe.name)")
            var results = BenchmarkResults()
            for run in runs { results.record(run) }
            #expect(Set(results.runs.map(\.cell)).count == 3)
        }
    }

    /// Runs on a fraction of the training labels form their own column, named so everywhere, and
    /// pair pretrained with scratch only at the same fraction.
    @Test func trainFractionRunsFormTheirOwnColumnAndPairAtTheirFraction() {
        var results = BenchmarkResults()
        for (seed, full, tenth) in [(UInt64(0), 0.90, 0.80), (1, 0.92, 0.78)] {
            results.record(Self.run("bbbp", .scaffold, .pretrained, seed: seed, test: full))
            results.record(Self.run("bbbp", .scaffold, .scratch, seed: seed, test: full - 0.01))
            var pretrained = Self.run("bbbp", .scaffold, .pretrained, seed: seed, test: tenth)
            pretrained.trainFraction = 0.1
            var scratch = Self.run("bbbp", .scaffold, .scratch, seed: seed, test: tenth - 0.05)
            scratch.trainFraction = 0.1
            results.record(pretrained)
            results.record(scratch)
        }
        #expect(results.runs.count == 8)
        let fraction = results.runs.first { $0.trainFraction == 0.1 }!.cell.training
        #expect(fraction.departures == ["10% of training labels"])
        #expect(fraction.directoryName.hasSuffix("-train-0.1"))
        let lines = ResultsTable(results: results).markdown().split(separator: "\n").map(String.init)
        #expect(lines.contains { $0.contains("lgmcl `tiny`, pretrained, 10% of training labels (2 ep.)") })
        // Paired: +0.010 at full labels, +0.050 at 10%.
        #expect(lines.contains { $0.hasPrefix("| bbbp | scaffold | `tiny` (2 ep.) | 2 | +0.010 |") }, "\(lines)")
        #expect(lines.contains { $0.hasPrefix("| bbbp | scaffold | `tiny`, 10% of training labels (2 ep.) | 2 | +0.050 |") }, "\(lines)")
    }

    /// The norm readout is a column of its own that every name says; the authors' mean is
    /// recorded as no key, so results written before `--readout` existed are that column.
    @Test func normReadoutRunsFormTheirOwnColumn() throws {
        var results = BenchmarkResults()
        let mean = Self.run("bbbp", .scaffold, .scratch, seed: 0, test: 0.8)
        results.record(mean)
        var norm = mean
        norm.fusion = .residual
        norm.readout = .norm
        norm.test = 0.85
        results.record(norm)
        #expect(results.runs.count == 2)
        #expect(norm.cell.training.departures == ["residual fusion", "norm readout"])
        #expect(norm.cell.training.directoryName == "no-pretraining-tiny-2ep-residual-norm-readout")
        #expect(mean.cell.training.directoryName == "no-pretraining-tiny-2ep")
        let lines = ResultsTable(results: results).markdown().split(separator: "\n").map(String.init)
        #expect(lines.contains { $0.contains("lgmcl `tiny`, no pretraining, residual fusion, norm readout (2 ep.)") }, "\(lines)")
        let explicitMean = BenchmarkRun(dataset: "bbbp", split: .scaffold, variant: .scratch, seed: 0, preset: "tiny", epochs: 2,
                                        readout: .mean, pretrained: nil, metric: .rocAUC, test: 0.8, val: 0.8, bestEpoch: 1,
                                        trainCount: 8, valCount: 1, testCount: 1, splitDigest: "x", seconds: 1)
        let tree = try JSONSerialization.jsonObject(with: JSONEncoder().encode(explicitMean)) as! [String: Any]
        #expect(tree["readout"] == nil)
        #expect(explicitMean.cell.readout == .mean)
    }

    /// A run with its own encoder learning rate is a column of its own, next to the same fusion's
    /// column, and says so in every place that names it.
    @Test func encoderLearningRateRunsFormTheirOwnColumn() {
        var results = BenchmarkResults()
        results.record(Self.run("bbbp", .scaffold, .pretrained, seed: 0, test: 0.9))
        var gentle = Self.run("bbbp", .scaffold, .pretrained, seed: 0, test: 0.95)
        gentle.encoderLearningRate = 1e-4
        results.record(gentle)
        var both = gentle
        both.fusion = .residual
        results.record(both)
        #expect(results.runs.count == 3)
        let lines = ResultsTable(results: results).markdown().split(separator: "\n").map(String.init)
        #expect(lines.contains("| dataset | metric | lgmcl `tiny`, pretrained (2 ep.) | lgmcl `tiny`, pretrained, encoder lr 0.0001 (2 ep.) | "
            + "lgmcl `tiny`, pretrained, residual fusion, encoder lr 0.0001 (2 ep.) |"))
        #expect(lines.contains { $0.hasPrefix("| bbbp | scaffold | pretrained (residual fusion, encoder lr 0.0001) | tiny | 2 | 0 |") })
        #expect(both.cell.training.directoryName == "pretrained-tiny-2ep-residual-encoder-lr-0.0001")
        #expect(results.runs[0].cell.training.directoryName == "pretrained-tiny-2ep")
        var frozen = gentle
        frozen.encoderLearningRate = 0
        #expect(frozen.cell.training.departures == ["encoders frozen"])
        #expect(frozen.cell.training.directoryName == "pretrained-tiny-2ep-encoder-lr-0")
    }
}
