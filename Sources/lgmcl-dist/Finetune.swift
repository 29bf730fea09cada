import ArgumentParser
import Distributed
import Foundation
import LGMCL
import Logging

/// Options shared by `finetune` and `benchmark moleculenet`.
struct FinetuneOptions: ParsableArguments {
    @Option(help: "Where the molecules' text comes from: a column of the input (e.g. LLM-written descriptions) instead of descriptions generated from RDKit facts.")
    var descriptionColumn: String?

    @Option(help: "Pretraining output directory (config.json, graph.safetensors, text.safetensors, vocab.txt): the model is its configuration (no --preset needed), with the recipe, --fusion, --readout and --set on top. Without it the model trains from scratch.")
    var pretrained: String?

    @Option(help: "Seeds to run, e.g. 0,1,2: each trains one model (its initialisation, data order and dropout); the summary gives mean ± std.")
    var seeds = "0"

    @Option(help: "Epochs per seed; the epoch with the best validation score (--select-by) is kept.")
    var epochs = 50

    @Option(help: "The training recipe the flags below start from (docs/finetune.md, \"Recipes\"); each flag given overrides its one value. The default was chosen on the 50-epoch table's validation splits; paper is the LGM-CL paper's settings exactly.")
    var recipe: FinetuneRecipe = .default

    @Option(help: "Stop a seed after this many epochs without a better validation score; 0: never. Default: the recipe's.")
    var patience: Int?

    @Option(help: "What picks the epoch kept and drives --patience: metric (the paper's: validation ROC-AUC or RMSE) or loss (chemprop's: the training loss on the validation molecules). Default: the recipe's.")
    var selectBy: EpochSelection?

    @Option(help: "Global batch: molecules per step over all ranks (divided evenly across ranks). Default: the recipe's.")
    var batchSize: Int?

    @Option(name: .customLong("lr"), help: "Adam learning rate (the peak of a warm-up/decay schedule). Default: the recipe's.")
    var learningRate: Double?

    @Option(name: .customLong("encoder-lr"),
            help: "Adam learning rate of the encoders pretraining trains (AttentiveFP, graph transformer, DeBERTa), e.g. 1e-4 to tune pretrained encoders gently; 0 freezes them. Default: the recipe's (paper: --lr).")
    var encoderLearningRate: Double?

    @Option(help: "Adam weight decay (L2 added to the gradient, PyTorch's Adam semantics). Default: the recipe's.")
    var weightDecay: Double?

    @Option(help: "Score each epoch, and keep, an exponential moving average of the weights with this decay per step (e.g. 0.99; the first steps average faster, min(d, (1 + t)/(10 + t))) instead of the weights themselves; 0: the weights themselves. Default: the recipe's (paper: none).")
    var emaDecay: Double?

    @Option(help: "How the graph and text views reach the head: gated (the paper's: they only gate the fingerprint values), residual (beyond the paper: GF = G + CA(G, FP), TF = T + CA(T, FP)) or residual-fingerprints (residual, and the head reads the fingerprint vector FP beside GF and TF). Default: the recipe's, else the configuration's (gated for every preset).")
    var fusion: FusionMode?

    @Option(help: "How each graph encoder pools its atoms into the molecule vector: mean (the authors') or norm (beyond the paper: chemprop's sum over the atoms / 100, which counts repeated environments). Default: the recipe's, else the configuration's (mean for every preset).")
    var readout: GraphReadout?

    @OptionGroup var model: ModelOptions

    @OptionGroup var dataParallel: DataParallelOptions

    var parsedSeeds: [UInt64]? {
        let values = seeds.split(separator: ",").map { UInt64($0.trimmingCharacters(in: .whitespaces)) }
        return values.isEmpty || values.contains(nil) ? nil : values.map { $0! }
    }

    @Option(help: "Train on this fraction of each seed's training molecules (a low-label regime; a fixed subsample per seed, val and test unchanged), e.g. 0.1.")
    var trainFraction: Double?

    @Option(help: "The loss: standard (the paper's: masked binary cross-entropy, or squared error on standardized targets) or mve (regression beyond the paper: a mean–variance head trained by Gaussian negative log-likelihood; predict then writes the predicted variance as <task>_unc).")
    var loss: FinetuneLossKind = .standard

