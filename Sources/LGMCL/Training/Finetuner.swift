import Distributed
import Foundation
import Logging

/// Stage 3 (docs/design.md, Stage 3 — fine-tuning): the encoders, the fingerprint MLP and the
/// gated cross-attention fusion trained end to end on labelled molecules, data-parallel as
/// pretraining is, one model per seed.
///
/// Per step: this rank's share of the global batch → task outputs → masked BCE (classification)
/// or MSE on standardized targets (regression), each rank's sum divided by the global count of
/// present labels → the shared data-parallel step (DataParallelStep). Each epoch ends with a pass
/// over val; the epoch with the best val metric is the seed's model.
public final class Finetuner<Scalar: TensorScalar & MPIScalar> {
    let settings: FinetuneSettings
    let world: Communicator
    let faults: FaultHooks
    let logger: Logger
    let directory: RunDirectory
    /// Per seed, one split cell per data row of the input (train, val, test; empty for a row
    /// without a molecule): `benchmark moleculenet` trains each seed on the split file it shares
    /// with other tools while the molecules are featurized once for all seeds.
    let seedSplits: [UInt64: [String]]
    /// Continue each seed from its checkpoint or finished outcome (Finetuner+Checkpoints).
    let resume: Bool
    /// The ranks' numerics, recorded in checkpoints.
    var numerics: [NumericEnvironment.Group] = []
    /// Rank 0: where a stop signal would leave the run (the newest checkpoint), under `stopLock`:
    /// the signal's thread writes stop.json from it at once.
    var stopPoint: StopReport?
    let stopLock = NSLock()
    var times = PhaseTimes()

    public init(settings: FinetuneSettings, world: Communicator, faults: FaultHooks = FaultHooks(),
                logger: Logger = .silent, seedSplits: [UInt64: [String]] = [:], resume: Bool = false) throws {
        try checkGlobalBatch(settings.globalBatchSize, ranks: world.size)
        guard !settings.seeds.isEmpty, settings.epochs >= 1 else {
            throw FinetuneError(description: "fine-tuning needs at least one seed and one epoch")
        }
        self.settings = settings
        self.world = world
        self.faults = faults
        self.logger = logger
        self.seedSplits = seedSplits
        self.resume = resume
        directory = RunDirectory(path: settings.output)
    }

    // Callers in other modules instantiate the trainer generically, and generic code from another
    // module runs unspecialized: every tensor op's inner loop would go through per-element witness
    // calls. These entry points are specialized here, and everything they call with them.
    @_specialize(where Scalar == Float)
    @_specialize(where Scalar == Double)
    public func run() throws -> FinetuneSummary {
        try (settings.matrixProducts ?? .float32).use { try train() }
    }

