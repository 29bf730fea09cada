import Distributed
import Foundation

/// How the replicas of a data-parallel run train together; `pretrain` and `finetune` settings
/// both carry these (flat, as their JSON files have always spelled them).
public protocol DataParallelSettings {
    /// Gradient bucket size: each bucket's allreduce starts once backward has filled it.
    var bucketMiB: Double { get set }
    /// Sum gradients in rank order: bit-identical across hosts and launches, no overlap.
    var deterministic: Bool { get set }
    /// Seconds without a completed step before the watchdog ends the job.
    var collectiveTimeout: Double { get set }
    /// How matrix products round their operands (bfloat16: `--precision bf16-mixed`); nil: Float32.
    var matrixProducts: MatrixProducts? { get set }
}

extension PretrainSettings: DataParallelSettings {}
extension FinetuneSettings: DataParallelSettings {}

/// What a trainer's loss function returns for its rank's share of a global batch.
struct StepLoss<Scalar: TensorScalar> {
    /// The rank's share of the global mean loss: what backward differentiates.
    var total: Tensor<Scalar>
    /// Terms reported beside the total (the graph and text losses of a joint step).
    var terms: [Scalar] = []
}

/// A step's losses as every rank sees them: the sums of the ranks' shares.
struct StepOutcome {
    var total: Double
    var terms: [Double]
    /// The stop signal as the ranks agreed on it: SIGTERM when any rank got one, else SIGUSR1.
    var stopSignal: Int32?
    /// The step was computed but not applied (`skipsOptimizerOnStop`): the weights are still
    /// those of the step before.
    var applied = true
    /// Seconds this rank waited for gradient sums that backward did not hide.
    var allreduceWait: Double
    /// The learning rate the optimiser applied.
    var learningRate: Double
}

/// One optimisation step of a replica, the protocol every trainer follows (docs/design.md, Data
/// flow): the trainer's loss on this rank's share → backward, whose gradients stream into buckets
/// allreduced while backward goes on → the global loss and the ranks' stop requests in one small
/// allreduce → a finite check on every rank alike → the optimiser. Each phase is announced to the
/// watchdog and timed. N ranks take the step one rank would take with the whole global batch.
final class DataParallelStep<Scalar: TensorScalar & MPIScalar> {
    let world: Communicator
    let watchdog: Watchdog
    let sync: GradientSync<Scalar>
    let optimizer: Adam<Scalar>
    /// The run's seed: with the step number it keys every dropout mask of the step.
    let seed: UInt64
    let faults: FaultHooks
    /// Follows "stopping." when the loss stops being finite: where the user goes from there.
    let divergenceAdvice: String
    var times = PhaseTimes()
    /// On a stop request, leave the weights and Adam's state as they were before this step, so
    /// they still match the checkpoint rank 0 wrote of the last completed step the moment its
    /// signal came (Pretrainer); the resumed run takes this step again, with the same batch and
    /// random stream.
    var skipsOptimizerOnStop = false
    /// Held while the optimiser changes the weights (and while `commit` runs): a checkpoint
    /// written from another thread takes it to see one step's state whole.
    let stateLock = NSLock()
    /// The learning rate of each step (from its 0-based index); the optimiser's own when nil.
    var schedule: (any LearningRateSchedule)?

    /// Starts every replica from rank 0's weights (after checking that all ranks built the same
    /// parameters) and sets up the gradient buckets over `trained`, in their order.
    init(world: Communicator, watchdog: Watchdog, model: [(name: String, parameter: Parameter<Scalar>)],
         trained: [(name: String, parameter: Parameter<Scalar>)], optimizer: Adam<Scalar>,
         settings: some DataParallelSettings, seed: UInt64, faults: FaultHooks, divergenceAdvice: String) throws {
        self.world = world
        self.watchdog = watchdog
        self.optimizer = optimizer
        self.seed = seed
        self.faults = faults
        self.divergenceAdvice = divergenceAdvice
        sync = GradientSync(world: world, trained: trained, bucketMiB: settings.bucketMiB, deterministic: settings.deterministic)
        try sync.agree(on: model)
    }

    /// The parameters the step trains, in the order their gradients are bucketed.
    var trained: [(name: String, parameter: Parameter<Scalar>)] { sync.trained }

    /// The next batch of `reader`, or nil at the end of its epoch.
    func nextBatch(_ reader: BatchReader, step number: Int) throws -> MoleculeBatch? {
        watchdog.enter("data", step: number)
        return try times.measure(.data) { try reader.next() }
    }