    @Option(help: "Learning rate over the run: constant (the paper's) or warmup-decay (chemprop's: linear from --init-lr to --lr over --warmup-epochs, then exponential decay to --final-lr at the last epoch). Default: the recipe's.")
    var lrSchedule: FinetuneScheduleKind?

    @Option(help: "warmup-decay: epochs of linear warm-up (default: the recipe's, else chemprop's \(FinetuneSchedule.chempropDefaults.warmupEpochs!)).")
    var warmupEpochs: Int?

    @Option(help: "warmup-decay: the learning rate of the first step (default: the recipe's, else chemprop's \(FinetuneSchedule.chempropDefaults.initialRate!)).")
    var initLr: Double?

    @Option(help: "warmup-decay: the learning rate of the last epoch (default: the recipe's, else chemprop's \(FinetuneSchedule.chempropDefaults.finalRate!)).")
    var finalLr: Double?

    func validate() throws {
        if parsedSeeds == nil { throw ValidationError("--seeds takes non-negative integers separated by commas, e.g. 0,1,2") }
        if epochs < 1 { throw ValidationError("--epochs must be at least 1") }
        if let learningRate, learningRate <= 0 { throw ValidationError("--lr must be positive") }
        if let encoderLearningRate, encoderLearningRate < 0 { throw ValidationError("--encoder-lr must be zero (frozen encoders) or positive") }
        if let emaDecay, !(emaDecay >= 0 && emaDecay < 1) { throw ValidationError("--ema-decay takes a decay in [0, 1), e.g. 0.99: \(emaDecay)") }
        if let batchSize, batchSize < 1 { throw ValidationError("--batch-size must be positive") }
        if let patience, patience < 0 { throw ValidationError("--patience takes 0 (never stop early) or more epochs") }
        if let trainFraction, !(trainFraction > 0 && trainFraction <= 1) {
            throw ValidationError("--train-fraction takes a fraction in (0, 1]: \(trainFraction)")
        }
        if let pretrained {
            try validateInput(pretrained, flag: "--pretrained")
            try model.validate(pretrained: pretrained)
        }
        if (warmupEpochs ?? 0) < 0 || (initLr ?? 1) <= 0 || (finalLr ?? 1) <= 0 {
            throw ValidationError("--warmup-epochs must be 0 or more, --init-lr and --final-lr positive")
        }
    }

    func settings(data: String, output: String) throws -> FinetuneSettings {
        // The recipe's fusion, readout and dropouts replace the preset's or the pretrained run's; a
        // --config file's, --set's, --fusion's and --readout's stand.
        var settings = FinetuneSettings(data: data, output: output,
                                        model: try model.configuration(pretrained: pretrained, adjusting: recipe.applyModelChoices))
        if let fusion { settings.model.fusion.mode = fusion }
        if let readout { settings.model.setGraphReadout(readout) }
        settings.pretrained = pretrained
        settings.descriptionColumn = descriptionColumn
        settings.seeds = parsedSeeds ?? [0]
        settings.epochs = epochs
        recipe.apply(to: &settings)
        if let patience { settings.patience = patience == 0 ? nil : patience }
        if let selectBy { settings.epochSelection = selectBy }
        if let batchSize { settings.globalBatchSize = batchSize }
        if let learningRate { settings.learningRate = learningRate }
        if let encoderLearningRate { settings.encoderLearningRate = encoderLearningRate }
        if let weightDecay { settings.weightDecay = weightDecay }
        if let emaDecay { settings.emaDecay = emaDecay }
        settings.learningRateSchedule = schedule(from: recipe)
        settings.trainFraction = trainFraction
        settings.model.fusion.predictsVariance = loss == .mve
        dataParallel.apply(to: &settings)
        return settings
    }
}

extension FinetuneOptions {
    /// The recipe's schedule with the schedule flags given: a warm-up/decay takes its parts from
    /// the flags, else the recipe's own warm-up/decay, else chemprop's defaults.
    func schedule(from recipe: FinetuneRecipe) -> FinetuneSchedule {
        guard (lrSchedule ?? FinetuneScheduleKind(recipe.schedule)) == .warmupDecay else { return .constant }
        let base = recipe.schedule == .constant ? FinetuneSchedule.chempropDefaults : recipe.schedule
        return .warmupDecay(warmupEpochs: warmupEpochs ?? base.warmupEpochs!, initial: initLr ?? base.initialRate!,
                            final: finalLr ?? base.finalRate!)
    }
}