    @_specialize(where Scalar == Float)
    @_specialize(where Scalar == Double)
    private func train() throws -> FinetuneSummary {
        try directory.create(world: world)
        numerics = NumericEnvironment.groups(try NumericEnvironment.agree(across: world, deterministic: settings.deterministic, logger: logger))
        let data = try LabelledData(settings: settings, featurizedData: directory.featurizedData, world: world, logger: logger)
        let metric = Metric.standard(for: data.kind)
        guard data.kind == .regression || !data.model.fusion.predictsVariance else {
            throw FinetuneError(description: "--loss mve predicts a mean and a variance per task, which needs regression; \(settings.data) is a classification set")
        }
        let split = settings.splitColumn.map { "column:\($0)" } ?? settings.split.rawValue
        let watchdog = try directory.watchdog(world: world, timeout: settings.collectiveTimeout)
        watchdog.start()
        defer { watchdog.stop() }
        if world.isRoot { try? FileManager.default.removeItem(at: directory.stopReport) }
        StopRequest.install()
        watchForStop()

        if world.isRoot { logger.info("\(recipe(data.model))") }
        var results: [SeedResult] = [], predictions: [[SplitPart: SeedPrediction]] = []
        var curves = LearningCurves(metric: metric)
        var shared: DatasetSplit?
        // One estimate for every seed: the deal of each training batch between ranks (ShardPlan).
        let costs = world.size > 1 ? MoleculeCosts.of(data.dataset, configuration: data.model, encoders: [.local, .global, .text]) : nil
        for seed in settings.seeds {
            let splitSeed = settings.splitSeed ?? seed
            let parts = try data.split(seed: splitSeed, cells: seedSplits[seed], settings: settings)
            if world.isRoot {
                let described = settings.splitColumn.map { "from column '\($0)'" }
                    ?? settings.split.rawValue + (seedSplits[seed] == nil ? " seed \(splitSeed)" : " (from its split file)")
                logger.info("seed \(seed): split \(described): \(parts.train.count) train, \(parts.val.count) val, \(parts.test.count) test molecules")
            }
            let fingerprint = try fingerprint(parts: parts)
            let outcome = try resume ? restoreOutcome(seed: seed, fingerprint: fingerprint) : nil
            let finished = try outcome ?? trainSeed(seed, parts: parts, data: data, costs: costs, metric: metric,
                                                    fingerprint: fingerprint, watchdog: watchdog)
            results.append(finished.result)
            predictions.append(finished.predictions)
            for point in finished.points { curves.append(point) }
            shared = seed == settings.seeds[0] || shared == parts ? parts : nil
        }
        let calibration = try shared.flatMap { try calibrate(predictions, split: $0, data: data) }

        let summary = FinetuneSummary(
            task: data.kind, tasks: data.dataset.taskNames, metric: metric, split: split, epochs: settings.epochs,
            preset: data.model.preset, pretrained: settings.pretrained, molecules: data.dataset.count,
            rejectedRows: data.rejectedRows, seeds: results,
            val: SeedSpread(results.compactMap(\.val.mean)), test: SeedSpread(results.compactMap { $0.test?.mean }),
            calibration: calibration?.report)
        let gathered = try world.allgather(times.vector)
        if world.isRoot {
            try curves.write(to: directory)
            try directory.replace(directory.metrics, withJSON: summary)
            try writeManifest(data, metric: metric, split: split)
            if let calibration { try writeCalibration(calibration, kind: data.kind) }
            logger.info("time per rank (seconds and share of the rank's total):\n\(PhaseTimes.table(gathered: gathered, ranks: world.size))")
        }
        return summary
    }

    /// One line that says how every seed trains, so that a log read later needs no command line.
    func recipe(_ model: ModelConfiguration) -> String {
        let encoders = settings.encoderLearningRate.map { $0 == 0 ? " (encoders frozen)" : " (encoders \($0))" } ?? ""
        let local = model.local.pooling, global = model.graphTransformer.pooling
        // The authors' mean goes unsaid, as the flags that change it do.
        let readout = local == global ? (local == .mean ? "" : "\(local.rawValue) readout, ")
            : "\(local.rawValue) readout (local), \(global.rawValue) readout (global), "
        return "training (recipe \(settings.recipe ?? FinetuneRecipe.paper.name)): \(model.preset) model, "
            + "\(model.fusion.mode.rawValue) fusion, " + readout
            + "dropout \(model.fusion.predictionDropout) (head) and "
            + "\(model.fusion.fingerprintDropout) (fingerprint network), encoders "
            + (settings.pretrained.map { "from \($0)" } ?? "from random weights")
            + "; Adam lr \(settings.learningRate)\(encoders), weight decay \(settings.weightDecay), "
            + "global batch \(settings.globalBatchSize) over \(world.size) rank\(world.size == 1 ? "" : "s"), up to \(settings.epochs) epoch\(settings.epochs == 1 ? "" : "s")"
            + (settings.patience.map { " (patience \($0))" } ?? "")
            + (settings.epochSelection == .loss ? "; the epoch kept: the lowest validation loss" : "")
            + scheduleDescription
            + (settings.emaDecay.map { "; scored and kept: the weights' exponential moving average (decay \($0))" } ?? "")
            + (settings.trainFraction.map { "; training on \($0 * 100)% of each training split" } ?? "")
    }

