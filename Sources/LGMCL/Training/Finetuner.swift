import Distributed
import Foundation

/// One seed's outcome: the epoch kept and its scores.
public struct SeedResult: Codable, Sendable {
    public var seed: UInt64
    public var bestEpoch: Int
    public var epochsRun: Int
    public var train: Evaluation
    public var val: Evaluation
    /// Nil when the split has no test part.
    public var test: Evaluation?
    public var seconds: Double
}

/// Mean and population standard deviation over seeds (numpy's `std`, as chemprop reports).
public struct SeedSpread: Codable, Sendable {
    public var mean: Double
    public var std: Double
    public var count: Int

    init?(_ values: [Double]) {
        guard !values.isEmpty else { return nil }
        count = values.count
        let mean = values.reduce(0, +) / Double(values.count)
        self.mean = mean
        std = (values.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / Double(values.count)).squareRoot()
    }
}

/// What `finetune` writes as metrics.json and returns to `benchmark moleculenet`.
public struct FinetuneSummary: Codable, Sendable {
    public var task: TaskKind
    public var tasks: [String]
    public var metric: Metric
    public var split: String
    public var epochs: Int
    public var preset: String
    public var pretrained: String?
    public var molecules: Int
    public var rejectedRows: Int
    public var seeds: [SeedResult]
    public var val: SeedSpread?
    public var test: SeedSpread?
}

/// Stage 3 (docs/design.md, Stage 3 — fine-tuning): the encoders, the fingerprint MLP and the gated cross-attention fusion
/// trained end to end on labelled molecules, data-parallel as pretraining is, one model per seed.
///
/// Per step: this rank's share of the global batch → task outputs → masked BCE (classification)
/// or MSE on standardized targets (regression), each rank's sum divided by the global count of
/// present labels → backward with bucketed, overlapped gradient allreduce → Adam. Each epoch ends
/// with a pass over val; the epoch with the best val metric is the seed's model.
public final class Finetuner<Scalar: TensorScalar & MPIScalar> {
    let settings: FinetuneSettings
    let world: Communicator
    let log: (String) -> Void
    let directory: URL
    /// Per seed, one split cell per data row of the input (train, val, test; empty for a row
    /// without a molecule): `benchmark moleculenet` trains each seed on the split file it shares
    /// with other tools while the molecules are featurized once for all seeds.
    let seedSplits: [UInt64: [String]]
    var times = PhaseTimes()

    public init(settings: FinetuneSettings, world: Communicator, log: @escaping (String) -> Void = { _ in },
                seedSplits: [UInt64: [String]] = [:]) throws {
        guard settings.globalBatchSize % world.size == 0 else {
            throw FinetuneError(description: "--batch-size \(settings.globalBatchSize) is not divisible by \(world.size) ranks; use a multiple of \(world.size)")
        }
        guard !settings.seeds.isEmpty, settings.epochs >= 1 else {
            throw FinetuneError(description: "fine-tuning needs at least one seed and one epoch")
        }
        self.settings = settings
        self.world = world
        self.log = log
        self.seedSplits = seedSplits
        directory = URL(fileURLWithPath: settings.output)
    }

    /// The labelled molecules, features and all, with what the run decided about them.
    struct Prepared {
        var dataset: MoleculeDataset
        var labels: TaskMatrix
        var sourceRows: [Int64]
        var kind: TaskKind
        var model: ModelConfiguration
        var rejectedRows: Int
        var descriptions: DescriptionSource
        var smilesColumn: String
    }

    // Callers in other modules instantiate the trainer generically, and generic code from another
    // module runs unspecialized: every tensor op's inner loop would go through per-element witness
    // calls. These entry points are specialized here, and everything they call with them.
    @_specialize(where Scalar == Float)
    @_specialize(where Scalar == Double)
    public func run() throws -> FinetuneSummary {
        if world.isRoot { try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true) }
        try world.barrier()
        _ = try NumericEnvironment.agree(across: world, deterministic: settings.deterministic, log: log)
        let prepared = try prepare()
        let metric = Metric.standard(for: prepared.kind)
        let split = settings.splitColumn.map { "column:\($0)" } ?? settings.split.rawValue

        let fixed: DatasetSplit? = try prepared.dataset.splits().map { cells in
            try DatasetSplit.fixed(cells: cells, column: settings.splitColumn ?? "split") { i in
                "\(self.settings.data) row \(prepared.sourceRows[i] + 1)"
            }
        }
        let molecules: [Molecule] = fixed == nil && settings.split == .scaffold
            ? try prepared.dataset.smiles().map { try Molecule(smiles: $0) } : []