/// `--loss`'s values.
enum FinetuneLossKind: String, ExpressibleByArgument, CaseIterable {
    case standard, mve
}

extension FinetuneScheduleKind: ExpressibleByArgument {}

extension FinetuneRecipe: ExpressibleByArgument {
    public init?(argument: String) {
        guard let recipe = Self.named(argument) else { return nil }
        self = recipe
    }

    public var defaultValueDescription: String { name }

    public static var allValueStrings: [String] { all.map(\.name) }
}

extension TaskKind: ExpressibleByArgument {}
extension FusionMode: ExpressibleByArgument {}
extension GraphReadout: ExpressibleByArgument {}
extension ProbabilityCalibration: ExpressibleByArgument {}
extension EpochSelection: ExpressibleByArgument {}

struct Finetune: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Train a property predictor on labelled molecules (stage 3), data-parallel over MPI ranks.",
        discussion: paragraphs("""
            The encoders (from --pretrained, or from scratch), the fingerprint MLP (MACCS, PubChem,
            ErG) and the gated cross-attention fusion are trained end to end: masked binary
            cross-entropy per task for classification, squared error on targets standardized with
            the training split for regression. Each epoch ends with a pass over the validation
            split; the best epoch's model is kept, one per seed.

              lgmcl-dist finetune --data bbbp.csv --output runs/bbbp --pretrained runs/pre --split scaffold --seeds 0,1,2
              mpirun -np 2 lgmcl-dist finetune --data esol.csv --output runs/esol --epochs 30

            A CSV is featurized first (into OUTPUT/data.h5, with the pretrained vocabulary); rows
            RDKit cannot parse are listed in OUTPUT/data.rejects.csv and left out. OUTPUT then
            holds config.json, vocab.txt, metrics.json (per seed and mean ± std),
            learning_curves.{csv,svg}, and per seed seed-S/model.safetensors and
            predictions_{train,val,test}.csv: what `lgmcl-dist predict --model OUTPUT` reads.

            When the seeds share a split (--split-seed S, or --split-column), the seeds' ensemble
            is calibrated on its validation split and OUTPUT/calibration.json stored with the
            model: Platt scaling (or --calibration isotonic) of the probabilities for
            classification; for regression a variance scale (z-scaling, when the model has an
            uncertainty) and split-conformal scores, from which predict draws <task>_lower and
            <task>_upper. metrics.json's "calibration" and the log give the test split's NLL,
            Brier score and ECE (10 bins; reliability.svg), or NLL, miscalibration area, ENCE,
            Spearman and the coverage of 90% intervals, before and after.

            Every epoch ends in a checkpoint of the seed (OUTPUT/seed-S/checkpoints/), and a
            finished seed leaves OUTPUT/seed-S/outcome.safetensors. SIGTERM or SIGUSR1 (a Slurm
            time limit, scancel) stops the ranks at the next step with exit status 75 and
            OUTPUT/stop.json naming the checkpoint. A stopped run (a signal, a time limit, a fault)
            continues with the same command and --resume: finished seeds are not trained again,
            the others go on from their last epoch, with the numbers an uninterrupted run would
            have given.
            """))

    @Option(help: "Output directory: models, metrics, predictions, learning curves.")
    var output: String

    @OptionGroup var labelled: LabelledDataOptions

    @OptionGroup var options: FinetuneOptions

    @Option(help: "Also write metrics.json's content to this file.")
    var metricsJson: String?

    @Option(help: "Seconds between progress lines within an epoch (an epoch shorter than this shows only its summary line).")
    var logInterval = 10.0

    @Flag(help: "Continue a stopped run in OUTPUT: finished seeds are kept, the others go on from their last epoch's checkpoint (the settings must be the same).")
    var resume = false

    func run() throws {
        Job.runWithStatus { world in
            RankLogHandler.bootstrap(rank: world.rank, size: world.size)
            var settings = try options.settings(data: labelled.data, output: output)
            labelled.apply(to: &settings)
            settings.logInterval = logInterval
            let summary: FinetuneSummary
            do {
                summary = try runFinetuning(settings, precision: options.dataParallel.precision, world: world, resume: resume)
            } catch let stop as FinetuneStopped {
                return stoppedStatus(stop, world: world)
            }
            if world.isRoot {
                print(summaryLine(summary, output: output))
                if let metricsJson {
                    try Data(contentsOf: RunDirectory(path: output).metrics)
                        .write(to: URL(fileURLWithPath: metricsJson), options: .atomic)
                }
            }
            return 0
        }
    }
}