    /// Step `number` (from 1): `loss` builds the forward pass with the step's random stream.
    /// `inspect` sees the summed gradients before the optimiser applies them.
    /// `commit` runs right after the optimiser, under `stateLock` (the caller's position moves
    /// there, in step with the weights).
    func callAsFunction(_ number: Int, inspect: (() throws -> Void)? = nil, commit: () -> Void = {},
                        loss: (_ stream: RandomStream) throws -> StepLoss<Scalar>) throws -> StepOutcome {
        watchdog.enter("forward", step: number)
        let poisoned = faults.beforeForward(number)
        let computed = try times.measure(.forward) { () throws -> StepLoss<Scalar> in
            var computed = try loss(RandomStream(seed: seed, step: UInt64(number)))
            if poisoned { computed.total = computed.total * Scalar.nan }
            return computed
        }
        watchdog.enter("backward", step: number)
        try times.measure(.backward) { try sync.backward(computed.total) }
        watchdog.enter("allreduce", step: number)
        let waited = try sync.finish()
        times.add(.allreduceWait, waited)

        // The same allreduce carries the ranks' stop requests (a signal may reach ranks at
        // different steps), so a step has one small blocking collective, not two.
        watchdog.enter("loss allreduce", step: number)
        // Two counts, of ranks that got SIGTERM and of ranks that got SIGUSR1: the launcher
        // requeues after a USR1 stop only, so which one came matters.
        let signal = StopRequest.receivedSignal
        var sums = computed.terms.map { Double($0) } + [Double(computed.total.item()),
                                                         signal == SIGTERM ? 1 : 0, signal == SIGUSR1 ? 1 : 0]
        try times.measure(.lossAllreduce) { try world.allreduce(&sums) }
        let usr1 = sums.removeLast(), term = sums.removeLast()
        let stopSignal: Int32? = term > 0 ? SIGTERM : usr1 > 0 ? SIGUSR1 : nil
        let total = sums.removeLast()
        guard total.isFinite, sums.allSatisfy(\.isFinite) else {
            throw TrainingError(description: "the loss became \(total) at step \(number); stopping. \(divergenceAdvice)")
        }
        let learningRate = schedule?(number - 1) ?? optimizer.configuration.learningRate
        if stopSignal != nil, skipsOptimizerOnStop {
            optimizer.zeroGradients()
            return StepOutcome(total: total, terms: sums, stopSignal: stopSignal, applied: false,
                               allreduceWait: waited, learningRate: learningRate)
        }
        try inspect?()

        watchdog.enter("optimizer", step: number)
        times.measure(.optimizer) {
            stateLock.withLock {
                optimizer.step(learningRate: learningRate)
                commit()
            }
            optimizer.zeroGradients()
        }
        return StepOutcome(total: total, terms: sums, stopSignal: stopSignal, allreduceWait: waited, learningRate: learningRate)
    }
}

/// The global batch is split evenly: every rank takes the same share of every step.
func checkGlobalBatch(_ size: Int, ranks: Int, perRankOption: Bool = false) throws {
    guard size % ranks == 0 else {
        throw TrainingError(description: "--batch-size \(size) is not divisible by \(ranks) ranks; use a multiple of \(ranks)"
                                + (perRankOption ? " (or --batch-size-per-rank)" : ""))
    }
}

/// A run that cannot go on (a diverged loss, an inconsistent setting found while training).
public struct TrainingError: Error, CustomStringConvertible {
    public let description: String
}

/// Where tests break a run on purpose, injected into the trainers rather than woven into them.
/// `LGMCL_FAULT` (Distributed's `Fault`) configures them for the command-line tool.
public struct FaultHooks: Sendable {
    /// Before step n's forward pass; true poisons that step's loss with NaN.
    public var beforeForward: @Sendable (_ step: Int) -> Bool = { _ in false }
    /// While a checkpoint of step n is written: its files are on disk, its manifest is not.
    public var whileCheckpointing: @Sendable (_ step: Int) -> Void = { _ in }

    public init() {}

    /// The hooks that fire `fault` on its rank, step and phase ("step" or "checkpoint").
    public init(_ fault: Fault?, rank: Int, size: Int) {
        guard let fault else { return }
        beforeForward = { fault.fire(rank: rank, size: size, step: $0, phase: "step") }
        whileCheckpointing = { _ = fault.fire(rank: 0, size: size, step: $0, phase: "checkpoint") }
    }
}
