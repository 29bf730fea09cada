import Distributed
import Foundation

/// Which contrastive objective pretraining optimises.
public enum PretrainStage: String, Codable, CaseIterable, Sendable {
    /// Local (AttentiveFP) against global (graph transformer) views of each molecule.
    case graph
    /// SMILES against description, through the shared DeBERTa encoder.
    case text
    /// Both losses, weighted, in one pass (beyond the paper).
    case joint

    /// The model components this stage trains.
    var components: [LGMCLModel<Float>.Component] {
        switch self {
        case .graph: return [.local, .global, .graphProjection]
        case .text: return [.text, .textProjection]
        case .joint: return [.local, .global, .graphProjection, .text, .textProjection]
        }
    }

    /// The parameters this stage trains, in state-dict order: the order in which their gradients
    /// are bucketed and summed across ranks.
    public func trainedParameters<S>(of model: LGMCLModel<S>) -> [(name: String, parameter: Parameter<S>)] {
        model.stateDict().filter { entry in components.contains { $0.owns(entry.name) } }
    }
}

/// Everything a pretraining run is, as written into its run directory.
public struct PretrainSettings: Codable, Sendable {
    public var stage: PretrainStage = .graph
    public var data: String
    public var output: String
    public var model: ModelConfiguration
    /// Stop after this many epochs, or after `maxSteps` steps, whichever comes first.
    public var epochs: Int?
    public var maxSteps: Int?
    /// Molecules per step over all ranks (each rank takes globalBatchSize / ranks).
    public var globalBatchSize = 128
    public var learningRate = 1e-4
    /// PyTorch Adam's weight_decay: L2 added to the gradient (the authors' setting).
    public var weightDecay = 1e-3
    public var temperature = 0.1
    /// (graph, text) loss weights of the joint stage.
    public var lossWeights = [1.0, 1.0]
    public var seed: UInt64 = 0
    public var checkpointEvery = 500
    public var resume = false
    public var saveGradients: String?
    public var collectiveTimeout = 600.0
    public var deterministic = false
    public var bucketMiB = GradientBucketSize.defaultMiB
    /// Molecules at the end of the file kept out of training for the retrieval metric.
    public var heldOut = 256
    public var logInterval = 10.0
    /// A throughput benchmark: no checkpoints, metrics, held-out evaluation or final weights,
    /// and the first `warmupSteps` steps are left out of the timings.
    public var isBenchmark = false
    public var warmupSteps = 0
    public var maxSMILESTokens: Int?
    public var maxDescriptionTokens: Int?

    public init(data: String, output: String, model: ModelConfiguration) {
        self.data = data
        self.output = output
        self.model = model
    }
}

public struct PretrainError: Error, CustomStringConvertible {
    public let description: String
}

/// What a finished run reports (rank 0 prints it; `benchmark throughput` prints it as JSON).
public struct PretrainSummary: Codable, Sendable {
    public var steps: Int
    public var molecules: Int
    public var seconds: Double
    public var finalLoss: Double
    public var ranks: Int
    public var globalBatchSize: Int
    public var stoppedBySignal: Bool
    /// Seconds per phase, averaged over ranks.
    public var phaseSeconds: [String: Double]
    /// Seconds per phase on each rank, indexed by rank.
    public var phaseSecondsByRank: [[String: Double]]
    /// CPU seconds (all threads) each rank used over the same interval as `seconds`.
    public var cpuSecondsByRank: [Double]
    public var moleculesPerSecond: Double { seconds > 0 ? Double(molecules) / seconds : 0 }
    public var stepSeconds: Double { steps > 0 ? seconds / Double(steps) : 0 }
}

