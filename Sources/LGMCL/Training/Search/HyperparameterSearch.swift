import Distributed
import Foundation
import Logging

/// `hpopt`: fine-tuning trials with drawn hyperparameters, scored on the validation split.
///
/// The world is split into `groups` equal groups of ranks (one communicator each); a trial is one
/// data-parallel fine-tuning run inside a group. Trials go in rounds of `trialsPerRound`: a
/// round's draws see the results of the rounds before it (TrialSampler), its trials are dealt to
/// the groups in turn (trial t of the round to group t mod groups), and the round ends when all
/// are done. What a trial computes depends on its draw and on its group's size only, so the
/// same search on more groups gives the same table sooner.
///
/// Files in `output`: trials.csv (one row per finished trial, rewritten after each round: the
/// search resumes from it), trials/trial-NNN/ (each trial's fine-tuning output), best.json and
/// best-config.json (the model configuration of the best trial, for `finetune --config`).
public final class HyperparameterSearch<Scalar: TensorScalar & MPIScalar> {
    let settings: SearchSettings
    let world: Communicator
    let logger: Logger
    let directory: URL

    public init(settings: SearchSettings, world: Communicator, logger: Logger = .silent) throws {
        guard settings.trials > 0, settings.groups > 0, settings.trialsPerRound > 0 else {
            throw SearchError(description: "hpopt needs at least one trial, one group and one trial per round")
        }
        guard world.size % settings.groups == 0 else {
            throw SearchError(description: "--groups \(settings.groups) does not divide \(world.size) ranks into equal groups")
        }
        let groupSize = world.size / settings.groups
        for batch in settings.sampler.space.batchSizes(otherwise: settings.base.globalBatchSize) where batch % groupSize != 0 {
            throw SearchError(description: "batch size \(batch) is not divisible by the \(groupSize) ranks of a group; use other --groups or leave batch-size out of --search")
        }
        self.settings = settings
        self.world = world
        self.logger = logger
        directory = URL(fileURLWithPath: settings.base.output)
    }

    public var trialsFile: URL { directory.appendingPathComponent("trials.csv") }
    func trialDirectory(_ number: Int) -> URL {
        directory.appendingPathComponent("trials").appendingPathComponent(String(format: "trial-%03d", number))
    }

    @_specialize(where Scalar == Float)
    @_specialize(where Scalar == Double)
    public func run() throws -> [SearchTrial] {
        if world.isRoot { try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true) }
        try world.barrier()
        var base = settings.base
        // Featurized once for every trial.
        let featurized = try LabelledData.featurize(base, into: directory.appendingPathComponent("featurized.h5"),
                                                    world: world, logger: logger)
        base.data = featurized.path
        base.smilesColumn = featurized.smilesColumn

