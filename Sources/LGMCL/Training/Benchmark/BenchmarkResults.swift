import Foundation

/// One fine-tuning run of the benchmark: a dataset, protocol, variant and seed, scored on test.
public struct BenchmarkRun: Codable, Equatable, Sendable {
    public var dataset: String
    public var split: SplitProtocol
    public var variant: BenchmarkVariant
    public var seed: UInt64
    public var preset: String
    public var epochs: Int
    /// nil in results written before the residual ablation existed: the paper's gated fusion.
    public var fusion: FusionMode?
    /// How the graph encoders pooled their atoms (`--readout`); nil: the authors' mean (and every
    /// result written before the choice existed).
    public var readout: GraphReadout?
    /// The encoders' own learning rate (`--encoder-lr`) where it departs from the recipe's; nil: the recipe's (the paper's: the one learning rate).
    public var encoderLearningRate: Double?
    /// `--train-fraction`: the share of the split's training molecules trained on; nil: all.
    public var trainFraction: Double?
    /// The pretrained directory the encoders came from; nil when they started at random.
    public var pretrained: String?
    /// nil in results written before they were recorded.
    public var hyperparameters: BenchmarkHyperparameters?
    public var metric: Metric
    /// Test metric (mean over the scored tasks) at the best validation epoch.
    public var test: Double
    public var val: Double
    /// The training split's metric at the same epoch, beside val and test so that overfitting
    /// shows; nil in results written before it was recorded.
    public var train: Double?
    public var bestEpoch: Int
    public var trainCount: Int
    public var valCount: Int
    public var testCount: Int
    /// ``SplitDigest`` of the split column, to match other tools' runs on the same split.
    public var splitDigest: String
    public var seconds: Double
    /// nil in results written before it was recorded.
    public var provenance: RunProvenance?

    public init(dataset: String, split: SplitProtocol, variant: BenchmarkVariant, seed: UInt64, preset: String, epochs: Int,
                fusion: FusionMode = .gated, readout: GraphReadout? = nil, encoderLearningRate: Double? = nil,
                trainFraction: Double? = nil, pretrained: String?,
                hyperparameters: BenchmarkHyperparameters? = nil, metric: Metric, test: Double,
                val: Double, train: Double? = nil, bestEpoch: Int, trainCount: Int, valCount: Int, testCount: Int, splitDigest: String, seconds: Double,
                provenance: RunProvenance? = nil) {
        self.dataset = dataset
        self.split = split
        self.variant = variant
        self.seed = seed
        self.preset = preset
        self.epochs = epochs
        self.fusion = fusion
        self.readout = readout == .mean ? nil : readout
        self.encoderLearningRate = encoderLearningRate
        self.trainFraction = trainFraction
        self.pretrained = pretrained
        self.hyperparameters = hyperparameters
        self.metric = metric
        self.test = test
        self.val = val
        self.train = train
        self.bestEpoch = bestEpoch
        self.trainCount = trainCount
        self.valCount = valCount
        self.testCount = testCount
        self.splitDigest = splitDigest
        self.seconds = seconds
        self.provenance = provenance
    }

    /// Runs with the same cell differ only in their seed.
    public var cell: BenchmarkCell {
        BenchmarkCell(dataset: dataset, split: split, variant: variant, preset: preset, epochs: epochs, fusion: fusion ?? .gated,
                      readout: readout ?? .mean, encoderLearningRate: encoderLearningRate, trainFraction: trainFraction,
                      // Results written before a run recorded its settings read as the paper's.
                      procedure: hyperparameters?.procedure ?? .paper)
    }
}

/// A cell of the results table: everything but the seed.
public struct BenchmarkCell: Codable, Hashable, Sendable, Comparable {
    public var dataset: String
    public var split: SplitProtocol
    public var variant: BenchmarkVariant
    public var preset: String
    public var epochs: Int
    public var fusion: FusionMode
    public var readout: GraphReadout
    public var encoderLearningRate: Double?
    public var trainFraction: Double?
    public var procedure: TrainingProcedure

    public init(dataset: String, split: SplitProtocol, variant: BenchmarkVariant, preset: String, epochs: Int,
                fusion: FusionMode = .gated, readout: GraphReadout = .mean, encoderLearningRate: Double? = nil,
                trainFraction: Double? = nil, procedure: TrainingProcedure = .paper) {
        self.dataset = dataset
        self.split = split
        self.variant = variant
        self.preset = preset
        self.epochs = epochs
        self.fusion = fusion
        self.readout = readout
        self.encoderLearningRate = encoderLearningRate
        self.trainFraction = trainFraction
        self.procedure = procedure
    }

