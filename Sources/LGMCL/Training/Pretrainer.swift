import Distributed
import Foundation
import Logging

/// Data-parallel contrastive pretraining (docs/design.md, The method: stages 1 and 2).
///
/// Every rank holds a replica. Per step: this rank's share of the global batch → embeddings →
/// NT-Xent over the gathered global batch (its own anchors, all 2M candidates) → the shared
/// data-parallel step (DataParallelStep). N ranks compute the same loss and gradients as one rank
/// with the whole batch.
public final class Pretrainer<Scalar: TensorScalar & MPIScalar> {
    let settings: PretrainSettings
    let world: Communicator
    let dataset: MoleculeDataset
    let directory: RunDirectory
    let model: LGMCLModel<Scalar>
    let trained: [(name: String, parameter: Parameter<Scalar>)]
    let watchdog: Watchdog
    let step: DataParallelStep<Scalar>
    let faults: FaultHooks
    /// The ranks' numerics, checked at start (NumericEnvironment.agree), grouped as checkpoint
    /// manifests record them.
    let numerics: [NumericEnvironment.Group]
    let store: CheckpointStore
    /// Molecules trained on, and those at the end of the file kept for the retrieval metric and
    /// the diagnostics (the larger of the two tails is left out of training).
    let trainingMolecules: [Int]
    let heldOutMolecules: [Int]
    let diagnosticMolecules: [Int]
    /// The step the diagnostics last measured: an epoch's end and a checkpoint can coincide.
    var diagnosedStep: Int?
    var probedStep: Int?
    var probe: OnlineProbe?
    var position = TrainingPosition(step: 0, epoch: 0, batchInEpoch: 0)
    /// The stop path's state (Pretrainer+Stop.swift), guarded by the step's stateLock: the newest
    /// step with a checkpoint on disk, whether training is over, and the report once stopped.
    var checkpointedStep = 0
    var trainingEnded = false
    var stopReport: StopReport?
    let logger: Logger
    /// Called on every rank after each completed step: the one hook for a caller that watches
    /// training from outside (`benchmark throughput` times the steps with it).
    public var stepObserver: ((CompletedStep) -> Void)?

    /// The gradient allreduce; `benchmark throughput` also reads its bucket layout and times it alone.
    public var gradientSync: GradientSync<Scalar> { step.sync }

    public init(settings: PretrainSettings, world: Communicator, faults: FaultHooks = FaultHooks(),
                logger: Logger = .silent) throws {
        try checkGlobalBatch(settings.globalBatchSize, ranks: world.size, perRankOption: true)
        guard settings.globalBatchSize >= 2 else {
            throw PretrainError(description: "--batch-size must be at least 2: NT-Xent needs negatives")
        }
        guard settings.stage != .graphSelf || !settings.graphViews.allSatisfy(\.isIdentity) else {
            throw PretrainError(description: "--stage graph-self compares two views of each graph: give --mask-atoms, --delete-bonds or --remove-subgraph (MolCLR uses 0.25 each)")
        }
        dataset = try MoleculeDataset(path: settings.data)
        var settings = settings
        settings.model.adopt(dataset, tasks: false)
        self.settings = settings
        self.world = world
        self.faults = faults
        self.logger = logger
        let molecules = dataset.count
        func tail(_ count: Int) -> [Int] { Array(molecules - min(count, molecules / 5) ..< molecules) }
        heldOutMolecules = tail(settings.heldOut)
        diagnosticMolecules = settings.diagnostics > 0 ? tail(settings.diagnostics) : []
        trainingMolecules = Array(0 ..< molecules - max(heldOutMolecules.count, diagnosticMolecules.count))
        guard trainingMolecules.count >= settings.globalBatchSize else {
            throw PretrainError(description: "\(settings.data): \(trainingMolecules.count) training molecules, fewer than one global batch of \(settings.globalBatchSize)")
        }
        directory = RunDirectory(path: settings.output)
        store = CheckpointStore(runDirectory: directory.checkpoints(stage: settings.stage.rawValue))
        // In the run's products, so that a checkpoint records them with its numerics.
        numerics = NumericEnvironment.groups(try (settings.matrixProducts ?? .float32).use {
            try NumericEnvironment.agree(across: world, deterministic: settings.deterministic, logger: logger)
        })

        Initialization.seed(settings.seed)
        model = LGMCLModel<Scalar>(settings.model)
        trained = settings.stage.trainedParameters(of: model)
        watchdog = try directory.watchdog(world: world, timeout: settings.collectiveTimeout)
        step = try DataParallelStep(
            world: world, watchdog: watchdog, model: model.stateDict(), trained: trained,
            optimizer: Adam(trained, AdamConfiguration(learningRate: settings.learningRate, weightDecay: settings.weightDecay)),
            settings: settings, seed: settings.seed, faults: faults,
            divergenceAdvice: "The last good checkpoint is kept in \(store.directory.path); lower --lr or check the data")
    }