    var scheduleDescription: String {
        guard case .warmupDecay(let warmupEpochs, let initial, let final) = settings.learningRateSchedule else { return "" }
        return "; lr warm-up from \(initial) over \(warmupEpochs) epochs, then exponential decay to \(final) (chemprop's schedule)"
    }

    // MARK: One seed

    func trainSeed(_ seed: UInt64, parts: DatasetSplit, data: LabelledData, costs: [Float]?, metric: Metric,
                   fingerprint: String, watchdog: Watchdog) throws -> SeedOutcome {
        let started = monotonicSeconds()
        let (model, step) = try replica(seed: seed, data: data, watchdog: watchdog)
        defer { times.add(step.times) }
        let globalBatch = min(settings.globalBatchSize, parts.train.count / world.size * world.size)
        func epochPlan(_ epoch: Int) throws -> ShardPlan {
            try ShardPlan.training(data.dataset.epochOrder(), subset: parts.train, seed: seed, epoch: epoch,
                                   globalBatchSize: globalBatch, rank: world.rank, rankCount: world.size, costs: costs)
        }
        let stepsPerEpoch = try epochPlan(0).batchCount
        if case .warmupDecay(let warmupEpochs, let initial, let final) = settings.learningRateSchedule {
            step.schedule = NoamLikeSchedule(initial: initial, peak: settings.learningRate, final: final,
                                             warmupSteps: warmupEpochs * stepsPerEpoch,
                                             cooldownSteps: max(settings.epochs - warmupEpochs, 0) * stepsPerEpoch)
        }
        let scaler = data.kind == .regression ? TargetScaler(fitting: data.labels, trainRows: parts.train) : nil
        if world.isRoot {
            try FileManager.default.createDirectory(at: directory.seed(seed), withIntermediateDirectories: true)
            // The scaling is fitted on the seed's training split, which differs between seeds.
            if let scaler { try directory.replace(directory.targetScaling(seed: seed), withJSON: scaler) }
        }
        let selection = settings.epochSelection ?? .metric
        let higherIsBetter = selection == .metric && metric.higherIsBetter
        let restored = try resume ? restoreProgress(seed: seed, fingerprint: fingerprint, higherIsBetter: higherIsBetter,
                                                    trained: step.trained, optimizer: step.optimizer) : nil
        if restored == nil { try discardProgress(seed: seed) }
        let lastStep = settings.epochs * stepsPerEpoch
        noteStopPoint(seed: seed, step: restored?.progress.step ?? 0, lastStep: lastStep, checkpoint: restored?.checkpoint)
        var progress = restored?.progress ?? SeedProgress(best: BestEpoch(higherIsBetter: higherIsBetter),
                                                average: settings.emaDecay.map { WeightAverage(decay: $0, of: step.trained) })
        let secondsBefore = progress.seconds
        /// Rank 0 checkpoints the seed's progress, which a stop now would resume from.
        func checkpoint() throws {
            let saved = try step.times.measure(.checkpoint) {
                progress.seconds = secondsBefore + monotonicSeconds() - started
                return try saveProgress(progress, seed: seed, fingerprint: fingerprint, trained: step.trained,
                                        optimizer: step.optimizer.state, preset: data.model.preset)
            }
            noteStopPoint(seed: seed, step: progress.step, lastStep: lastStep, checkpoint: saved)
        }
        func exhaustedPatience() -> Bool { settings.patience.map { progress.best.epochsWithoutImprovement >= $0 } ?? false }
        while progress.epochs < settings.epochs, !exhaustedPatience() {
            let epoch = progress.epochs
            let epochStart = monotonicSeconds()
            let plan = try epochPlan(epoch)
            // A run stopped by a signal goes on inside the epoch it stopped in.
            let reader = BatchReader(dataset: data.dataset, plan: plan, options: batchOptions(data.model), firstBatch: progress.epochBatches)
            var reporter = ProgressReporter(label: "seed \(seed) epoch \(epoch + 1)/\(settings.epochs)", total: plan.batchCount,
                                            interval: settings.logInterval, quietWhenShort: true)
            let batchesBefore = progress.epochBatches
            while let batch = try step.nextBatch(reader, step: progress.step + 1) {
                progress.step += 1
                let number = progress.step
                let outcome = try step(number) { stream in
                    try supervisedLoss(model.predictions(ModelInputs(batch), stream), batch: batch, kind: data.kind, scaler: scaler,
                                       watchdog: watchdog, step: number)
                }
                progress.epochLossSum += outcome.total
                progress.average?.update(from: step.trained)
                progress.epochBatches += 1
                if let signal = outcome.stopSignal {
                    // The step was applied on every rank: checkpoint it, so that no work is lost.
                    try checkpoint()
                    throw try stopped(by: signal)
                }
                watchdog.stepCompleted(number)
                if world.isRoot {
                    let batches = progress.epochBatches
                    let rate = Double((batches - batchesBefore) * plan.globalBatchSize) / max(monotonicSeconds() - epochStart, 1e-9)
                    reporter.update(batches, unit: "steps",
                                    detail: String(format: "train loss %.4f %.1f mol/s", progress.epochLossSum / Double(batches), rate))
                }
            }
            let trainLoss = progress.epochBatches > 0 ? progress.epochLossSum / Double(progress.epochBatches) : .nan
            progress.epochLossSum = 0
            progress.epochBatches = 0
            watchdog.enter("evaluation", step: progress.step)
            // The average is what is scored and kept; training goes on from the weights.
            progress.average?.exchange(with: step.trained)
            let (val, valLoss) = try step.times.measure(.evaluation) {
                let scored = try evaluate(model, molecules: parts.val, data: data, metric: metric, scaler: scaler)
                progress.validationEpochs.append(scored.prediction.mean)
                return (scored.evaluation, scored.loss)
            }
            progress.points.append(.init(seed: seed, epoch: epoch, trainLoss: trainLoss, validation: val.mean, validationLoss: valLoss))
            let improved = progress.best.offer(epoch: epoch, score: selection == .loss ? valLoss : val.mean, weights: step.trained)
            progress.average?.exchange(with: step.trained)
            progress.epochs += 1
            if world.isRoot {
                let score = val.mean.map { String(format: "%.4f", $0) } ?? "n/a (no scorable task)"
                let loss = selection == .loss ? valLoss.map { String(format: ", val loss %.4f", $0) } ?? ", val loss n/a" : ""
                let line = String(format: "seed %llu epoch %d/%d: train loss %.4f, val %@ %@%@%@ (%.1f s)", seed, epoch + 1, settings.epochs,
                                  trainLoss, metric.rawValue, score, loss, improved ? " (best)" : "", epochSuffix(val),
                                  monotonicSeconds() - epochStart)
                logger.info("\(line)")
            }
            try checkpoint()
            if exhaustedPatience(), world.isRoot {
                let score = selection == .loss ? "loss" : metric.rawValue
                logger.info("seed \(seed): no better val \(score) for \(settings.patience!) epochs; stopping early")
            }
        }
        guard let kept = progress.best.restore(into: step.trained) else { throw FinetuneError(description: "seed \(seed): no epoch ran") }
        let scores = try finalScores(model, seed: seed, parts: parts, data: data, metric: metric, scaler: scaler)
        if world.isRoot {
            try saveWeights(model, seed: seed, bestEpoch: kept.epoch, preset: data.model.preset)
            try writeValidationEpochs(progress.validationEpochs, molecules: parts.val, seed: seed, data: data)
            let test = scores[.test]?.evaluation.mean.map { String(format: "%.4f", $0) } ?? "n/a"
            logger.info("seed \(seed): best epoch \(kept.epoch + 1), test \(metric.rawValue) \(test)")
        }
        let result = SeedResult(seed: seed, bestEpoch: kept.epoch, epochsRun: kept.epochsRun, trainCount: parts.train.count,
                                train: scores[.train]!.evaluation, val: scores[.val]!.evaluation, test: scores[.test]?.evaluation,
                                seconds: secondsBefore + monotonicSeconds() - started)
        let outcome = SeedOutcome(result: result, predictions: scores.mapValues(\.prediction), points: progress.points)
        try saveOutcome(outcome, seed: seed, fingerprint: fingerprint)
        return outcome
    }

