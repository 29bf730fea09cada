import ArgumentParser
import Distributed
import Foundation
import LGMCL
import Logging

/// Options shared by `pretrain` and `benchmark throughput`.
struct PretrainOptions: ParsableArguments {
    @Option(help: "Dataset written by `lgmcl-dist preprocess` (HDF5, schema v1).")
    var data: String

    @Option(help: "Contrastive objective: graph (local vs global encoder), text (SMILES vs description), joint (both, weighted), or graph-self (a positive control beyond the paper: the local encoder against itself under two graph views; needs --mask-atoms, --delete-bonds or --remove-subgraph; writes graph-self.safetensors).")
    var stage: PretrainStage = .graph

    @OptionGroup var model: ModelOptions

    @Option(help: "Global batch: molecules per step over all ranks (divided evenly across ranks).")
    var batchSize: Int?

    @Option(help: "Molecules per step on each rank (the global batch is this times the rank count).")
    var batchSizePerRank: Int?

    @Option(name: .customLong("lr"), help: "Adam learning rate.")
    var learningRate = 1e-4

    @Option(help: "Adam weight decay (L2 added to the gradient, PyTorch's Adam semantics).")
    var weightDecay = 1e-3

    @Option(help: "Learning rate over the run: constant (the paper's) or cosine (decay to 0 at the last step, as --max-steps/--epochs set it; a resumed run must keep them).")
    var lrSchedule: LearningRateScheduleKind = .constant

    @Option(help: "Steps of linear warm-up from 0 to --lr before the schedule.")
    var lrWarmup = 0

    @Option(help: "Graph views (beyond the paper): the fraction of atoms whose features are zeroed in training, one value for both encoders or LOCAL,GLOBAL (MolCLR uses 0.25).")
    var maskAtoms = "0"

    @Option(help: "Graph views: the fraction of bonds deleted in training, one value or LOCAL,GLOBAL (MolCLR uses 0.25).")
    var deleteBonds = "0"

    @Option(help: "Graph views: the fraction of each molecule's atoms removed as one connected subgraph (features zeroed, their bonds deleted), one value or LOCAL,GLOBAL (MolCLR uses 0.25).")
    var removeSubgraph = "0"

    @Option(help: "NT-Xent temperature τ.")
    var temperature = 0.1

    @Option(help: "Weights of the graph and text losses in the joint stage, e.g. 1,0.5.")
    var lossWeights = "1,1"

    @Option(help: "Seed of weight initialisation, data order and dropout.")
    var seed: UInt64 = 0

    @Option(help: "Molecules at the end of the dataset held out of training for the retrieval metric.")
    var heldOut = 256

    @Option(help: "Molecules at the end of the dataset held out of training on which alignment, uniformity and effective rank are measured (before the first step, at each checkpoint and epoch end; into the metrics log and diagnostics-STAGE.svg). At most a fifth of the dataset; 0 turns them off.")
    var diagnostics = 2000

    @OptionGroup var dataParallel: DataParallelOptions

    func validate() throws {
        try validateInput(data, flag: "--data")
        if batchSize != nil, batchSizePerRank != nil {
            throw ValidationError("give --batch-size (global) or --batch-size-per-rank, not both")
        }
        if let b = batchSize ?? batchSizePerRank, b < 1 { throw ValidationError("batch sizes must be positive") }
        if parsedLossWeights == nil { throw ValidationError("--loss-weights takes two numbers, e.g. 1,0.5") }
        if temperature <= 0 { throw ValidationError("--temperature must be positive") }
        if lrWarmup < 0 { throw ValidationError("--lr-warmup must be zero or positive") }
        for (flag, text) in [("--mask-atoms", maskAtoms), ("--delete-bonds", deleteBonds), ("--remove-subgraph", removeSubgraph)]
        where Self.perView(text) == nil {
            throw ValidationError("\(flag) takes a fraction in [0, 1) or two, LOCAL,GLOBAL: '\(text)'")
        }
        if heldOut < 0 || diagnostics < 0 { throw ValidationError("--held-out and --diagnostics take a number of molecules (0 or more)") }
    }

    /// One fraction for both views, or one per view.
    static func perView(_ text: String) -> [Double]? {
        let values = text.split(separator: ",").compactMap { Double($0.trimmingCharacters(in: .whitespaces)) }
        guard values.count == text.split(separator: ",").count, values.allSatisfy({ $0 >= 0 && $0 < 1 }) else { return nil }
        switch values.count {
        case 1: return [values[0], values[0]]
        case 2: return values
        default: return nil
        }
    }

    var parsedLossWeights: [Double]? {
        let values = lossWeights.split(separator: ",").compactMap { Double($0.trimmingCharacters(in: .whitespaces)) }
        return values.count == 2 ? values : nil
    }

    func settings(output: String, ranks: Int) throws -> PretrainSettings {
        var settings = PretrainSettings(data: data, output: output, model: try model.configuration())
        settings.stage = stage
        settings.globalBatchSize = batchSizePerRank.map { $0 * ranks } ?? batchSize ?? 128
        settings.learningRate = learningRate
        settings.weightDecay = weightDecay
        settings.learningRateSchedule = lrSchedule
        settings.learningRateWarmup = lrWarmup
        if let atoms = Self.perView(maskAtoms), let bonds = Self.perView(deleteBonds), let subgraphs = Self.perView(removeSubgraph) {
            settings.graphViews = (0 ..< 2).map {
                GraphAugmentation(atomMasking: atoms[$0], bondDeletion: bonds[$0], subgraphRemoval: subgraphs[$0])
            }
        }
        settings.temperature = temperature
        settings.lossWeights = parsedLossWeights ?? [1, 1]
        settings.seed = seed
        settings.heldOut = heldOut
        settings.diagnostics = diagnostics
        dataParallel.apply(to: &settings)
        return settings
    }
}

