import Distributed
import Foundation
import Logging

/// `pretrain --probe`: small labelled sets, featurized once with the run's vocabulary, on whose
/// frozen encoder vectors a linear probe is fitted whenever the diagnostics run — the online
/// measure of transfer that self-supervised libraries report against training steps.
///
/// Per set: three balanced scaffold splits (seeds 0, 1, 2; 0.8/0.1/0.1); per split and task, a
/// ridge (regression) or L2-logistic (classification) probe for each strength of a grid, the
/// strength chosen by the validation metric; reported: the test metric, mean over the splits.
struct OnlineProbe {
    struct ProbeSet {
        var name: String
        var dataset: MoleculeDataset
        var labels: TaskMatrix
        var kind: TaskKind
        var splits: [DatasetSplit]
    }

    /// The outcome on one set: the mean over splits of the test and validation metrics.
    struct Score {
        var name: String
        var metric: Metric
        var test: Double?
        var val: Double?
    }

    static let splitSeeds: [UInt64] = [0, 1, 2]
    static let ridgeStrengths = [0.01, 0.1, 1, 10, 100, 1000]
    static let logisticStrengths = [0.001, 0.01, 0.1, 1, 10, 100]

    let sets: [ProbeSet]

    /// Featurizes each CSV into `directory` (all ranks together; an existing file is reused)
    /// with the vocabulary of `vocabularySource`.
    init(csvs: [String], directory: URL, vocabularySource: String, options: BatchOptions, world: Communicator,
         logger: Logger) throws {
        if world.isRoot { try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true) }
        try world.barrier()
        var sets: [ProbeSet] = []
        for csv in csvs {
            let name = URL(fileURLWithPath: csv).deletingPathExtension().lastPathComponent
            let output = directory.appendingPathComponent("\(name).h5")
            if !FileManager.default.fileExists(atPath: output.path) {
                let table = try CSVTable(contentsOf: URL(fileURLWithPath: csv))
                guard let smiles = table.header.first(where: { $0.lowercased() == "smiles" }) else {
                    throw PretrainError(description: "--probe \(csv): no column named smiles")
                }
                var preprocess = PreprocessOptions(input: csv, output: output.path)
                preprocess.smilesColumn = smiles
                preprocess.labelColumns = try LabelColumns.select(in: table, smilesColumn: smiles, given: nil)
                preprocess.vocabulary = vocabularySource
                preprocess.maxSMILESTokens = options.maxSMILESTokens
                preprocess.maxDescriptionTokens = options.maxDescriptionTokens
                preprocess.createdBy = "lgmcl-dist pretrain --probe"
                var preprocessor = Preprocessor(options: preprocess, world: world)
                preprocessor.report = { if world.isRoot { logger.info("--probe \(name): \($0)") } }
                _ = try preprocessor.run()
            }
            let dataset = try MoleculeDataset(path: output.path)
            guard let scaffolds = try dataset.scaffolds() else {
                throw PretrainError(description: "\(output.path): written before datasets carried scaffolds; delete it to featurize \(csv) again")
            }
            let labels = TaskMatrix(rows: dataset.count, tasks: dataset.taskCount, values: try dataset.labels().map(Double.init))
            let kind = TaskKind.infer(from: labels, taskNames: dataset.taskNames).kind
            let splits = Self.splitSeeds.map { DatasetSplit.balancedScaffold(scaffolds: scaffolds, fractions: .scaffold, seed: $0) }
            sets.append(ProbeSet(name: name, dataset: dataset, labels: labels, kind: kind, splits: splits))
        }
        self.sets = sets
    }

    /// Fits and scores the probes of one set on its molecules' features (count × dimension).
    static func score(_ set: ProbeSet, features: [Double], dimension: Int) throws -> Score {
        let metric = Metric.standard(for: set.kind)
        var tests: [Double] = [], vals: [Double] = []
        for split in set.splits {
            var valPredictions = TaskMatrix(rows: split.val.count, tasks: set.labels.tasks)
            var testPredictions = TaskMatrix(rows: split.test.count, tasks: set.labels.tasks)
            for task in 0 ..< set.labels.tasks {
                let train = split.train.filter { !set.labels[$0, task].isNaN }
                let targets = train.map { set.labels[$0, task] }
                // A task whose training labels are one class (or one value) has nothing to learn.
                guard train.count >= 2, Set(targets).count >= 2 else { continue }
                var best: (score: Double, probe: LinearProbe)?
                let kinds: [LinearProbe.Kind] = set.kind == .classification
                    ? logisticStrengths.map { .logistic(c: $0) } : ridgeStrengths.map { .ridge(alpha: $0) }
                for kind in kinds {
                    let probe = try LinearProbe(kind, features: features, dimension: dimension, rows: train, targets: targets)
                    let predictions = probe.predict(features, dimension: dimension, rows: split.val)
                    let evaluation = Evaluation(metric, predictions: TaskMatrix(rows: split.val.count, tasks: 1, values: predictions),
                                                labels: TaskMatrix(rows: split.val.count, tasks: 1,
                                                                    values: set.labels.selecting(rows: split.val).column(task)),
                                                taskNames: ["task"])
                    let value = evaluation.mean ?? (metric.higherIsBetter ? -.infinity : .infinity)
                    if best == nil || (metric.higherIsBetter ? value > best!.score : value < best!.score) { best = (value, probe) }
                }
                guard let probe = best?.probe else { continue }
                for (row, value) in probe.predict(features, dimension: dimension, rows: split.val).enumerated() { valPredictions[row, task] = value }
                for (row, value) in probe.predict(features, dimension: dimension, rows: split.test).enumerated() { testPredictions[row, task] = value }
            }
            let names = set.dataset.taskNames
            if let v = Evaluation(metric, predictions: valPredictions, labels: set.labels.selecting(rows: split.val), taskNames: names).mean {
                vals.append(v)
            }
            if let t = Evaluation(metric, predictions: testPredictions, labels: set.labels.selecting(rows: split.test), taskNames: names).mean {
                tests.append(t)
            }
        }
        func mean(_ values: [Double]) -> Double? { values.isEmpty ? nil : values.reduce(0, +) / Double(values.count) }
        return Score(name: set.name, metric: metric, test: mean(tests), val: mean(vals))
    }
}