/// Data-parallel contrastive pretraining (docs/design.md, The method: stages 1 and 2; issue: distributed pretraining).
///
/// Every rank holds a replica. Per step: this rank's share of the global batch → embeddings →
/// NT-Xent over the gathered global batch (its own anchors, all 2M candidates) → backward, whose
/// parameter gradients stream into buckets that are allreduced (SUM) while backward goes on →
/// Adam. N ranks compute the same loss and gradients as one rank with the whole batch.
public final class Pretrainer<Scalar: TensorScalar & MPIScalar> {
    let settings: PretrainSettings
    let world: Communicator
    let dataset: MoleculeDataset
    let model: LGMCLModel<Scalar>
    let trained: [(name: String, parameter: Parameter<Scalar>)]
    let optimizer: Adam<Scalar>
    /// The gradient allreduce; `benchmark throughput` also reads its bucket layout and times it alone.
    public let gradientSync: GradientSync<Scalar>
    let fault: Fault?
    /// The ranks' numerics, checked at start (NumericEnvironment.agree), grouped as checkpoint
    /// manifests record them.
    let numerics: [NumericEnvironment.Group]
    let runDirectory: URL
    let store: CheckpointStore
    var position = TrainingPosition(step: 0, epoch: 0, batchInEpoch: 0)
    var times = PhaseTimes()
    /// This rank's exposed allreduce wait in each timed step. Per step, the rank that finished
    /// backward last waits only for what backward did not hide; the others wait for it as well.
    public private(set) var allreduceWaitByStep: [Double] = []
    var log: (String) -> Void

    public init(settings: PretrainSettings, world: Communicator, log: @escaping (String) -> Void = { _ in }) throws {
        var settings = settings
        self.world = world
        self.log = log
        let n = world.size
        guard settings.globalBatchSize % n == 0 else {
            throw PretrainError(description: "--batch-size \(settings.globalBatchSize) is not divisible by \(n) ranks; use a multiple of \(n) (or --batch-size-per-rank)")
        }
        guard settings.globalBatchSize >= 2 else {
            throw PretrainError(description: "--batch-size must be at least 2: NT-Xent needs negatives")
        }
        dataset = try MoleculeDataset(path: settings.data)
        // The vocabulary belongs to the data: the token embedding is sized by it.
        if !dataset.vocabulary.isEmpty { settings.model.text.vocabularySize = dataset.vocabulary.count }
        self.settings = settings
        let trainable = dataset.count - min(settings.heldOut, dataset.count / 5)
        guard trainable >= settings.globalBatchSize else {
            throw PretrainError(description: "\(settings.data): \(trainable) training molecules, fewer than one global batch of \(settings.globalBatchSize)")
        }
        runDirectory = URL(fileURLWithPath: settings.output)
        store = CheckpointStore(runDirectory: runDirectory.appendingPathComponent("runs/\(settings.stage.rawValue)"))
        fault = try Fault.fromEnvironment()
        numerics = NumericEnvironment.groups(try NumericEnvironment.agree(across: world, deterministic: settings.deterministic, log: log))

        Initialization.seed(settings.seed)
        model = LGMCLModel<Scalar>(settings.model)
        trained = settings.stage.trainedParameters(of: model)
        optimizer = Adam(trained, AdamConfiguration(learningRate: settings.learningRate, weightDecay: settings.weightDecay))
        gradientSync = GradientSync(world: world, trained: trained, bucketMiB: settings.bucketMiB, deterministic: settings.deterministic)
        try gradientSync.agree(on: model.stateDict())
    }

    // MARK: Running

