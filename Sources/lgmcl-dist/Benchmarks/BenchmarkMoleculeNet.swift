import ArgumentParser
import Distributed
import Foundation
import LGMCL
import Logging

/// `lgmcl-dist benchmark moleculenet`: the fine-tuning trainer over datasets, protocols, seeds and
/// variants, into one results table beside chemprop's scores on the very same splits.
struct BenchmarkMoleculeNet: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "moleculenet",
        abstract: "Fine-tune on MoleculeNet sets (or any labelled CSV) per protocol, seed and variant; write a results table.",
        discussion: paragraphs("""
            For every dataset and protocol, each seed's split is written to OUTPUT/splits as the
            input's rows plus a split column (what `lgmcl-dist split` writes; chemprop reads it
            with --splits-column split) and fine-tuning trains on exactly that column. Variants:
            pretrained (with --pretrained), no pretraining (without --pretrained, or also with
            --no-pretraining), and with --llm-text the authors' LLM descriptions against generated
            ones on the molecules the LLM files cover (same split for both). With --pretrained
            the model is the pretrained configuration, also for the ablation (the same
            architecture from random weights); --preset applies without it.

              lgmcl-dist benchmark moleculenet --datasets bbbp,esol --protocols scaffold,random \\
                --seeds 0,1,2 --pretrained runs/pre-tiny --no-pretraining --llm-text \\
                --chemprop docs/benchmarks/chemprop.csv --output runs/bench

            Runs already in OUTPUT/results.json are not repeated, so a long suite can run in pieces
            and invocations with different subsets add to one table. OUTPUT/results.md is the
            table (test metric at the best validation epoch, mean ± std over seeds; then every run
            with its train, val and test metric, so overfitting shows), OUTPUT/results.json every
            run, OUTPUT/runs/… each fine-tuning's own output directory.
            """)
    )

    @Option(help: "Datasets, comma-separated: bbbp, bace, tox21, esol, freesolv (from --data-dir) or CSV paths.")
    var datasets = BenchmarkDataset.moleculeNetNames.joined(separator: ",")

    @Option(help: "Protocols, comma-separated: scaffold (balanced Bemis–Murcko 0.8/0.1/0.1), random (0.6/0.2/0.2).")
    var protocols = "scaffold"

    @Flag(help: "Also train from scratch when --pretrained is given (the ablation).")
    var noPretraining = false

    @Flag(help: "Also compare the LGM-CL authors' LLM descriptions (llm_text/) with generated ones, on the molecules they cover.")
    var llmText = false

    @Option(name: [.customLong("data-dir"), .customLong("data-directory")],
            help: "The data directory holding moleculenet/ and llm_text/ (lgmcl-dist datasets download llm-text fills llm_text/).")
    var dataDirectory = "data"

    @Option(help: "chemprop's results on the same splits (scripts/run_chemprop.py) for the comparison column.")
    var chemprop: String?

    @Option(help: "Output directory: results.json, results.md, splits/, runs/.")
    var output = "runs/benchmark-moleculenet"

    @Flag(help: "End with one JSON line: every run and the table's notes.")
    var json = false

    @OptionGroup var options: FinetuneOptions

    func validate() throws {
        if options.descriptionColumn != nil {
            throw ValidationError("--description-column is chosen per variant here; use --llm-text for the authors' descriptions")
        }
        guard !parsedProtocols.contains(nil), !parsedProtocols.isEmpty else {
            throw ValidationError("--protocols takes scaffold and/or random, comma-separated")
        }
    }

    var parsedProtocols: [SplitProtocol?] {
        protocols.split(separator: ",").map { SplitProtocol(rawValue: $0.trimmingCharacters(in: .whitespaces)) }
    }

    /// The variants trained on every dataset; the LLM pair only where an LLM file exists.
    var variants: [BenchmarkVariant] {
        var variants: [BenchmarkVariant] = []
        if options.pretrained != nil { variants.append(.pretrained) }
        if options.pretrained == nil || noPretraining { variants.append(.scratch) }
        if llmText { variants += [.generatedTextOnLLMSubset, .llmText] }
        return variants
    }

    func run() throws {
        Job.runWithStatus { world in
            do {
                try benchmark(world: world)
            } catch let stop as FinetuneStopped {
                return stoppedStatus(stop, world: world, goingOn: "run the same command again: finished runs are kept "
                                                                 + "and this seed goes on from its checkpoint")
            }
            return 0
        }
    }

    func benchmark(world: Communicator) throws {
        RankLogHandler.bootstrap(rank: world.rank, size: world.size)
        let logger = Logger(label: "lgmcl.benchmark")
        let dataURL = URL(fileURLWithPath: dataDirectory)
        let sets = try datasets.split(separator: ",").map {
            try BenchmarkDataset.resolve($0.trimmingCharacters(in: .whitespaces), dataDirectory: dataURL)
        }
        for dataset in sets { try dataset.requireFiles(llmText: llmText, dataDirectory: dataDirectory) }
        let outputURL = URL(fileURLWithPath: output)
        let resultsURL = outputURL.appendingPathComponent("results.json")
        if world.isRoot {
            try FileManager.default.createDirectory(at: outputURL.appendingPathComponent("splits"), withIntermediateDirectories: true)
        }
        var results = try BenchmarkResults.load(from: resultsURL)
        let chempropRuns = try chemprop.map { try ChempropRun.load(from: URL(fileURLWithPath: $0)) } ?? []
        // Only the model options and --pretrained matter here; each cell sets its own data.
        let base = try options.settings(data: "", output: output)
        let model = base.model
        // A cell names one readout: a configuration that pools the two graph encoders differently has no column.
        let readout = model.local.pooling, globalReadout = model.graphTransformer.pooling
        guard readout == globalReadout else {
            throw ValidationError("the configuration pools the local encoder by its \(readout.rawValue) and the graph transformer "
                + "by its \(globalReadout.rawValue); the benchmark compares one readout for both (--readout)")
        }
        let procedure = hyperparameters(base).procedure
        // The cell names an encoder learning rate only where it departs from the recipe's.
        let encoderLearningRate = base.encoderLearningRate == procedure.trained.base.encoderLearningRate ? nil : base.encoderLearningRate
        let preset = model.preset
        let seeds = options.parsedSeeds ?? [0]

        for dataset in sets {
            for split in parsedProtocols.compactMap({ $0 }) {
                for variant in variants {
                    let cell = BenchmarkCell(dataset: dataset.name, split: split, variant: variant, preset: preset, epochs: options.epochs,
                                             fusion: model.fusion.mode, readout: readout, encoderLearningRate: encoderLearningRate,
                                             trainFraction: options.trainFraction,
                                             procedure: procedure)
                    try checkFinishedRuns(of: cell, seeds: seeds, in: results, file: resultsURL)
                    let missing = seeds.filter { !results.contains(cell, seed: $0) }
                    guard !missing.isEmpty else {
                        if world.isRoot { logger.info("\(describe(cell)): seeds \(list(seeds)) already in \(resultsURL.path)") }
                        continue
                    }
                    guard let input = try BenchmarkInput(dataset, variant: variant) else {
                        if world.isRoot { logger.info("\(describe(cell)): \(dataset.name) has no LLM-text file; skipped") }
                        continue
                    }
                    if world.isRoot { logger.info("\(describe(cell)): seeds \(list(missing)) on \(input.file.path)") }
                    let runs = try fineTune(input, cell: cell, seeds: missing, world: world)
                    for run in runs { results.record(run) }
                    if world.isRoot {
                        try results.save(to: resultsURL)
                        try writeTable(results, chemprop: chempropRuns, to: outputURL)
                    }
                }
            }
        }
        guard world.isRoot else { return }
        let table = try writeTable(results, chemprop: chempropRuns, to: outputURL)
        print(table.markdown(), terminator: "")
        print("benchmark moleculenet: \(results.runs.count) runs in \(resultsURL.path), table in \(outputURL.appendingPathComponent("results.md").path)")
        if json {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.sortedKeys]
            let line = JSONLine(runs: results.runs, notes: table.notes)
            print(String(decoding: try encoder.encode(line), as: UTF8.self))
        }
    }

    /// One cell's seeds: the split files, then one fine-tuning run over all seeds (so the
    /// molecules are featurized once), each seed on its own file's split column.
    func fineTune(_ input: BenchmarkInput, cell: BenchmarkCell, seeds: [UInt64], world: Communicator) throws -> [BenchmarkRun] {
        let table = try CSVTable(contentsOf: input.file)
        let parsed = try ParsedSMILES(table, column: input.smilesColumn)
        var reasons = [String](repeating: "", count: table.rows.count)
        for failure in parsed.failures { reasons[failure.row] = failure.reason }
        var splitCells: [UInt64: [String]] = [:]
        for seed in seeds {
            let cells = SplitTable.cells(cell.split.split(parsed.molecules, seed: seed), parsed: parsed, rowCount: table.rows.count)
            splitCells[seed] = cells
            if world.isRoot {
                let name = "\(input.name)_\(cell.split.rawValue)_\(seed).csv"
                try SplitTable.write(table, splitColumn: "split", cells: cells, errors: reasons,
                                     to: URL(fileURLWithPath: output).appendingPathComponent("splits/\(name)"))
            }
        }

        let runDirectory = URL(fileURLWithPath: output)
            .appendingPathComponent("runs/\(cell.dataset)/\(cell.split.rawValue)/\(cell.training.directoryName)")
        var settings = try self.settings(for: cell, output: runDirectory.path)
        settings.data = input.file.path
        settings.seeds = seeds
        // Replicates: every seed on its own split file (and its own --train-fraction subsample).
        settings.splitSeed = nil
        settings.split = cell.split
        settings.smilesColumn = input.smilesColumn
        settings.labelColumns = input.labelColumns
        settings.descriptionColumn = input.descriptionColumn
        // A seed an earlier, stopped invocation began goes on from its last epoch (benchmark_slice.sh).
        let summary = try runFinetuning(settings, precision: options.dataParallel.precision, world: world, seedSplits: splitCells,
                                        resume: true)
        let provenance = RunProvenance(finished: Date(), hosts: try world.hostNames(), ranks: world.size)
        return summary.seeds.map { seed in
            let cells = splitCells[seed.seed]!
            return BenchmarkRun(
                dataset: cell.dataset, split: cell.split, variant: cell.variant, seed: seed.seed, preset: summary.preset,
                epochs: cell.epochs, fusion: cell.fusion, readout: cell.readout, encoderLearningRate: cell.encoderLearningRate,
                trainFraction: cell.trainFraction, pretrained: settings.pretrained,
                hyperparameters: hyperparameters(settings), metric: summary.metric,
                test: seed.test?.mean ?? .nan, val: seed.val.mean ?? .nan, train: seed.train.mean, bestEpoch: seed.bestEpoch + 1,
                trainCount: seed.trainCount, valCount: cells.filter { $0 == "val" }.count,
                testCount: cells.filter { $0 == "test" }.count, splitDigest: SplitDigest.of(cells), seconds: seed.seconds,
                provenance: provenance)
        }
    }

    /// The settings a cell's fine-tuning runs with, before its data is chosen.
    func settings(for cell: BenchmarkCell, output: String) throws -> FinetuneSettings {
        var settings = try options.settings(data: "", output: output)
        if cell.variant == .scratch { settings.pretrained = nil }
        return settings
    }

    func hyperparameters(_ settings: FinetuneSettings) -> BenchmarkHyperparameters {
        BenchmarkHyperparameters(settings, precision: options.dataParallel.precision.rawValue)
    }

    /// A seed of `cell` already in results.json counts as done only when it ran with the settings
    /// asked for now; otherwise the old numbers would stand for settings they never had.
    func checkFinishedRuns(of cell: BenchmarkCell, seeds: [UInt64], in results: BenchmarkResults, file: URL) throws {
        let asked = try settings(for: cell, output: output)
        let askedHyperparameters = hyperparameters(asked)
        let absolute = { (path: String?) in path.map { URL(fileURLWithPath: $0).standardizedFileURL.path } }
        for seed in seeds {
            guard let done = results.run(cell, seed: seed) else { continue }
            var differences = done.hyperparameters?.differences(from: askedHyperparameters) ?? []
            if absolute(done.pretrained) != absolute(asked.pretrained) {
                differences.append("--pretrained \(done.pretrained ?? "none") (asked: \(asked.pretrained ?? "none"))")
            }
            guard differences.isEmpty else {
                throw ValidationError("\(file.path): \(describe(cell)) seed \(seed) ran with "
                    + differences.joined(separator: ", ")
                    + "; write runs with other settings to another --output, or remove those runs from the file")
            }
        }
    }

    @discardableResult
    func writeTable(_ results: BenchmarkResults, chemprop: [ChempropRun], to directory: URL) throws -> ResultsTable {
        let table = ResultsTable(results: results, chemprop: chemprop)
        try AtomicDirectory.replaceFile(directory.appendingPathComponent("results.md"), with: Data(table.markdown().utf8))
        return table
    }

    func describe(_ cell: BenchmarkCell) -> String {
        let departures = cell.training.departures.map { "\($0), " }.joined()
        return "\(cell.dataset) \(cell.split.rawValue) \(cell.variant.rawValue) (\(cell.preset), \(departures)\(cell.epochs) epochs)"
    }

    func list(_ seeds: [UInt64]) -> String { seeds.map(String.init).joined(separator: ",") }

    struct JSONLine: Encodable {
        let runs: [BenchmarkRun]
        let notes: [String]
    }
}

/// The file a variant reads and how: the whole dataset with generated descriptions, or the LLM
/// subset with or without the authors' descriptions.
struct BenchmarkInput {
    let name: String
    let file: URL
    let smilesColumn: String
    let labelColumns: [String]?
    let descriptionColumn: String?

    /// nil when the variant needs an LLM file the dataset does not have.
    init?(_ dataset: BenchmarkDataset, variant: BenchmarkVariant) throws {
        guard variant.usesLLMSubset else {
            name = dataset.name
            file = dataset.file
            smilesColumn = dataset.smilesColumn
            labelColumns = dataset.labelColumns
            descriptionColumn = nil
            return
        }
        guard let llm = dataset.llmText else { return nil }
        name = "\(dataset.name)-llm"
        file = llm.file
        smilesColumn = dataset.smilesColumn
        // Named explicitly: otherwise the description column would count as a label.
        labelColumns = llm.labelColumns
        descriptionColumn = variant == .llmText ? llm.descriptionColumn : nil
    }
}