extension PretrainStage: ExpressibleByArgument {}
extension LearningRateScheduleKind: ExpressibleByArgument {}

struct Pretrain: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Contrastive pretraining of the encoders, data-parallel over MPI ranks.",
        discussion: paragraphs("""
            Every rank holds a model replica and reads its share of each global batch; embeddings
            are gathered so NT-Xent sees the negatives of the whole global batch, and gradients are
            summed across ranks while backward runs. N ranks train the same model as one rank
            with the same --batch-size.

              mpirun -np 4 lgmcl-dist pretrain --data corpus.h5 --output runs/pre --stage graph --epochs 5
              mpirun -np 4 lgmcl-dist pretrain --data corpus.h5 --output runs/pre --stage text --epochs 5

            Both stages may write into the same --output, which then serves fine-tuning as
            --pretrained. Checkpoints go to OUTPUT/runs/STAGE/checkpoints every --checkpoint-every
            steps, at the end, and on SIGTERM/SIGUSR1: the last completed step is written at
            once and the job exits 75 (EX_TEMPFAIL: stopped, not finished; cluster/lgmcl-launch
            requeues it). --resume continues from the newest complete checkpoint, also on another
            rank count.
            """))

    @OptionGroup var options: PretrainOptions

    @Option(help: "Run directory: checkpoints, metrics, final weights.")
    var output: String

    @Option(help: "Epochs to train (over the dataset minus the held-out molecules).")
    var epochs: Int?

    @Option(help: "Stop after this many steps in total (counting steps before a resume). 0 writes the initialised weights: a random-encoder baseline for `finetune --pretrained` or `embed --model`.")
    var maxSteps: Int?

    @Option(help: "Write a checkpoint every this many steps.")
    var checkpointEvery = 500

    @Option(help: "Labelled CSVs (a smiles column and label columns), comma-separated: a linear probe (ridge or L2-logistic, strength chosen on val, 3 scaffold splits) on the frozen encoders with the diagnostics, its test metric logged against the step. Featurized once into OUTPUT/probes/.")
    var probe: String?

    @Option(help: "Probe every this many steps (default: at every diagnostics pass); always before the first step and at the end.")
    var probeEvery: Int?

    @Flag(help: "Continue from the newest complete checkpoint in --output.")
    var resume = false

    @Option(help: "Write the reduced gradients of the first step to this safetensors file (equivalence checks).")
    var saveGradients: String?

    @Option(help: "Seconds between progress lines when the output is not a terminal.")
    var logInterval = 10.0

    func validate() throws {
        if epochs == nil, maxSteps == nil { throw ValidationError("give --epochs or --max-steps") }
        if let maxSteps, maxSteps < 0 { throw ValidationError("--max-steps must be zero or positive") }
        if checkpointEvery < 1 { throw ValidationError("--checkpoint-every must be positive") }
        if let probeEvery, probeEvery < 1 { throw ValidationError("--probe-every must be positive") }
        for csv in probeFiles where !FileManager.default.fileExists(atPath: csv) {
            throw ValidationError("--probe: \(csv) does not exist")
        }
    }

    var probeFiles: [String] {
        probe.map { $0.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty } } ?? []
    }

    func run() throws {
        Job.runWithStatus { world in
            RankLogHandler.bootstrap(rank: world.rank, size: world.size)
            var settings = try options.settings(output: output, ranks: world.size)
            settings.epochs = epochs
            settings.maxSteps = maxSteps
            settings.checkpointEvery = checkpointEvery
            settings.resume = resume
            settings.saveGradients = saveGradients
            settings.logInterval = logInterval
            settings.probes = probeFiles
            settings.probeEvery = probeEvery
            let summary = try runPretraining(settings, precision: options.dataParallel.precision, world: world)
            if summary.stoppedBySignal {
                // Not a success: the run is unfinished, and its last line says so and how to go on.
                if let stop = summary.stop { Logger(label: "lgmcl.pretrain").info("\(stop.line)") }
                return stoppedExitStatus
            }
            if world.isRoot {
                print(String(format: "pretrain %@: %d steps, %.1f molecules/s over %d ranks, final loss %.4f; output in %@",
                             settings.stage.rawValue, summary.steps, summary.moleculesPerSecond, summary.ranks,
                             summary.finalLoss, output))
            }
            return 0
        }
    }
}

/// EX_TEMPFAIL (sysexits.h): stopped by a signal with a checkpoint; run again with --resume.
/// cluster/lgmcl-launch and the Slurm script key their requeue on it.
let stoppedExitStatus: Int32 = 75

func runPretraining(_ settings: PretrainSettings, precision: Precision, world: Communicator) throws -> PretrainSummary {
    let logger = Logger(label: "lgmcl.pretrain")
    let faults = FaultHooks(try Fault.fromEnvironment(), rank: world.rank, size: world.size)
    switch precision {
    case .float32, .bf16Mixed: return try Pretrainer<Float>(settings: settings, world: world, faults: faults, logger: logger).run()
    case .float64: return try Pretrainer<Double>(settings: settings, world: world, faults: faults, logger: logger).run()
    }
}