    // Callers in other modules instantiate the trainer generically, and generic code from another
    // module runs unspecialized: every tensor op's inner loop would go through per-element witness
    // calls. These entry points are specialized here, and everything they call with them.
    @_specialize(where Scalar == Float)
    @_specialize(where Scalar == Double)
    public func run() throws -> PretrainSummary {
        let fm = FileManager.default
        if world.isRoot { try fm.createDirectory(at: runDirectory, withIntermediateDirectories: true) }
        try world.barrier()
        if settings.resume { try resume() }

        let watchdog = try Watchdog(directory: runDirectory.appendingPathComponent("heartbeats"), rank: world.rank,
                                    size: world.size, timeout: settings.collectiveTimeout)
        watchdog.start()
        defer { watchdog.stop() }
        StopRequest.install()

        let metrics = world.isRoot && !settings.isBenchmark ? try MetricsLog(url: runDirectory.appendingPathComponent("metrics-\(settings.stage.rawValue).jsonl"), append: settings.resume) : nil
        let order = dataset.epochOrder()
        let heldOutCount = min(settings.heldOut, dataset.count / 5)
        let training = Array(0 ..< dataset.count - heldOutCount)
        let heldOut = Array(dataset.count - heldOutCount ..< dataset.count)
        let stepsPerEpoch = (dataset.count - heldOutCount) / settings.globalBatchSize
        let lastStep = min(settings.maxSteps ?? Int.max, settings.epochs.map { $0 * stepsPerEpoch } ?? Int.max)
        guard lastStep < Int.max else { throw PretrainError(description: "give --epochs or --max-steps") }
        var progress = ProgressReporter(label: "pretrain \(settings.stage.rawValue)", total: lastStep, interval: settings.logInterval)
        let options = batchOptions()

        var started = monotonicSeconds()
        var cpuStarted = processCPUSeconds()
        var startStep = position.step
        let timingFrom = startStep + settings.warmupSteps
        var lastLoss = Double.nan
        var stoppedBySignal = false
        training: while position.step < lastStep {
            let plan = try ShardPlan.training(order, subset: training, seed: settings.seed, epoch: position.epoch,
                                              globalBatchSize: settings.globalBatchSize, rank: world.rank, rankCount: world.size)
            let reader = BatchReader(dataset: dataset, plan: plan, options: options, firstBatch: position.batchInEpoch)
            while position.step < lastStep {
                watchdog.enter("data", step: position.step + 1)
                guard let batch = try times.measure(.data, { try reader.next() }) else { break }
                let losses = try step(batch, watchdog: watchdog)
                lastLoss = losses.total
                position.step += 1
                position.batchInEpoch += 1
                watchdog.stepCompleted(position.step)
                if position.step == timingFrom, settings.warmupSteps > 0 {
                    times = PhaseTimes()
                    allreduceWaitByStep.removeAll()
                    started = monotonicSeconds()
                    cpuStarted = processCPUSeconds()
                    startStep = position.step
                }
                let elapsed = monotonicSeconds() - started
                let rate = Double((position.step - startStep) * settings.globalBatchSize) / max(elapsed, 1e-9)
                if let metrics {
                    var fields = ["step": Double(position.step), "epoch": Double(position.epoch), "loss": losses.total,
                                  "molecules_per_second": rate, "seconds": elapsed]
                    if let g = losses.graph { fields["graph_loss"] = g }
                    if let t = losses.text { fields["text_loss"] = t }
                    metrics.write(fields, event: "step")
                }
                if world.isRoot, !settings.isBenchmark {
                    progress.update(position.step, unit: "steps",
                                    detail: String(format: "epoch %d loss %.4f %.1f mol/s", position.epoch, losses.total, rate))
                }
                let stop = losses.stopRequested
                if !settings.isBenchmark, stop || position.step % settings.checkpointEvery == 0 {
                    try times.measure(.checkpoint) { try saveCheckpoint() }
                }
                if stop {
                    stoppedBySignal = true
                    if world.isRoot { log("stop signal received: checkpoint written at step \(position.step); resume with --resume") }
                    break training
                }
            }
            if position.batchInEpoch >= plan.batchCount {
                let accuracy = settings.isBenchmark ? nil : try times.measure(.evaluation) { try retrieval(heldOut) }
                if let metrics, let accuracy {
                    metrics.write(["epoch": Double(position.epoch), "step": Double(position.step),
                                   "retrieval_top1": accuracy.top1, "retrieval_top5": accuracy.top5,
                                   "retrieval_count": Double(accuracy.count)], event: "epoch")
                }
                if world.isRoot, let accuracy {
                    log(String(format: "epoch %d done: held-out retrieval top-1 %.3f, top-5 %.3f (%d molecules; chance %.3f / %.3f)",
                               position.epoch, accuracy.top1, accuracy.top5, accuracy.count,
                               1 / Double(accuracy.count), min(1, 5 / Double(accuracy.count))))
                }
                position.epoch += 1
                position.batchInEpoch = 0
            }
        }
        if !settings.isBenchmark {
            let hash = try gradientSync.checkReplicas(model.stateDict(), step: position.step)
            if world.isRoot { log("replicas: the same weights on all \(world.size) ranks at step \(position.step) (sha256 \(hash))") }
        }
        if !settings.isBenchmark, !stoppedBySignal {
            try times.measure(.checkpoint) { try saveCheckpoint() }
            try saveFinalWeights()
        }
        // The slowest rank's time: the job is done when every rank is.
        let seconds = try world.allreduce(monotonicSeconds() - started, op: .max)
        let cpuSeconds = try world.allgather([processCPUSeconds() - cpuStarted])
        let gathered = try world.allgather(times.vector)
        let phases = PhaseTimes.Phase.allCases
        let byRank = (0 ..< world.size).map { r in
            Dictionary(uniqueKeysWithValues: phases.enumerated().map { i, phase in (phase.rawValue, gathered[r * phases.count + i]) })
        }
        var phaseSeconds: [String: Double] = [:]
        for phase in phases {
            phaseSeconds[phase.rawValue] = byRank.map { $0[phase.rawValue] ?? 0 }.reduce(0, +) / Double(world.size)
        }
        if world.isRoot {
            log("time per rank (seconds and share of the rank's total):\n" + PhaseTimes.table(gathered: gathered, ranks: world.size))
        }
        return PretrainSummary(steps: position.step - startStep, molecules: (position.step - startStep) * settings.globalBatchSize,
                               seconds: seconds, finalLoss: lastLoss, ranks: world.size,
                               globalBatchSize: settings.globalBatchSize, stoppedBySignal: stoppedBySignal,
                               phaseSeconds: phaseSeconds, phaseSecondsByRank: byRank, cpuSecondsByRank: cpuSeconds)
    }