    /// The masked supervised loss of this rank's share: targets standardized (regression) and
    /// masked once, normalized by the global count of present labels.
    func supervisedLoss(_ outputs: FusedOutputs<Scalar>, batch: MoleculeBatch, kind: TaskKind, scaler: TargetScaler?,
                        watchdog: Watchdog, step number: Int) throws -> StepLoss<Scalar> {
        let targets = MaskedTargets<Scalar>(batch, scaler: scaler)
        watchdog.enter("label count (allreduce)", step: number)
        let count = try FinetuneLoss.globalCount(targets.count, over: world)
        if let variances = outputs.variances {
            return StepLoss(total: FinetuneLoss.gaussianNegativeLogLikelihood(mean: outputs.predictions, variance: variances,
                                                                              targets: targets, globalCount: count))
        }
        return StepLoss(total: FinetuneLoss.loss(kind, outputs: outputs.predictions, targets: targets, globalCount: count))
    }

    /// A seed's model (its encoders pretrained when asked) and the step that trains it: the
    /// contrastive heads take no part in prediction, frozen encoders take no gradient.
    func replica(seed: UInt64, data: LabelledData, watchdog: Watchdog) throws -> (LGMCLModel<Scalar>, DataParallelStep<Scalar>) {
        Initialization.seed(seed)
        let model = LGMCLModel<Scalar>(data.model)
        try loadPretrained(into: model)
        let encoders = PretrainedEncoders.allComponents(LGMCLModel<Scalar>.self)
        let encoderScale = (settings.encoderLearningRate ?? settings.learningRate) / settings.learningRate
        // Frozen encoders are constants to the tape, so backward stops at their outputs instead of
        // computing gradients nobody applies.
        let frozen = encoderScale == 0 ? encoders : []
        for entry in model.stateDict() where frozen.contains(where: { $0.owns(entry.name) }) { entry.parameter.requiresGradient = false }
        let heads: [LGMCLModel<Scalar>.Component] = [.graphProjection, .textProjection]
        let trained = model.stateDict().filter { entry in entry.parameter.requiresGradient && !heads.contains { $0.owns(entry.name) } }
        let optimizer = Adam(trained, AdamConfiguration(learningRate: settings.learningRate, weightDecay: settings.weightDecay),
                             learningRateScale: { name in encoders.contains { $0.owns(name) } ? encoderScale : 1 })
        let step = try DataParallelStep(world: world, watchdog: watchdog, model: model.stateDict(), trained: trained,
                                        optimizer: optimizer, settings: settings, seed: seed, faults: faults,
                                        divergenceAdvice: "Lower --lr or check the labels")
        return (model, step)
    }