    // Callers in other modules instantiate the trainer generically, and generic code from another
    // module runs unspecialized: every tensor op's inner loop would go through per-element witness
    // calls. These entry points are specialized here, and everything they call with them.
    @_specialize(where Scalar == Float)
    @_specialize(where Scalar == Double)
    public func run() throws -> PretrainSummary {
        try (settings.matrixProducts ?? .float32).use { try train() }
    }

    @_specialize(where Scalar == Float)
    @_specialize(where Scalar == Double)
    private func train() throws -> PretrainSummary {
        try directory.create(world: world)
        if settings.resume { try resume() }
        checkpointedStep = position.step
        if world.isRoot { try? FileManager.default.removeItem(at: directory.stopReport) }
        if !settings.probes.isEmpty {
            probe = try OnlineProbe(csvs: settings.probes, directory: directory.probes, vocabularySource: settings.data,
                                    options: batchOptions(), world: world, logger: logger)
        }
        watchdog.start()
        defer { watchdog.stop() }
        StopRequest.install()
        step.skipsOptimizerOnStop = true
        let metrics = world.isRoot
            ? try MetricsLog(url: directory.metricsLog(stage: settings.stage.rawValue), append: settings.resume) : nil
        // The untrained encoders' diagnostics: where every curve starts.
        if position.step == 0 { try diagnose(metrics: metrics) }
        let lastStep = try self.lastStep()
        if settings.learningRateSchedule == .cosine || settings.learningRateWarmup > 0 {
            // Constant after the warm-up: a cosine whose decay spans no steps.
            let end = settings.learningRateSchedule == .cosine ? max(lastStep, settings.learningRateWarmup) : settings.learningRateWarmup
            step.schedule = WarmupCosineSchedule(peak: settings.learningRate, warmupSteps: settings.learningRateWarmup, totalSteps: end)
        }
        var progress = ProgressReporter(label: "pretrain \(settings.stage.rawValue)", total: lastStep, interval: settings.logInterval,
                                        startingAt: position.step)
        watchForStop(lastStep: lastStep)
        let clock = RunClock(step: position.step)
        var lastLoss = Double.nan
        var stoppedBySignal = false

        let costs = world.size > 1 ? MoleculeCosts.of(dataset, configuration: model.configuration, encoders: settings.stage.components) : nil
        training: while position.step < lastStep {
            let plan = try ShardPlan.training(dataset.epochOrder(), subset: trainingMolecules, seed: settings.seed, epoch: position.epoch,
                                              globalBatchSize: settings.globalBatchSize, rank: world.rank, rankCount: world.size,
                                              costs: costs)
            let reader = BatchReader(dataset: dataset, plan: plan, options: batchOptions(), firstBatch: position.batchInEpoch)
            while position.step < lastStep, let batch = try step.nextBatch(reader, step: position.step + 1) {
                let outcome = try step(position.step + 1, inspect: gradientsInspection(step: position.step + 1),
                                       commit: { position.step += 1; position.batchInEpoch += 1 }) { stream in
                    try contrastiveLoss(batch, stream: stream, step: position.step + 1)
                }
                if !outcome.applied, let signal = outcome.stopSignal {
                    // The step was dropped: every rank still holds step position.step's weights.
                    stoppedBySignal = true
                    if world.isRoot { try checkpointForStop(signal: signal, lastStep: lastStep) }
                    break training
                }
                watchdog.stepCompleted(position.step)
                lastLoss = outcome.total
                report(outcome, clock: clock, metrics: metrics, progress: &progress)
                stepObserver?(CompletedStep(step: position.step, loss: outcome.total, allreduceWait: outcome.allreduceWait,
                                            seconds: monotonicSeconds() - clock.started,
                                            cpuSeconds: processCPUSeconds() - clock.cpuStarted, times: step.times,
                                            usefulTextFLOPs: usefulTextFLOPs(batch)))
                if position.step % settings.checkpointEvery == 0 {
                    try step.times.measure(.checkpoint) {
                        // Under the lock: a stop signal's checkpoint may be written from another thread.
                        step.stateLock.lock()
                        defer { step.stateLock.unlock() }
                        try saveCheckpoint()
                        checkpointedStep = position.step
                    }
                    // Outside the lock: the diagnostics take a while and change no weight.
                    try diagnose(metrics: metrics)
                }
            }
            if position.batchInEpoch >= plan.batchCount {
                try diagnose(metrics: metrics)
                try endEpoch(metrics: metrics)
            }
        }
        if !stoppedBySignal {
            step.stateLock.lock()
            trainingEnded = true
            step.stateLock.unlock()
        }
        if !stoppedBySignal { try diagnose(metrics: metrics, final: true) }
        return try finish(clock: clock, lastLoss: lastLoss, stoppedBySignal: stoppedBySignal)
    }