        let watchdog = try Watchdog(directory: directory.appendingPathComponent("heartbeats"), rank: world.rank,
                                    size: world.size, timeout: settings.collectiveTimeout)
        watchdog.start()
        defer { watchdog.stop() }

        if world.isRoot { log(recipe(prepared.model)) }
        var results: [SeedResult] = []
        var curves = LearningCurves(metric: metric)
        for seed in settings.seeds {
            let parts = try seedSplits[seed].map { try rowSplit($0, prepared: prepared) }
                ?? fixed ?? partition(count: prepared.dataset.count, molecules: molecules, seed: seed)
            if world.isRoot {
                log("seed \(seed): split \(split): \(parts.train.count) train, \(parts.val.count) val, \(parts.test.count) test molecules")
            }
            let result = try trainSeed(seed, parts: parts, prepared: prepared, metric: metric, curves: &curves, watchdog: watchdog)
            results.append(result)
        }

        let summary = FinetuneSummary(
            task: prepared.kind, tasks: prepared.dataset.taskNames, metric: metric, split: split, epochs: settings.epochs,
            preset: prepared.model.preset, pretrained: settings.pretrained, molecules: prepared.dataset.count,
            rejectedRows: prepared.rejectedRows, seeds: results,
            val: SeedSpread(results.compactMap(\.val.mean)), test: SeedSpread(results.compactMap { $0.test?.mean }))
        if world.isRoot {
            try curves.write(to: directory)
            try AtomicDirectory.replaceFile(directory.appendingPathComponent("metrics.json"), with: JSONEncoder.pretty.encode(summary))
            try writeManifest(prepared: prepared, metric: metric, split: split)
            log("time per rank (seconds and share of the rank's total):\n" + PhaseTimes.table(gathered: try world.allgather(times.vector), ranks: world.size))
        } else {
            _ = try world.allgather(times.vector)
        }
        return summary
    }

    /// The split of the dataset's molecules given one cell per input row.
    func rowSplit(_ cells: [String], prepared: Prepared) throws -> DatasetSplit {
        try DatasetSplit.fixed(cells: prepared.sourceRows.map { Int($0) < cells.count ? cells[Int($0)] : "" }, column: "split") { i in
            "\(self.settings.data) row \(prepared.sourceRows[i] + 1)"
        }
    }

    func partition(count: Int, molecules: [Molecule], seed: UInt64) -> DatasetSplit {
        settings.split == .random ? .random(count: count, fractions: .random, seed: seed) : settings.split.split(molecules, seed: seed)
    }

    /// One line that says how every seed trains, so that a log read later needs no command line.
    func recipe(_ model: ModelConfiguration) -> String {
        let encoders = settings.encoderLearningRate.map { $0 == 0 ? " (encoders frozen)" : " (encoders \($0))" } ?? ""
        return "training: \(model.preset) model, \(model.fusion.mode.rawValue) fusion, encoders "
            + (settings.pretrained.map { "from \($0)" } ?? "from random weights")
            + "; Adam lr \(settings.learningRate)\(encoders), weight decay \(settings.weightDecay), "
            + "global batch \(settings.globalBatchSize) over \(world.size) rank\(world.size == 1 ? "" : "s"), up to \(settings.epochs) epoch\(settings.epochs == 1 ? "" : "s")"
            + (settings.patience.map { " (patience \($0))" } ?? "")
    }

    // MARK: Data and model configuration

    func prepare() throws -> Prepared {
        var model = try settings.modelConfiguration()
        var vocabularySource: String?
        if let pretrained = settings.pretrained {
            if model.preset != settings.model.preset, world.isRoot {
                log("--pretrained \(pretrained) holds a '\(model.preset)' model: fine-tuning that configuration")
            }
            if FileManager.default.fileExists(atPath: URL(fileURLWithPath: pretrained).appendingPathComponent("vocab.txt").path) {
                vocabularySource = pretrained
            }
        }

        let isHDF5 = ["h5", "hdf5"].contains(URL(fileURLWithPath: settings.data).pathExtension.lowercased())
        var rejected = 0
        let path: String
        var smilesColumn = settings.smilesColumn ?? "smiles"
        if isHDF5 {
            path = settings.data
        } else {
            let table = try CSVTable(contentsOf: URL(fileURLWithPath: settings.data))
            if settings.smilesColumn == nil, let name = table.header.first(where: { $0.lowercased() == "smiles" }) { smilesColumn = name }
            let labelColumns = try LabelColumns.select(in: table, smilesColumn: smilesColumn, given: settings.labelColumns,
                                                       excluded: [settings.descriptionColumn, settings.splitColumn].compactMap { $0 })
            var options = PreprocessOptions(input: settings.data, output: directory.appendingPathComponent("data.h5").path)
            options.smilesColumn = smilesColumn
            options.labelColumns = labelColumns
            options.descriptionColumn = settings.descriptionColumn
            options.splitColumn = settings.splitColumn
            options.vocabulary = vocabularySource
            options.maxSMILESTokens = model.text.maxSMILESTokens
            options.maxDescriptionTokens = model.text.maxDescriptionTokens
            options.createdBy = "lgmcl-dist finetune"
            var preprocessor = Preprocessor(options: options, world: world)
            preprocessor.report = log
            let summary = try preprocessor.run()
            rejected = summary.rejected
            path = options.output
        }
        let dataset = try MoleculeDataset(path: path)
        guard dataset.taskCount > 0 else {
            throw FinetuneError(description: "\(path): no label columns; fine-tuning needs labels (--label-columns)")
        }
        if settings.splitColumn != nil, !dataset.hasSplit {
            throw FinetuneError(description: "\(path): --split-column given but the dataset has no /split (preprocess it with --split-column)")
        }
        if let source = vocabularySource {
            let tokens = try Preprocessor.loadVocabulary(source)
            let expected = try Vocabulary(tokens: tokens).sha256
            guard expected == dataset.vocabularySHA256 else {
                throw FinetuneError(description: "\(path): vocabulary sha256 \(dataset.vocabularySHA256) differs from the pretrained encoders' \(expected) (\(source)/vocab.txt); preprocess with --vocab \(source)")
            }
        }
        model.text.vocabularySize = dataset.vocabulary.count
        model.fusion.tasks = dataset.taskCount

        let values = try dataset.labels()
        let labels = TaskMatrix(rows: dataset.count, tasks: dataset.taskCount, values: values.map(Double.init))
        let sourceRows = try dataset.sourceRows()
        let describeRow = { (i: Int) in "\(self.settings.data) row \(sourceRows[i] + 1)" }
        let kind: TaskKind
        if let given = settings.task {
            if let mismatch = given.firstMismatch(in: labels, taskNames: dataset.taskNames, describeRow: describeRow) {
                throw FinetuneError(description: mismatch)
            }
            kind = given
        } else {
            let inferred = TaskKind.infer(from: labels, taskNames: dataset.taskNames, describeRow: describeRow)
            if world.isRoot { log("task: \(inferred.kind.rawValue) (\(inferred.reason)); --task overrides") }
            kind = inferred.kind
        }
        return Prepared(dataset: dataset, labels: labels, sourceRows: sourceRows, kind: kind, model: model,
                        rejectedRows: rejected,
                        descriptions: settings.descriptionColumn.map { .column($0) } ?? .generated,
                        smilesColumn: smilesColumn)
    }

    // MARK: One seed

    func trainSeed(_ seed: UInt64, parts: DatasetSplit, prepared: Prepared, metric: Metric,
                   curves: inout LearningCurves, watchdog: Watchdog) throws -> SeedResult {
        let started = monotonicSeconds()
        let dataset = prepared.dataset
        Initialization.seed(seed)
        let model = LGMCLModel<Scalar>(prepared.model)
        try loadPretrained(into: model)
        let encoders = Self.pretrainedFiles.flatMap(\.components)
        let encoderScale = (settings.encoderLearningRate ?? settings.learningRate) / settings.learningRate
        // Frozen encoders are constants to the tape, so backward stops at their outputs instead of
        // computing gradients nobody applies.
        let frozen = encoderScale == 0 ? encoders : []
        for entry in model.stateDict() where frozen.contains(where: { $0.owns(entry.name) }) { entry.parameter.requiresGradient = false }
        // The contrastive heads take no part in prediction: they would get no gradient.
        let heads: [LGMCLModel<Scalar>.Component] = [.graphProjection, .textProjection]
        let trained = model.stateDict().filter { entry in entry.parameter.requiresGradient && !heads.contains { $0.owns(entry.name) } }
        let sync = GradientSync(world: world, trained: trained, bucketMiB: settings.bucketMiB, deterministic: settings.deterministic)
        try sync.agree(on: model.stateDict())
        let optimizer = Adam(trained, AdamConfiguration(learningRate: settings.learningRate, weightDecay: settings.weightDecay),
                             learningRateScale: { name in encoders.contains { $0.owns(name) } ? encoderScale : 1 })
        let scaler = prepared.kind == .regression ? TargetScaler(fitting: prepared.labels, trainRows: parts.train) : nil
        if world.isRoot {
            try FileManager.default.createDirectory(at: FinetunedModel.seedDirectory(directory, seed: seed), withIntermediateDirectories: true)
            if let scaler { try writeScaling(scaler, seed: seed) }
        }

        let order = dataset.epochOrder()
        var best: (epoch: Int, value: Double?, weights: [[Scalar]])?
        var sinceBest = 0
        var step = 0
        var epochsRun = 0
        for epoch in 0 ..< settings.epochs {
            let epochStart = monotonicSeconds()
            let plan = try ShardPlan.training(order, subset: parts.train, seed: seed, epoch: epoch,
                                              globalBatchSize: min(settings.globalBatchSize, parts.train.count / world.size * world.size),
                                              rank: world.rank, rankCount: world.size)
            let reader = BatchReader(dataset: dataset, plan: plan, options: batchOptions(prepared.model))
            var progress = ProgressReporter(label: "seed \(seed) epoch \(epoch + 1)/\(settings.epochs)", total: plan.batchCount,
                                            interval: settings.logInterval, quietWhenShort: true)
            var lossSum = 0.0
            var batches = 0
            while true {
                watchdog.enter("data", step: step + 1)
                guard let batch = try times.measure(.data, { try reader.next() }) else { break }
                step += 1
                lossSum += try trainStep(batch, model: model, sync: sync, optimizer: optimizer, kind: prepared.kind,
                                         scaler: scaler, stream: RandomStream(seed: seed, step: UInt64(step)),
                                         watchdog: watchdog, step: step)
                batches += 1
                watchdog.stepCompleted(step)
                if world.isRoot {
                    let rate = Double(batches * plan.globalBatchSize) / max(monotonicSeconds() - epochStart, 1e-9)
                    progress.update(batches, unit: "steps",
                                    detail: String(format: "train loss %.4f %.1f mol/s", lossSum / Double(batches), rate))
                }
            }
            epochsRun += 1
            let trainLoss = batches > 0 ? lossSum / Double(batches) : .nan
            watchdog.enter("evaluation", step: step)
            let val = try times.measure(.evaluation) {
                try evaluate(model, molecules: parts.val, prepared: prepared, metric: metric, scaler: scaler).evaluation
            }
            curves.append(.init(seed: seed, epoch: epoch, trainLoss: trainLoss, validation: val.mean))
            let improved: Bool
            if let current = best {
                if let value = val.mean, let previous = current.value {
                    improved = metric.higherIsBetter ? value > previous : value < previous
                } else {
                    improved = current.value == nil && val.mean != nil
                }
            } else {
                improved = true
            }
            if improved {
                best = (epoch, val.mean, trained.map { Array($0.parameter.values) })
                sinceBest = 0
            } else {
                sinceBest += 1
            }
            if world.isRoot {
                let score = val.mean.map { String(format: "%.4f", $0) } ?? "n/a (no scorable task)"
                log(String(format: "seed %llu epoch %d/%d: train loss %.4f, val %@ %@%@ (%.1f s)", seed, epoch + 1, settings.epochs,
                           trainLoss, metric.rawValue, score, improved ? " (best)" : "", epochSuffix(val), monotonicSeconds() - epochStart))
            }
            if let patience = settings.patience, sinceBest >= patience {
                if world.isRoot { log("seed \(seed): no better val \(metric.rawValue) for \(patience) epochs; stopping early") }
                break
            }
        }
        guard let best else { throw FinetuneError(description: "seed \(seed): no epoch ran") }
        for (entry, values) in zip(trained, best.weights) { _ = entry.parameter.values.update(fromContentsOf: values) }

        var scores: [SplitPart: Evaluation] = [:]
        for part in SplitPart.allCases where !parts[part].isEmpty {
            let (evaluation, outputs) = try evaluate(model, molecules: parts[part], prepared: prepared, metric: metric, scaler: scaler)
            scores[part] = evaluation
            if world.isRoot {
                for warning in evaluation.warnings { log("warning: seed \(seed), \(part.rawValue) split: \(warning)") }
                try writePredictions(outputs, molecules: parts[part], part: part, seed: seed, prepared: prepared, scaler: scaler)
            }
        }
        if world.isRoot {
            var file = SafeTensors()
            file.metadata = ["format": "pt", "preset": prepared.model.preset, "seed": String(seed), "best_epoch": String(best.epoch)]
            for (name, parameter) in model.stateDict() { file.add(name, parameter.value.detached()) }
            try AtomicDirectory.replaceFile(FinetunedModel.seedDirectory(directory, seed: seed).appendingPathComponent(LGMCLModel<Scalar>.weightsFileName), with: file.encoded())
            let test = scores[.test]?.mean.map { String(format: "%.4f", $0) } ?? "n/a"
            log("seed \(seed): best epoch \(best.epoch + 1), test \(metric.rawValue) \(test)")
        }
        return SeedResult(seed: seed, bestEpoch: best.epoch, epochsRun: epochsRun, train: scores[.train]!, val: scores[.val]!,
                          test: scores[.test], seconds: monotonicSeconds() - started)
    }

    func epochSuffix(_ evaluation: Evaluation) -> String {
        evaluation.skippedTasks.isEmpty ? "" : ", \(evaluation.skippedTasks.count) task(s) unscored"
    }

    /// One optimisation step; returns the global loss.
    func trainStep(_ batch: MoleculeBatch, model: LGMCLModel<Scalar>, sync: GradientSync<Scalar>, optimizer: Adam<Scalar>,
                   kind: TaskKind, scaler: TargetScaler?, stream: RandomStream, watchdog: Watchdog, step: Int) throws -> Double {
        watchdog.enter("forward", step: step)
        let loss = try times.measure(.forward) { () throws -> Tensor<Scalar> in
            let outputs = model.predictions(graph: GraphInput(batch), smiles: TokenInput(batch.smilesTokens, molecules: batch.moleculeIndices),
                                            descriptions: TokenInput(batch.descriptionTokens, molecules: batch.moleculeIndices),
                                            fingerprints: batch.fingerprints, stream).predictions
            let tasks = batch.taskCount
            var targets = [Scalar](repeating: .nan, count: batch.labels.count)
            for i in targets.indices where batch.labelMask[i] != 0 {
                let value = Double(batch.labels[i])
                targets[i] = Scalar(scaler.map { (value - $0.means[i % tasks]) / $0.stds[i % tasks] } ?? value)
            }
            let masked = MaskedTargets(Tensor(targets, shape: [batch.count, tasks]))
            watchdog.enter("label count (allreduce)", step: step)
            let count = try FinetuneLoss.globalCount(masked.count, over: world)
            return FinetuneLoss.loss(kind, outputs: outputs, targets: masked, globalCount: count)
        }
        watchdog.enter("backward", step: step)
        try times.measure(.backward) { try sync.backward(loss) }
        watchdog.enter("allreduce", step: step)
        times.add(.allreduceWait, try sync.finish())
        let global = try world.allreduce(Double(loss.item()))
        guard global.isFinite else {
            throw FinetuneError(description: "the loss became \(global) at step \(step); stopping. Lower --lr or check the labels")
        }
        watchdog.enter("optimizer", step: step)
        times.measure(.optimizer) {
            optimizer.step()
            optimizer.zeroGradients()
        }
        return global
    }

    /// Outputs (standardized space) for `molecules`, on every rank, in their order; and their
    /// score in the labels' units.
    func evaluate(_ model: LGMCLModel<Scalar>, molecules: [Int], prepared: Prepared, metric: Metric,
                  scaler: TargetScaler?) throws -> (evaluation: Evaluation, outputs: TaskMatrix) {
        let tasks = prepared.dataset.taskCount
        let pass = InferencePass(dataset: prepared.dataset, options: batchOptions(prepared.model),
                                 globalBatchSize: settings.globalBatchSize, molecules: molecules)
        // Every rank scores the epoch: the best-epoch and early-stopping decisions must agree.
        let values: [Double] = try pass.runOnEveryRank(world: world, width: tasks) { batch in
            model.predictions(graph: GraphInput(batch), smiles: TokenInput(batch.smilesTokens, molecules: batch.moleculeIndices),
                              descriptions: TokenInput(batch.descriptionTokens, molecules: batch.moleculeIndices),
                              fingerprints: batch.fingerprints).predictions.scalars.map { Double($0) }
        }
        let outputs = TaskMatrix(rows: molecules.count, tasks: tasks, values: values)
        let labels = prepared.labels.selecting(rows: molecules)
        let user = userValues(outputs, kind: prepared.kind, scaler: scaler)
        return (Evaluation(metric, predictions: user, labels: labels, taskNames: prepared.dataset.taskNames), outputs)
    }

    func batchOptions(_ model: ModelConfiguration) -> BatchOptions {
        BatchOptions(maxSMILESTokens: model.text.maxSMILESTokens, maxDescriptionTokens: model.text.maxDescriptionTokens)
    }

    /// The files of a pretraining directory and the encoders each holds: what `--pretrained`
    /// loads and what `--encoder-lr` applies to.
    static var pretrainedFiles: [(file: String, components: [LGMCLModel<Scalar>.Component])] {
        [("graph", [.local, .global]), ("text", [.text])]
    }

    /// The pretrained encoders (graph.safetensors: AttentiveFP and GT; text.safetensors: DeBERTa).
    func loadPretrained(into model: LGMCLModel<Scalar>) throws {
        guard let pretrained = settings.pretrained else { return }
        let base = URL(fileURLWithPath: pretrained)
        var loaded: [String] = []
        for (file, components) in Self.pretrainedFiles {
            let url = base.appendingPathComponent("\(file).safetensors")
            guard FileManager.default.fileExists(atPath: url.path) else { continue }
            try model.loadWeights(from: url, components: components)
            loaded.append(file)
        }
        guard !loaded.isEmpty else {
            throw FinetuneError(description: "--pretrained \(pretrained): neither graph.safetensors nor text.safetensors is there (run `lgmcl-dist pretrain --stage graph|text --output \(pretrained)`)")
        }
        if world.isRoot, loaded.count == 1 {
            log("--pretrained \(pretrained): only the \(loaded[0]) encoders are pretrained; the others start from scratch")
        }
    }

    // MARK: Output

    func writeScaling(_ scaler: TargetScaler, seed: UInt64) throws {
        // The scaling is fitted on the seed's training split, which differs between seeds.
        try AtomicDirectory.replaceFile(FinetunedModel.seedDirectory(directory, seed: seed).appendingPathComponent(FinetunedModel.scalingName),
                                        with: JSONEncoder.pretty.encode(scaler))
    }

    func writeManifest(prepared: Prepared, metric: Metric, split: String) throws {
        let manifest = FinetuneManifest(
            model: prepared.model, task: prepared.kind, tasks: prepared.dataset.taskNames, metric: metric,
            seeds: settings.seeds, smilesColumn: prepared.smilesColumn, descriptions: prepared.descriptions,
            vocabularySHA256: prepared.dataset.vocabularySHA256, split: split, pretrained: settings.pretrained,
            settings: settings)
        try AtomicDirectory.replaceFile(directory.appendingPathComponent(FinetunedModel.vocabularyName),
                                        with: Data((prepared.dataset.vocabulary.joined(separator: "\n") + "\n").utf8))
        try AtomicDirectory.replaceFile(directory.appendingPathComponent(FinetunedModel.manifestName), with: JSONEncoder.pretty.encode(manifest))
    }

    /// predictions_<part>.csv in the seed's directory: SMILES, the input row, every task's label
    /// and prediction (probability or value in the labels' units).
    func writePredictions(_ outputs: TaskMatrix, molecules: [Int], part: SplitPart, seed: UInt64, prepared: Prepared,
                          scaler: TargetScaler?) throws {
        let names = prepared.dataset.taskNames
        let smiles = try prepared.dataset.smiles()
        let suffix = prepared.kind == .classification ? "_probability" : "_prediction"
        let header = ["smiles", "row"] + names + names.map { $0 + suffix }
        let user = userValues(outputs, kind: prepared.kind, scaler: scaler)
        var rows: [[String]] = []
        for (i, molecule) in molecules.enumerated() {
            var row = [smiles[molecule], String(prepared.sourceRows[molecule] + 1)]
            row += (0 ..< names.count).map { t in
                let label = prepared.labels[molecule, t]
                return label.isNaN ? "" : CSVText.number(label)
            }
            row += (0 ..< names.count).map { t in CSVText.number(user[i, t]) }
            rows.append(row)
        }
        let url = FinetunedModel.seedDirectory(directory, seed: seed).appendingPathComponent("predictions_\(part.rawValue).csv")
        try CSVText.write(try CSVText.render(header: header, rows: rows), to: url)
    }
}