    public static func < (a: Self, b: Self) -> Bool {
        let rowA = (BenchmarkResults.datasetOrder(a.dataset), a.dataset, a.split.rawValue)
        let rowB = (BenchmarkResults.datasetOrder(b.dataset), b.dataset, b.split.rawValue)
        guard rowA == rowB else { return rowA < rowB }
        return a.training < b.training
    }

    /// Everything but the dataset and protocol: a column of the results table.
    public var training: BenchmarkTraining {
        BenchmarkTraining(preset: preset, variant: variant, epochs: epochs, fusion: fusion, readout: readout,
                          encoderLearningRate: encoderLearningRate, trainFraction: trainFraction, procedure: procedure)
    }
}

/// How a cell was trained: preset, variant, epochs and where it departs from the paper's settings.
public struct BenchmarkTraining: Hashable, Comparable, Sendable {
    public let preset: String
    public let variant: BenchmarkVariant
    public let epochs: Int
    public let fusion: FusionMode
    public let readout: GraphReadout
    public let encoderLearningRate: Double?
    public let trainFraction: Double?
    public let procedure: TrainingProcedure

    /// The departures from the paper's fine-tuning, in words ("residual fusion", "encoder lr
    /// 0.0001", "encoders frozen"); empty for the paper's settings. Titles, logs and run directories all say them so.
    public var departures: [String] {
        var words: [String] = []
        if fusion != recipeFusion { words.append("\(fusion.rawValue) fusion") }
        if readout != recipeReadout { words.append("\(readout.rawValue) readout") }
        if let encoderLearningRate {
            words.append(encoderLearningRate == 0 ? "encoders frozen" : "encoder lr \(String(format: "%g", encoderLearningRate))")
        }
        if let trainFraction { words.append("\(String(format: "%g", trainFraction * 100))% of training labels") }
        return words + procedure.departures
    }

    /// The fusion the cell's recipe sets; a departure only where the run's differs.
    private var recipeFusion: FusionMode { procedure.trained.base.fusion ?? .gated }
    private var recipeReadout: GraphReadout { procedure.trained.base.readout ?? .mean }

    /// The run directory's name under runs/DATASET/PROTOCOL/.
    public var directoryName: String {
        var name = "\(variant.rawValue)-\(preset)-\(epochs)ep"
        if fusion != recipeFusion { name += "-\(fusion.rawValue)" }
        if readout != recipeReadout { name += "-\(readout.rawValue)-readout" }
        if let encoderLearningRate { name += "-encoder-lr-\(String(format: "%g", encoderLearningRate))" }
        if let trainFraction { name += "-train-\(String(format: "%g", trainFraction))" }
        return name + procedure.directorySuffix
    }

    public static func < (a: Self, b: Self) -> Bool {
        guard a.procedure == b.procedure else { return a.procedure < b.procedure }
        // Swift compares tuples of at most six: the fusion and the readout share one.
        return (a.preset, "\(a.fusion.rawValue) \(a.readout.rawValue)", a.encoderLearningRate ?? -1, a.trainFraction ?? 1, a.variant, a.epochs)
            < (b.preset, "\(b.fusion.rawValue) \(b.readout.rawValue)", b.encoderLearningRate ?? -1, b.trainFraction ?? 1, b.variant, b.epochs)
    }
}

/// The recipe a cell's fine-tuning started from (`--recipe`) and how its flags departed from it
/// (`--lr`, `--weight-decay`, `--batch-size`, `--lr-schedule`, `--ema-decay`, `--patience`).
/// Runs that differ here are columns of their own, so two recipes share a results file and a table.
public struct TrainingProcedure: Codable, Hashable, Comparable, Sendable {
    /// The values trained with; its name is the recipe they started from. The encoders' learning
    /// rate, the fusion and the readout are the cell's (`encoderLearningRate`, `fusion`, `readout`)
    /// and the dropouts the model's, so here they are the recipe's.
    public var trained: FinetuneRecipe

    /// The paper's.
    public static let paper = TrainingProcedure(.paper)