    func epochSuffix(_ evaluation: Evaluation) -> String {
        evaluation.skippedTasks.isEmpty ? "" : ", \(evaluation.skippedTasks.count) task(s) unscored"
    }

    /// Predictions for `molecules`, on every rank, in their order, in the labels' units (with a
    /// mean–variance head also the variances); and their score.
    func evaluate(_ model: LGMCLModel<Scalar>, molecules: [Int], data: LabelledData, metric: Metric,
                  scaler: TargetScaler?) throws -> (evaluation: Evaluation, prediction: SeedPrediction, loss: Double?) {
        let tasks = data.dataset.taskCount
        let width = data.model.fusion.predictsVariance ? 2 * tasks : tasks
        let pass = InferencePass(dataset: data.dataset, options: batchOptions(data.model),
                                 globalBatchSize: settings.globalBatchSize, molecules: molecules)
        // Every rank scores the epoch: the best-epoch and early-stopping decisions must agree.
        let values: [Double] = try pass.runOnEveryRank(world: world, width: width) { batch in
            Predictor.outputs(model, batch).map { Double($0) }
        }
        let outputs = TaskMatrix(rows: molecules.count, tasks: width, values: values)
        let prediction = SeedPrediction(
            mean: userValues(outputs.columns(0 ..< tasks), kind: data.kind, scaler: scaler),
            variance: width > tasks ? scaler.map { $0.destandardizedVariances(outputs.columns(tasks ..< width)) } : nil)
        let labels = data.labels.selecting(rows: molecules)
        return (Evaluation(metric, predictions: prediction.mean, labels: labels, taskNames: data.dataset.taskNames),
                prediction, trainingLoss(outputs, labels: labels, kind: data.kind, scaler: scaler))
    }