    /// The contrastive loss of this rank's share of a global batch: NT-Xent between the two views
    /// of each molecule, against every other view in the global batch (gathered from all ranks).
    func contrastiveLoss(_ batch: MoleculeBatch, stream: RandomStream, step number: Int) throws -> StepLoss<Scalar> {
        let inputs = ModelInputs(batch)
        let temperature = Scalar(settings.temperature)
        let weights = settings.stage == .joint ? settings.lossWeights : [1, 1]
        var terms: [Tensor<Scalar>] = []
        var reported: [Scalar] = []
        if settings.stage == .graphSelf {
            let views = trainingViews(inputs.graph, step: number)
            let e = model.localViewEmbeddings(views.0, views.1, stream)
            watchdog.enter("graph loss (all-gather)", step: number)
            let l = try globalBatchNTXent(e.first, e.second, temperature: temperature, world: world)
            return StepLoss(total: l, terms: [l.item()])
        }
        if settings.stage.alignsGraphEncoders {
            let g: GraphEmbeddings<Scalar>
            if settings.graphViews.allSatisfy(\.isIdentity) {
                g = model.graphEmbeddings(inputs, stream)
            } else {
                let views = trainingViews(inputs.graph, step: number)
                g = model.graphEmbeddings(local: views.0, global: views.1, stream)
            }
            // A phase of its own: ranks blocked in the gather then have fresher heartbeats than a
            // rank that never arrived, which the watchdog's report singles out.
            watchdog.enter("graph loss (all-gather)", step: number)
            let l = try globalBatchNTXent(g.local, g.global, temperature: temperature, world: world)
            terms.append(l * Scalar(weights[0]))
            reported.append(l.item())
        }
        if settings.stage.trainsText {
            let t = model.textEmbeddings(inputs, stream)
            watchdog.enter("text loss (all-gather)", step: number)
            let l = try globalBatchNTXent(t.smiles, t.description, temperature: temperature, world: world)
            terms.append(l * Scalar(weights[1]))
            reported.append(l.item())
        }
        return StepLoss(total: terms.count == 1 ? terms[0] : terms[0] + terms[1], terms: reported)
    }

    /// The two views of a batch's graphs that step `number` trains on (`settings.graphViews`).
    func trainingViews(_ graph: GraphInput, step number: Int) -> (GraphInput, GraphInput) {
        let views = settings.graphViews
        return (views[0].apply(to: graph, seed: settings.seed, step: number, view: 0),
                views[1].apply(to: graph, seed: settings.seed, step: number, view: 1))
    }

    /// The step after which training ends: --max-steps or --epochs, whichever comes first.
    func lastStep() throws -> Int {
        let stepsPerEpoch = trainingMolecules.count / settings.globalBatchSize
        let last = min(settings.maxSteps ?? Int.max, settings.epochs.map { $0 * stepsPerEpoch } ?? Int.max)
        guard last < Int.max else { throw PretrainError(description: "give --epochs or --max-steps") }
        return last
    }

    func batchOptions() -> BatchOptions {
        BatchOptions(maxSMILESTokens: settings.maxSMILESTokens ?? settings.model.text.maxSMILESTokens,
                     maxDescriptionTokens: settings.maxDescriptionTokens ?? settings.model.text.maxDescriptionTokens)
    }
}

extension Pretrainer {
    /// The text encoder's useful training FLOPs on `batch`: one pass over the SMILES, one over
    /// the descriptions.
    func usefulTextFLOPs(_ batch: MoleculeBatch) -> Double {
        guard settings.stage.trainsText else { return 0 }
        let text = settings.model.text
        return Double(text.usefulTrainingFLOPs(lengths: batch.smilesTokens.lengths.map(Int.init))
            + text.usefulTrainingFLOPs(lengths: batch.descriptionTokens.lengths.map(Int.init)))
    }
}

/// A completed step as `Pretrainer.stepObserver` sees it on one rank.
public struct CompletedStep: Sendable {
    public let step: Int
    /// The global batch's loss.
    public let loss: Double
    /// Seconds this rank waited for gradient sums that backward did not hide. The rank that
    /// finished backward last waits only for that; the others wait for it as well.
    public let allreduceWait: Double
    /// Since the run (or its resumption) started on this rank: wall and CPU seconds, and the
    /// time per phase.
    public let seconds: Double
    public let cpuSeconds: Double
    public let times: PhaseTimes
    /// What the text encoder had to compute for this rank's batch, forward and backward, in
    /// FLOPs as PyTorch's counter counts them on unpadded sequences (docs/benchmarks-pretrain.md,
    /// "Useful FLOPs"); 0 when the stage trains no text.
    public let usefulTextFLOPs: Double
}