    public init(_ trained: FinetuneRecipe) {
        let base = trained.base
        var trained = trained
        trained.encoderLearningRate = base.encoderLearningRate
        trained.fusion = base.fusion
        trained.readout = base.readout
        trained.predictionDropout = base.predictionDropout
        trained.fingerprintDropout = base.fingerprintDropout
        // Decay 0 scores the weights themselves, to the bit.
        if trained.emaDecay == 0 { trained.emaDecay = nil }
        if trained.epochSelection == .metric { trained.epochSelection = nil }
        self.trained = trained
    }

    /// In words, for titles and logs ("recipe tuned", "lr 0.0003", "warm-up 2 ep. from 0.0001,
    /// decay to 0.0001", "EMA 0.99", "patience 10").
    public var departures: [String] { parts.map(\.words) }

    var directorySuffix: String { parts.map { "-" + $0.path }.joined() }

    /// The recipe (unless the paper's), then each value that departs from it, as words and as a
    /// piece of a directory name.
    private var parts: [(words: String, path: String)] {
        func g(_ value: Double) -> String { String(format: "%g", value) }
        let base = trained.base
        var parts: [(String, String)] = []
        if base != .paper { parts.append(("recipe \(base.name)", "recipe-\(base.name)")) }
        if trained.learningRate != base.learningRate { parts.append(("lr \(g(trained.learningRate))", "lr-\(g(trained.learningRate))")) }
        if trained.weightDecay != base.weightDecay {
            parts.append(("weight decay \(g(trained.weightDecay))", "wd-\(g(trained.weightDecay))"))
        }
        if trained.globalBatchSize != base.globalBatchSize {
            parts.append(("batch \(trained.globalBatchSize)", "batch-\(trained.globalBatchSize)"))
        }
        if trained.schedule != base.schedule {
            switch trained.schedule {
            case .warmupDecay(let epochs, let initial, let final):
                parts.append(("warm-up \(epochs) ep. from \(g(initial)), decay to \(g(final))",
                              "warmup-\(epochs)-\(g(initial))-decay-\(g(final))"))
            case .constant: parts.append(("constant lr", "constant-lr"))
            }
        }
        if trained.emaDecay != base.emaDecay {
            parts.append(trained.emaDecay.map { ("EMA \(g($0))", "ema-\(g($0))") } ?? ("no EMA", "no-ema"))
        }
        if trained.epochSelection != base.epochSelection {
            parts.append(trained.epochSelection == .loss ? ("kept by val loss", "select-loss") : ("kept by val metric", "select-metric"))
        }
        if trained.patience != base.patience {
            parts.append(trained.patience.map { ("patience \($0)", "patience-\($0)") } ?? ("no early stopping", "no-patience"))
        }
        return parts
    }

    /// The paper's first, then by the words that name them.
    public static func < (a: Self, b: Self) -> Bool {
        (a == .paper ? 0 : 1, a.departures.joined(separator: ", ")) < (b == .paper ? 0 : 1, b.departures.joined(separator: ", "))
    }
}

/// When, where and from which build a run came, so that a results file read months later (or
/// merged from several sessions) still says which code produced each number.
public struct RunProvenance: Codable, Equatable, Sendable {
    /// ISO 8601 (UTC), when the fine-tuning that ran this seed (with the others asked with it) finished.
    public var finished: String
    /// The git commit lgmcl-dist was built from (``BuildInfo/gitCommit``; "unknown" for a copy
    /// outside its checkout).
    public var commit: String
    public var hosts: [String]
    public var ranks: Int

    public init(finished: Date, commit: String = BuildInfo.gitCommit, hosts: [String], ranks: Int) {
        self.finished = ISO8601DateFormatter().string(from: finished)
        self.commit = commit
        self.hosts = hosts
        self.ranks = ranks
    }
}

/// The settings besides its cell that decide a run's numbers, kept with each run: asking for a
/// finished run again with other settings is refused instead of answered with the old numbers.
public struct BenchmarkHyperparameters: Codable, Equatable, Sendable {
    public var learningRate: Double
    public var weightDecay: Double
    public var globalBatchSize: Int
    public var patience: Int?
    /// nil in results written before fine-tuning had a schedule: constant.
    public var learningRateSchedule: FinetuneSchedule?
    /// nil in results written before `--ema-decay` existed, and without it.
    public var emaDecay: Double?
    /// The recipe the values started from; nil in results written before recipes had names: the paper's.
    public var recipe: String?
    /// nil in results written before `--select-by` existed, and with the metric.
    public var epochSelection: EpochSelection?
    public var precision: String
    /// Before the dataset sets its vocabulary size and task count.
    public var model: ModelConfiguration