    struct StepLosses {
        var total: Double
        /// Some rank received SIGTERM/SIGUSR1: every rank stops after this step.
        var stopRequested: Bool
        var graph: Double?
        var text: Double?
    }

    /// One optimisation step on this rank's share of a global batch.
    func step(_ batch: MoleculeBatch, watchdog: Watchdog) throws -> StepLosses {
        let stepNumber = position.step + 1
        let stream = RandomStream(seed: settings.seed, step: UInt64(stepNumber))
        watchdog.enter("forward", step: stepNumber)
        var poisoned = false
        if let fault { poisoned = fault.fire(rank: world.rank, size: world.size, step: stepNumber, phase: "step") }
        let (loss, shares) = try times.measure(.forward) { () throws -> (Tensor<Scalar>, [Scalar]) in
            var terms: [Tensor<Scalar>] = []
            var shares: [Scalar] = []
            let weights = settings.stage == .joint ? settings.lossWeights : [1, 1]
            if settings.stage != .text {
                let g = model.graphEmbeddings(GraphInput(batch), stream)
                // A phase of its own: ranks blocked in the gather then have fresher heartbeats
                // than a rank that never arrived, which the watchdog's report singles out.
                watchdog.enter("graph loss (all-gather)", step: stepNumber)
                let l = try globalBatchNTXent(g.local, g.global, temperature: Scalar(settings.temperature), world: world)
                terms.append(l * Scalar(weights[0]))
                shares.append(l.item())
            }
            if settings.stage != .graph {
                let t = model.textEmbeddings(smiles: TokenInput(batch.smilesTokens, molecules: batch.moleculeIndices),
                                             descriptions: TokenInput(batch.descriptionTokens, molecules: batch.moleculeIndices),
                                             stream)
                watchdog.enter("text loss (all-gather)", step: stepNumber)
                let l = try globalBatchNTXent(t.smiles, t.description, temperature: Scalar(settings.temperature), world: world)
                terms.append(l * Scalar(weights[1]))
                shares.append(l.item())
            }
            var total = terms.count == 1 ? terms[0] : terms[0] + terms[1]
            if poisoned { total = total * Scalar.nan }
            return (total, shares + [total.item()])
        }

        watchdog.enter("backward", step: stepNumber)
        try times.measure(.backward) { try gradientSync.backward(loss) }
        watchdog.enter("allreduce", step: stepNumber)
        let waited = try gradientSync.finish()
        times.add(.allreduceWait, waited)
        allreduceWaitByStep.append(waited)
        // Losses are reported as the global value: the sum of every rank's share. The same
        // allreduce carries the ranks' stop requests (a signal may reach ranks at different
        // steps), so a step has one small blocking collective, not two.
        watchdog.enter("loss allreduce", step: stepNumber)
        var totals = shares.map { Double($0) } + [StopRequest.receivedSignal == nil ? 0 : 1]
        try times.measure(.lossAllreduce) { try world.allreduce(&totals) }
        let stopRequested = totals.removeLast() > 0
        guard totals.allSatisfy(\.isFinite) else {
            throw PretrainError(description: "the loss became \(totals.last!) at step \(stepNumber) (epoch \(position.epoch)); stopping. The last good checkpoint is kept in \(store.directory.path); lower --lr or check the data")
        }
        if stepNumber == 1, let path = settings.saveGradients {
            try saveGradients(to: path)
        }

        watchdog.enter("optimizer", step: stepNumber)
        times.measure(.optimizer) {
            optimizer.step()
            optimizer.zeroGradients()
        }
        var losses = StepLosses(total: totals.last!, stopRequested: stopRequested)
        switch settings.stage {
        case .graph: losses.graph = totals[0]
        case .text: losses.text = totals[0]
        case .joint:
            losses.graph = totals[0]
            losses.text = totals[1]
        }
        return losses
    }