    /// The training loss over scored molecules, from the model's raw outputs (logits, or
    /// standardized values followed by variances): the same `FinetuneLoss` terms a step takes,
    /// averaged over every present label. nil when no label is present.
    func trainingLoss(_ outputs: TaskMatrix, labels: TaskMatrix, kind: TaskKind, scaler: TargetScaler?) -> Double? {
        let tasks = labels.tasks
        let standardized = scaler?.standardized(labels) ?? labels
        let targets = MaskedTargets(Tensor<Double>(standardized.values, shape: [labels.rows, tasks]))
        guard targets.count > 0 else { return nil }
        let predicted = Tensor<Double>(outputs.columns(0 ..< tasks).values, shape: [labels.rows, tasks])
        return Tape.withoutGradients {
            guard outputs.tasks > tasks else { return FinetuneLoss.loss(kind, outputs: predicted, targets: targets, globalCount: targets.count) }
            let variances = Tensor<Double>(outputs.columns(tasks ..< outputs.tasks).values, shape: [labels.rows, tasks])
            return FinetuneLoss.gaussianNegativeLogLikelihood(mean: predicted, variance: variances, targets: targets, globalCount: targets.count)
        }.scalars[0]
    }

    /// The kept model scored on every part, with its predictions written and returned.
    func finalScores(_ model: LGMCLModel<Scalar>, seed: UInt64, parts: DatasetSplit, data: LabelledData, metric: Metric,
                     scaler: TargetScaler?) throws -> [SplitPart: (evaluation: Evaluation, prediction: SeedPrediction)] {
        var scores: [SplitPart: (evaluation: Evaluation, prediction: SeedPrediction)] = [:]
        for part in SplitPart.allCases where !parts[part].isEmpty {
            let scored = try evaluate(model, molecules: parts[part], data: data, metric: metric, scaler: scaler)
            scores[part] = (scored.evaluation, scored.prediction)
            if world.isRoot {
                for warning in scored.evaluation.warnings { logger.warning("seed \(seed), \(part.rawValue) split: \(warning)") }
                try writePredictions(scored.prediction.mean, molecules: parts[part], part: part, seed: seed, data: data)
            }
        }
        return scores
    }

    func batchOptions(_ model: ModelConfiguration) -> BatchOptions {
        BatchOptions(maxSMILESTokens: model.text.maxSMILESTokens, maxDescriptionTokens: model.text.maxDescriptionTokens)
    }

    /// The pretrained encoders (graph.safetensors: AttentiveFP and GT; graph-self.safetensors:
    /// AttentiveFP; text.safetensors: DeBERTa).
    func loadPretrained(into model: LGMCLModel<Scalar>) throws {
        guard let pretrained = settings.pretrained else { return }
        let encoders: PretrainedEncoders
        do { encoders = try PretrainedEncoders(directory: URL(fileURLWithPath: pretrained)) } catch let failure as PretrainedEncoders.Failure {
            throw FinetuneError(description: "--pretrained \(failure.description)")
        }
        for (stage, url) in encoders.files { try model.loadWeights(from: url, components: stage.components(of: LGMCLModel<Scalar>.self)) }
        let stages = encoders.files.map(\.stage)
        if world.isRoot, stages.count == 1 || stages.contains(.graphSelf) {
            let components = stages.flatMap { $0.components(of: LGMCLModel<Scalar>.self).map(\.rawValue) }
            logger.info("--pretrained \(pretrained): only \(components.joined(separator: ", ")) pretrained (\(stages.map { "\($0.rawValue).safetensors" }.joined(separator: ", "))); the other encoders start from scratch")
        }
    }
}