    public init(_ settings: FinetuneSettings, precision: String) {
        learningRate = settings.learningRate
        weightDecay = settings.weightDecay
        globalBatchSize = settings.globalBatchSize
        patience = settings.patience
        learningRateSchedule = settings.learningRateSchedule
        emaDecay = settings.emaDecay
        recipe = settings.recipe
        epochSelection = settings.epochSelection
        self.precision = precision
        model = settings.model
    }

    /// The part of these settings that makes a cell of its own.
    public var procedure: TrainingProcedure {
        var trained = FinetuneRecipe.named(recipe ?? FinetuneRecipe.paper.name) ?? .paper
        trained.learningRate = learningRate
        trained.weightDecay = weightDecay
        trained.globalBatchSize = globalBatchSize
        trained.schedule = learningRateSchedule ?? .constant
        trained.emaDecay = emaDecay
        trained.patience = patience
        trained.epochSelection = epochSelection
        return TrainingProcedure(trained)
    }

    /// How `asked` differs within a cell (the procedure is the cell's), in the command line's words: "--lr 0.001 (asked: 0.0005)".
    public func differences(from asked: Self) -> [String] {
        func text<T>(_ value: T?) -> String { value.map { "\($0)" } ?? "none" }
        var found: [String] = []
        func compare<T: Equatable>(_ flag: String, _ mine: T?, _ theirs: T?) {
            if mine != theirs { found.append("\(flag) \(text(mine)) (asked: \(text(theirs)))") }
        }
        compare("--precision", precision, asked.precision)
        if model != asked.model { found.append("another model configuration (--preset/--config/--set or the pretrained config.json)") }
        return found
    }
}

/// Mean and standard deviation over seeds. The deviation is the population one (divide by n,
/// numpy's default `np.std`, which chemprop and most MoleculeNet tables report).
public struct SeedSummary: Equatable, Sendable {
    public let values: [Double]
    public var mean: Double { values.reduce(0, +) / Double(values.count) }
    public var standardDeviation: Double {
        let m = mean
        return (values.map { ($0 - m) * ($0 - m) }.reduce(0, +) / Double(values.count)).squareRoot()
    }

    public init(_ values: [Double]) {
        precondition(!values.isEmpty, "SeedSummary: no values")
        self.values = values
    }

    /// "0.912 ± 0.012".
    public var text: String { String(format: "%.3f ± %.3f", mean, standardDeviation) }
}

/// Every run of a benchmark directory (`results.json`), kept across invocations so that a long
/// suite can run piecewise: a run already there is not repeated.
public struct BenchmarkResults: Codable, Equatable, Sendable {
    public var runs: [BenchmarkRun] = []

    public init(runs: [BenchmarkRun] = []) { self.runs = runs }

    /// The results in `url`, or none when the file does not exist.
    public static func load(from url: URL) throws -> BenchmarkResults {
        guard FileManager.default.fileExists(atPath: url.path) else { return BenchmarkResults() }
        do {
            return try JSONDecoder().decode(BenchmarkResults.self, from: Data(contentsOf: url))
        } catch {
            throw CSVTableError(description: "\(url.path): not a benchmark results file (\(error))")
        }
    }

    public func save(to url: URL) throws {
        try AtomicDirectory.replaceFile(url, with: JSONEncoder.pretty.encode(self))
    }

    public func contains(_ cell: BenchmarkCell, seed: UInt64) -> Bool {
        run(cell, seed: seed) != nil
    }

    public func run(_ cell: BenchmarkCell, seed: UInt64) -> BenchmarkRun? {
        runs.first { $0.cell == cell && $0.seed == seed }
    }

    /// Adds `run`, replacing an earlier run of the same cell and seed.
    public mutating func record(_ run: BenchmarkRun) {
        runs.removeAll { $0.cell == run.cell && $0.seed == run.seed }
        runs.append(run)
    }

    /// The runs of each cell, cells in table order, runs in seed order.
    public var cells: [(cell: BenchmarkCell, runs: [BenchmarkRun])] {
        Dictionary(grouping: runs, by: \.cell).sorted { $0.key < $1.key }.map { ($0.key, $0.value.sorted { $0.seed < $1.seed }) }
    }

    /// MoleculeNet's sets in the order papers list them, other datasets after them.
    static func datasetOrder(_ name: String) -> Int {
        BenchmarkDataset.moleculeNetNames.firstIndex(of: name) ?? BenchmarkDataset.moleculeNetNames.count
    }
}