    func batchOptions() -> BatchOptions {
        BatchOptions(maxSMILESTokens: settings.maxSMILESTokens ?? settings.model.text.maxSMILESTokens,
                     maxDescriptionTokens: settings.maxDescriptionTokens ?? settings.model.text.maxDescriptionTokens)
    }

    // MARK: Evaluation

    /// Cross-view retrieval on the held-out molecules (no dropout, no gradients), computed by
    /// rank 0 from every rank's share.
    func retrieval(_ heldOut: [Int]) throws -> RetrievalAccuracy? {
        guard heldOut.count >= 2 else { return nil }
        let batch = max(world.size, min(settings.globalBatchSize, heldOut.count) / world.size * world.size)
        let dimension = settings.stage == .text ? settings.model.textProjection.output : settings.model.graphProjection.output
        let pass = InferencePass(dataset: dataset, options: batchOptions(), globalBatchSize: batch, molecules: heldOut)
        let values: [Float]? = try pass.run(world: world, width: 2 * dimension) { molecules in
            let views: (Tensor<Scalar>, Tensor<Scalar>)
            if settings.stage == .text {
                let t = model.textEmbeddings(smiles: TokenInput(molecules.smilesTokens, molecules: molecules.moleculeIndices),
                                             descriptions: TokenInput(molecules.descriptionTokens, molecules: molecules.moleculeIndices))
                views = (t.smiles, t.description)
            } else {
                let g = model.graphEmbeddings(GraphInput(molecules))
                views = (g.local, g.global)
            }
            return concatenated([views.0, views.1], axis: 1).scalars.map { Float($0) }
        }
        guard let values else { return nil }
        var a: [Float] = [], b: [Float] = []
        for row in 0 ..< heldOut.count {
            a += values[(2 * row) * dimension ..< (2 * row + 1) * dimension]
            b += values[(2 * row + 1) * dimension ..< (2 * row + 2) * dimension]
        }
        return RetrievalAccuracy(a: a, b: b, count: heldOut.count, dimension: dimension)
    }

    // MARK: Checkpoints

    func manifest() -> CheckpointManifest {
        CheckpointManifest(stage: settings.stage.rawValue, preset: settings.model.preset,
                           vocabularySHA256: dataset.vocabularySHA256.isEmpty ? nil : dataset.vocabularySHA256,
                           ranks: world.size, globalBatch: settings.globalBatchSize, seed: settings.seed, position: position,
                           numerics: numerics)
    }

    func saveCheckpoint() throws {
        guard world.isRoot else { return }
        var weights = SafeTensors()
        weights.metadata = ["format": "pt", "preset": settings.model.preset]
        for (name, parameter) in model.stateDict() { weights.add(name, parameter.value.detached()) }
        var moments = SafeTensors()
        moments.metadata = ["step": String(optimizer.state.step)]
        let shapes = Dictionary(uniqueKeysWithValues: trained.map { ($0.name, $0.parameter.shape) })
        for (name, tensor) in optimizer.state.tensors(shapes: shapes) { moments.add(name, tensor) }
        let encoder = JSONEncoder.pretty
        let files: [(name: String, contents: Data)] = [
            ("model.safetensors", weights.encoded()),
            ("optimizer.safetensors", moments.encoded()),
            ("config.json", try encoder.encode(settings.model)),
            ("settings.json", try encoder.encode(settings)),
        ]
        let fault = self.fault
        let step = position.step
        try store.save(files, manifest: manifest()) {
            _ = fault?.fire(rank: 0, size: world.size, step: step, phase: "checkpoint")
        }
    }

