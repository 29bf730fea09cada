import ArgumentParser
import Distributed
import Foundation
import LGMCL
import Logging

extension TrialSampler.Method: ExpressibleByArgument {}

struct Hpopt: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Search fine-tuning hyperparameters with every rank: trials run in groups of ranks at once, scored on validation.",
        discussion: paragraphs("""
            The ranks are split into --groups equal groups; each trial is one data-parallel
            `finetune` run inside a group, with hyperparameters drawn at random or by a
            tree-structured Parzen estimator (--sampler tpe: random for the first
            --startup-trials, then drawn towards the best quarter so far), always from --seed and
            the trial's number, so a search reproduces. Trials go in rounds of --trials-per-round
            (default: one per group); a round's draws see the results of the rounds before it, so
            the same search on more groups (same round size) gives the same table sooner.

              mpirun -np 4 lgmcl-dist hpopt --data bbbp.csv --output runs/bbbp-hpopt --split scaffold --trials 16 --groups 2 --epochs 30

            Searched (--search, default: all but readout): lr (log-uniform 1e-4…3e-3), encoder-lr (1e-5…1e-3),
            weight-decay (1e-6…1e-2), prediction-dropout and fingerprint-dropout (0…0.5),
            batch-size (32, 64, 128), lr-schedule (constant or warmup-decay: the run's --warmup-epochs,
            --init-lr and --final-lr when it gives --lr-schedule warmup-decay, else chemprop's defaults)
            ema-decay (0 for none, 0.9, 0.99, 0.999) and fusion (gated, residual or residual-fingerprints); readout (mean
            or norm, both graph encoders) only when named. Every other
            option is finetune's (--recipe sets what is not searched) and applies to every trial.
            OUTPUT holds trials.csv (one row per trial: its values, validation and test metric,
            seconds; rewritten after each round, and read back by the same command to resume),
            trials/trial-NNN/ (each trial's finetune output), best.json (the best trial by
            validation and the finetune command that trains it) and best-config.json (its model
            configuration, for finetune --config). Test scores are recorded, never used to choose.
            """))

    @Option(help: "Output directory: trials.csv, each trial's run, best.json, best-config.json.")
    var output: String

    @OptionGroup var labelled: LabelledDataOptions

    @OptionGroup var options: FinetuneOptions

    @Option(help: "Trials in all.")
    var trials = 16

    @Option(help: "Groups of ranks that run trials at once (must divide the ranks; each group's size must divide every batch size searched).")
    var groups = 1

    @Option(help: "Trials drawn together from the results before them (default: --groups).")
    var trialsPerRound: Int?

    @Option(help: "random or tpe.")
    var sampler: TrialSampler.Method = .tpe

    @Option(help: "TPE: random trials before the estimator takes over.")
    var startupTrials = 8

    @Option(help: "The seed of the draws.")
    var seed: UInt64 = 0

    @Option(help: "Hyperparameters searched, comma-separated (lr, encoder-lr, weight-decay, prediction-dropout, fingerprint-dropout, batch-size, lr-schedule, ema-decay, fusion; readout only when named).")
    var search = SearchSpace.Parameter.searchedByDefault.map(\.rawValue).joined(separator: ",")

    @Option(help: "Seconds between progress lines within an epoch.")
    var logInterval = 60.0

    func validate() throws {
        guard trials > 0, groups > 0, startupTrials >= 0, (trialsPerRound ?? 1) > 0 else {
            throw ValidationError("--trials, --groups and --trials-per-round must be positive, --startup-trials not negative")
        }
        let space: SearchSpace
        do { space = try SearchSpace(names: search) } catch { throw ValidationError("\(error)") }
        // The groups against the ranks the launcher started, before MPI (the search checks again).
        if let ranks = LGMCLDist.launcherSize {
            guard ranks % groups == 0 else { throw ValidationError("--groups \(groups) does not divide \(ranks) ranks into equal groups") }
            let batchSize = try options.settings(data: labelled.data, output: output).globalBatchSize
            for batch in space.batchSizes(otherwise: batchSize) where batch % (ranks / groups) != 0 {
                throw ValidationError("batch size \(batch) is not divisible by the \(ranks / groups) ranks of a group; use other --groups or leave batch-size out of --search")
            }
        }
    }

    func run() throws {
        Job.run { world in
            RankLogHandler.bootstrap(rank: world.rank, size: world.size)
            var base = try options.settings(data: labelled.data, output: output)
            labelled.apply(to: &base)
            base.logInterval = logInterval
            let sampler = TrialSampler(space: try SearchSpace(names: search), method: sampler, seed: seed, startupTrials: startupTrials)
            let settings = SearchSettings(base: base, trials: trials, groups: groups, trialsPerRound: trialsPerRound ?? groups,
                                          sampler: sampler)
            let logger = Logger(label: "lgmcl.hpopt")
            let finished: Int
            switch options.dataParallel.precision {
            case .float32, .bf16Mixed: finished = try HyperparameterSearch<Float>(settings: settings, world: world, logger: logger).run().count
            case .float64: finished = try HyperparameterSearch<Double>(settings: settings, world: world, logger: logger).run().count
            }
            if world.isRoot { print("hpopt: \(finished) trials in \(output)/trials.csv; best in \(output)/best.json") }
        }
    }
}