/// A fine-tuning run a stop signal ended: its last line says where it stopped and how to go on,
/// and every rank ends with EX_TEMPFAIL, as pretrain does.
func stoppedStatus(_ stop: FinetuneStopped, world: Communicator, goingOn: String = StopReport.resumeAdvice) -> Int32 {
    if world.isRoot { Logger(label: "lgmcl.finetune").info("\(stop.report.line(goingOn: goingOn))") }
    return stoppedExitStatus
}

/// The labelled molecules and how they are read and split: `finetune`'s and `hpopt`'s.
struct LabelledDataOptions: ParsableArguments {
    @Option(help: "Labelled molecules: a CSV file, or an HDF5 dataset written by `lgmcl-dist preprocess`.")
    var data: String

    @Option(help: "classification (labels 0/1) or regression; inferred from the labels when absent.")
    var task: TaskKind?

    @Option(help: "random (0.6/0.2/0.2, the LGM-CL authors' protocol) or scaffold (balanced Bemis–Murcko, 0.8/0.1/0.1).")
    var split: SplitProtocol = .random

    @Option(help: "Take a fixed split from this column (cells train, val or test) instead of --split.")
    var splitColumn: String?

    @Option(help: ArgumentHelp("The seed of the split every model seed shares (an ensemble: no model has seen another's validation or test molecules), or 'each': every seed draws the split of its own number (replicates over splits, as before this option and as `benchmark moleculenet` does).", valueName: "seed|each"))
    var splitSeed = "0"

    @Option(help: "CSV column holding the SMILES (default: the column named smiles, any case).")
    var smilesColumn: String?

    @Option(help: "CSV label columns, comma-separated (default: every column but the SMILES, description and split columns).")
    var labelColumns: String?

    @Option(help: "Classification: how the ensemble's probabilities are calibrated on the validation split, platt (σ(a·logit p + b)) or isotonic.")
    var calibration: ProbabilityCalibration = .platt

    func validate() throws {
        try validateInput(data, flag: "--data")
        guard splitSeed == "each" || UInt64(splitSeed) != nil else {
            throw ValidationError("--split-seed takes a non-negative integer or 'each': '\(splitSeed)'")
        }
    }

    func apply(to settings: inout FinetuneSettings) {
        settings.task = task
        settings.split = split
        settings.splitColumn = splitColumn
        settings.splitSeed = splitSeed == "each" ? nil : UInt64(splitSeed)
        settings.probabilityCalibration = calibration
        settings.smilesColumn = smilesColumn
        settings.labelColumns = labelColumns.map { $0.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) } }
    }
}

func runFinetuning(_ settings: FinetuneSettings, precision: Precision, world: Communicator,
                   seedSplits: [UInt64: [String]] = [:], resume: Bool = false) throws -> FinetuneSummary {
    let logger = Logger(label: "lgmcl.finetune")
    let faults = FaultHooks(try Fault.fromEnvironment(), rank: world.rank, size: world.size)
    switch precision {
    case .float32, .bf16Mixed:
        return try Finetuner<Float>(settings: settings, world: world, faults: faults, logger: logger, seedSplits: seedSplits, resume: resume).run()
    case .float64:
        return try Finetuner<Double>(settings: settings, world: world, faults: faults, logger: logger, seedSplits: seedSplits, resume: resume).run()
    }
}

/// "finetune: test roc_auc 0.912 ± 0.011 over 3 seeds (scaffold split); output in DIR".
func summaryLine(_ summary: FinetuneSummary, output: String) -> String {
    let test = summary.test.map { String(format: "%.4f ± %.4f", $0.mean, $0.std) } ?? "n/a"
    let val = summary.val.map { String(format: "%.4f ± %.4f", $0.mean, $0.std) } ?? "n/a"
    return "finetune (\(summary.task.rawValue), \(summary.tasks.count) task(s), \(summary.molecules) molecules): test \(summary.metric.rawValue) \(test), val \(val) over \(summary.seeds.count) seed(s), \(summary.split) split; output in \(output)"
}