        let groupIndex = world.rank / (world.size / settings.groups)
        let group = try world.split(color: groupIndex)
        var (trials, metric) = try resumedTrials()
        if world.isRoot, !trials.isEmpty { logger.info("hpopt: \(trials.count) trials already in \(trialsFile.path)") }
        let perRound = settings.trialsPerRound
        for round in 0 ..< (settings.trials + perRound - 1) / perRound {
            let numbers = Array(round * perRound ..< min((round + 1) * perRound, settings.trials))
            let earlier = trials.filter { $0.round < round }.sorted { $0.number < $1.number }
            let finished = earlier.map { trial in
                TrialSampler.Finished(values: trial.values, score: trial.val.map { metric?.higherIsBetter == false ? -$0 : $0 })
            }
            let draws = numbers.map { settings.sampler.draw(trial: $0, after: finished) }
            try checkRecorded(trials, drawn: draws, numbers: numbers)
            let done = Set(trials.map(\.number))
            // [ran, val, test, seconds] per trial of the round, from the root of the group that ran it.
            var outcomes = [Double](repeating: 0, count: 4 * numbers.count)
            for (slot, number) in numbers.enumerated() where !done.contains(number) && slot % settings.groups == groupIndex {
                let values = draws[slot]
                var trial = base
                for parameter in settings.sampler.space.parameters { parameter.apply(values[parameter]!, to: &trial) }
                trial.output = trialDirectory(number).path
                if group.isRoot {
                    try? FileManager.default.removeItem(at: trialDirectory(number))   // an interrupted attempt
                    logger.info("hpopt: trial \(number) (round \(round), group \(groupIndex)): \(describe(values))")
                }
                try group.barrier()
                let started = Date()
                var val = Double.nan, test = Double.nan
                do {
                    let summary = try Finetuner<Scalar>(settings: trial, world: group, logger: logger).run()
                    val = summary.val?.mean ?? .nan
                    test = summary.test?.mean ?? .nan
                    metric = summary.metric
                } catch let error as TrainingError {
                    if group.isRoot { logger.warning("hpopt: trial \(number) failed: \(error.description)") }
                } catch let stop as FinetuneStopped {
                    // Other groups may be waiting in a collective: the job ends as a failure does.
                    throw SearchError(description: "hpopt: \(stop.report.signal) during trial \(number); the same command resumes the search (finished rounds are kept, this round's trials run again)")
                }
                if group.isRoot {
                    outcomes.replaceSubrange(4 * slot ..< 4 * slot + 4, with: [1, val, test, Date().timeIntervalSince(started)])
                }
            }
            try world.allreduce(&outcomes)
            // The metric, for trials resumed before any ran here: every group that ran one knows it.
            let metricCode = try world.allreduce(metric.flatMap { Metric.allCases.firstIndex(of: $0) }.map { $0 + 1 } ?? 0, op: .max)
            if metricCode > 0 { metric = Metric.allCases[metricCode - 1] }
            for (slot, number) in numbers.enumerated() where outcomes[4 * slot] == 1 {
                let val = outcomes[4 * slot + 1], test = outcomes[4 * slot + 2]
                trials.append(SearchTrial(number: number, round: round, group: slot % settings.groups, values: draws[slot],
                                          val: val.isNaN ? nil : val, test: test.isNaN ? nil : test, seconds: outcomes[4 * slot + 3]))
            }
            trials.sort { $0.number < $1.number }
            if world.isRoot { try write(trials, metric: metric) }
        }
        if world.isRoot, let metric { try writeBest(trials, metric: metric, base: base) }
        try world.barrier()
        return trials
    }

    /// A table this search would not have drawn (another --seed, sampler, round size, search space
    /// or lgmcl version) cannot be continued: its trials would be mixed with draws of another search.
    func checkRecorded(_ trials: [SearchTrial], drawn: [[SearchSpace.Parameter: Double]], numbers: [Int]) throws {
        for (slot, number) in numbers.enumerated() {
            guard let recorded = trials.first(where: { $0.number == number }),
                  let parameter = settings.sampler.space.parameters.first(where: { recorded.values[$0] != drawn[slot][$0] })
            else { continue }
            throw SearchError(description: "\(trialsFile.path): trial \(number) has \(parameter.rawValue) "
                + "\(parameter.text(recorded.values[parameter]!)) where this search draws \(parameter.text(drawn[slot][parameter]!)); "
                + "it was written by another search (--seed, --sampler, --trials-per-round or the --groups it defaults to, search space or lgmcl version): "
                + "give the flags that began it, or another --output")
        }
    }

    func describe(_ values: [SearchSpace.Parameter: Double]) -> String {
        settings.sampler.space.parameters.map { parameter in
            let text = parameter.text(values[parameter]!)
            // Choices by name ("fusion residual"), numbers to four digits.
            return "\(parameter.rawValue) \(Double(text).map { String(format: "%.4g", $0) } ?? text)"
        }.joined(separator: ", ")
    }

    // MARK: trials.csv

    var columns: [String] {
        ["trial", "round", "group"] + settings.sampler.space.parameters.map(\.rawValue) + ["status", "val", "test", "seconds", "metric"]
    }

    func write(_ trials: [SearchTrial], metric: Metric?) throws {
        var lines = [columns.joined(separator: ",")]
        for t in trials {
            let fields = ["\(t.number)", "\(t.round)", "\(t.group)"] + settings.sampler.space.parameters.map { $0.text(t.values[$0]!) }
                + [t.failed ? "failed" : "ok", t.val.map { "\($0)" } ?? "", t.test.map { "\($0)" } ?? "",
                   String(format: "%.1f", t.seconds), metric?.rawValue ?? ""]
            lines.append(fields.joined(separator: ","))
        }
        try AtomicDirectory.replaceFile(trialsFile, with: Data((lines.joined(separator: "\n") + "\n").utf8))
    }

    /// The trials of an earlier attempt and their metric (rank 0 reads, every rank gets them).
    func resumedTrials() throws -> ([SearchTrial], Metric?) {
        let text = try world.broadcast(string: world.isRoot ? (try? String(contentsOf: trialsFile, encoding: .utf8)) ?? "" : "")
        let lines = text.split(separator: "\n").map(String.init)
        guard let header = lines.first else { return ([], nil) }
        guard header == columns.joined(separator: ",") else {
            throw SearchError(description: "\(trialsFile.path): written by another search (columns \(header)); use another --output")
        }
        let metric = lines.dropFirst().lazy.compactMap { $0.split(separator: ",", omittingEmptySubsequences: false).last }
            .compactMap { Metric(rawValue: String($0)) }.first
        let trials = try lines.dropFirst().enumerated().map { index, line in
            let fields = line.split(separator: ",", omittingEmptySubsequences: false).map(String.init)
            func number(_ i: Int) throws -> Double {
                guard i < fields.count, let value = Double(fields[i]) else {
                    throw SearchError(description: "\(trialsFile.path) row \(index + 2): '\(i < fields.count ? fields[i] : "")' is not a number")
                }
                return value
            }
            let p = settings.sampler.space.parameters
            var values: [SearchSpace.Parameter: Double] = [:]
            for (i, parameter) in p.enumerated() {
                guard 3 + i < fields.count, let value = parameter.value(fields[3 + i]) else {
                    throw SearchError(description: "\(trialsFile.path) row \(index + 2): '\(fields[safe: 3 + i] ?? "")' is not a value of \(parameter.rawValue)")
                }
                values[parameter] = value
            }
            let failed = fields.count > 3 + p.count && fields[3 + p.count] == "failed"
            return SearchTrial(number: Int(try number(0)), round: Int(try number(1)), group: Int(try number(2)), values: values,
                               val: failed ? nil : try number(4 + p.count), test: Double(fields[safe: 5 + p.count] ?? ""),
                               seconds: try number(6 + p.count))
        }
        return (trials, metric)
    }

    // MARK: the best trial

    func writeBest(_ trials: [SearchTrial], metric: Metric, base: FinetuneSettings) throws {
        let scored = trials.filter { $0.val != nil }
        guard let best = scored.max(by: { a, b in metric.higherIsBetter ? a.val! < b.val! : a.val! > b.val! }) else {
            logger.warning("hpopt: no trial finished with a validation score; best.json not written")
            return
        }
        var settings = base
        for parameter in self.settings.sampler.space.parameters { parameter.apply(best.values[parameter]!, to: &settings) }
        let configuration = directory.appendingPathComponent("best-config.json")
        try settings.model.save(to: configuration)
        let flags = self.settings.sampler.space.parameters.compactMap { p in p.flag.map { "\($0) \(p.text(best.values[p]!))" } }
        // The recipe sets what the search did not draw.
        let recipe = base.recipe.map { ["--recipe \($0)"] } ?? []
        let pretrained = base.pretrained.map { ["--pretrained \($0)"] } ?? []
        let command = (["lgmcl-dist finetune"] + recipe + pretrained + ["--config \(configuration.path)"] + flags).joined(separator: " ")
        let record: [String: Any] = [
            "trial": best.number, "metric": metric.rawValue, "val": best.val!, "test": best.test ?? NSNull(),
            "values": Dictionary(uniqueKeysWithValues: best.values.map { ($0.key.rawValue, $0.value) }),
            "finetune": command,
        ]
        let data = try JSONSerialization.data(withJSONObject: record, options: [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes])
        try AtomicDirectory.replaceFile(directory.appendingPathComponent("best.json"), with: data)
        logger.info("hpopt: best trial \(best.number), val \(metric.rawValue) \(best.val!): \(describe(best.values)); \(command)")
    }
}

public struct SearchSettings: Sendable {
    /// What every trial starts from; `output` is the search's directory.
    public var base: FinetuneSettings
    public var trials: Int
    public var groups: Int
    public var trialsPerRound: Int
    public var sampler: TrialSampler

    public init(base: FinetuneSettings, trials: Int, groups: Int, trialsPerRound: Int, sampler: TrialSampler) {
        self.base = base
        self.trials = trials
        self.groups = groups
        self.trialsPerRound = trialsPerRound
        self.sampler = sampler
    }
}

/// One trial, as trials.csv holds it.
public struct SearchTrial: Sendable {
    public var number: Int
    public var round: Int
    public var group: Int
    public var values: [SearchSpace.Parameter: Double]
    /// Validation and test metric (mean over the seeds); nil when the trial failed.
    public var val: Double?
    public var test: Double?
    public var seconds: Double

    /// No validation score: the loss diverged, or the split has no validation part.
    public var failed: Bool { val == nil }
}

private extension Array {
    subscript(safe index: Int) -> Element? { indices.contains(index) ? self[index] : nil }
}