    func resume() throws {
        var skipped: [String] = []
        guard let checkpoint = store.newest(skipped: { skipped.append($0) }) else {
            if world.isRoot { log("--resume: no checkpoint in \(store.directory.path) yet; starting from step 0") }
            return
        }
        if world.isRoot {
            for reason in skipped { log("--resume: skipping damaged checkpoint \(reason)") }
        }
        let m = checkpoint.manifest
        guard m.stage == settings.stage.rawValue else {
            throw PretrainError(description: "\(checkpoint.directory.path) is a '\(m.stage)' checkpoint, not '\(settings.stage.rawValue)'")
        }
        guard m.globalBatch == settings.globalBatchSize else {
            throw PretrainError(description: "\(checkpoint.directory.path) was trained with global batch \(m.globalBatch); resume with --batch-size \(m.globalBatch) (the data order depends on it)")
        }
        let weights = try SafeTensors.read(checkpoint.directory.appendingPathComponent("model.safetensors"))
        try model.loadStateDict(Dictionary(uniqueKeysWithValues: try weights.names.map { ($0, try weights.tensor($0, as: Scalar.self)) }))
        let moments = try SafeTensors.read(checkpoint.directory.appendingPathComponent("optimizer.safetensors"))
        var tensors: [String: Tensor<Scalar>] = [:]
        for name in moments.names { tensors[name] = try moments.tensor(name, as: Scalar.self) }
        optimizer.state = AdamState(step: Int(moments.metadata["step"] ?? "0") ?? 0, tensors: tensors)
        position = m.position
        if world.isRoot, let then = m.numerics, Set(then.map(\.canary)) != Set(numerics.map(\.canary)) {
            log("warning: --resume: \(checkpoint.directory.lastPathComponent) was written by ranks computing with "
                + then.map(\.computation).joined(separator: "; ") + ", these ranks compute with "
                + numerics.map(\.computation).joined(separator: "; ")
                + ": training continues correctly, but is no longer byte-identical to an uninterrupted run")
        }
        if world.isRoot {
            log("resumed from \(checkpoint.directory.lastPathComponent): step \(m.position.step), epoch \(m.position.epoch), batch \(m.position.batchInEpoch) (written by \(m.ranks) ranks, now \(world.size))")
        }
    }

    /// The encoders this stage trained, where fine-tuning's `--pretrained DIR` finds them.
    func saveFinalWeights() throws {
        guard world.isRoot else { return }
        var weights = SafeTensors()
        weights.metadata = ["format": "pt", "preset": settings.model.preset, "stage": settings.stage.rawValue]
        for (name, parameter) in trained { weights.add(name, parameter.value.detached()) }
        try AtomicDirectory.replaceFile(runDirectory.appendingPathComponent("\(settings.stage.rawValue).safetensors"), with: weights.encoded())
        let encoder = JSONEncoder.pretty
        try AtomicDirectory.replaceFile(runDirectory.appendingPathComponent("config.json"), with: try encoder.encode(settings.model))
        if settings.stage != .graph {
            try AtomicDirectory.replaceFile(runDirectory.appendingPathComponent("vocab.txt"),
                                            with: Data((dataset.vocabulary.joined(separator: "\n") + "\n").utf8))
        }
    }

    /// The reduced (global) gradients of the first step, for equivalence checks across rank counts.
    func saveGradients(to path: String) throws {
        guard world.isRoot else { return }
        var file = SafeTensors()
        file.metadata = ["ranks": String(world.size), "global_batch": String(settings.globalBatchSize)]
        for (name, parameter) in trained { file.add(name, parameter.gradient.detached()) }
        try AtomicDirectory.replaceFile(URL(fileURLWithPath: path), with: file.encoded())
    }
}

extension GraphInput {
    /// The packed graph of a data batch.
    public init(_ batch: MoleculeBatch) {
        self.init(atomFeatures: batch.atomFeatures, edgeIndex: batch.edgeIndex, bondFeatures: batch.bondFeatures,
                  atomOffsets: batch.atomOffsets.map(Int.init), moleculeIndices: batch.moleculeIndices)
    }
}

extension TokenInput {
    public init(_ tokens: TokenMatrix, molecules: [Int]) {
        self.init(ids: tokens.ids, mask: tokens.mask, rows: tokens.rows, length: tokens.length, moleculeIndices: molecules)
    }
}
