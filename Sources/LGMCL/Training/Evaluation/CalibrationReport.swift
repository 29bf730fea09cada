import Foundation

/// One task's uncertainty metrics (UncertaintyMetrics); those that do not apply are nil.
public struct UncertaintyScores: Codable, Equatable, Sendable {
    // Regression, with a variance.
    public var nll: Double?
    public var miscalibrationArea: Double?
    public var ence: Double?
    public var spearman: Double?
    /// Regression: the fraction of labels inside the interval (Gaussian ŷ ± z·σ before
    /// calibration, conformal after).
    public var coverage: Double?
    // Classification.
    public var brier: Double?
    public var ece: Double?
    public var reliability: [UncertaintyMetrics.ReliabilityBin]?
}

public struct TaskCalibrationReport: Codable, Equatable, Sendable {
    public var task: String
    public var molecules: Int
    public var before: UncertaintyScores
    public var after: UncertaintyScores
}

/// What `finetune` writes under "calibration" in metrics.json: the ensemble's uncertainty on the
/// test split before and after the calibration fitted on the validation split.
public struct CalibrationReport: Codable, Equatable, Sendable {
    public var fittedOn: String
    public var evaluatedOn: String
    public var uncertainty: UncertaintySource
    public var method: String
    /// Regression: the intervals' nominal coverage.
    public var coverage: Double
    /// Classification: equal-width bins of the ECE and the reliability diagram.
    public var bins: Int
    public var tasks: [TaskCalibrationReport]

    public init(kind: TaskKind, calibration: Calibration, method: String, prediction: EnsemblePrediction, labels: TaskMatrix,
                evaluatedOn: String, coverage: Double = 0.9, bins: Int = 10) {
        fittedOn = calibration.fittedOn
        self.evaluatedOn = evaluatedOn
        uncertainty = prediction.source
        self.method = method
        self.coverage = coverage
        self.bins = bins
        tasks = calibration.tasks.indices.compactMap { t in
            let present = (0 ..< labels.rows).filter { !labels[$0, t].isNaN }
            guard !present.isEmpty else { return nil }
            let y = present.map { labels[$0, t] }, mean = present.map { prediction.mean[$0, t] }
            let variance = prediction.variance.map { v in present.map { v[$0, t] } }
            var before = UncertaintyScores(), after = UncertaintyScores()
            switch kind {
            case .classification:
                let calibrated = mean.map { calibration.probability($0, task: t) }
                before = Self.classificationScores(mean, y, bins: bins)
                after = Self.classificationScores(calibrated, y, bins: bins)
            case .regression:
                if let variance {
                    before = Self.regressionScores(mean, variance, y)
                    let z = UncertaintyMetrics.normalQuantile((1 + coverage) / 2)
                    before.coverage = UncertaintyMetrics.coverage(lower: mean.indices.map { mean[$0] - z * variance[$0].squareRoot() },
                                                                  upper: mean.indices.map { mean[$0] + z * variance[$0].squareRoot() }, targets: y)
                    after = Self.regressionScores(mean, variance.map { calibration.variance($0, task: t) }, y)
                }
                let intervals = mean.indices.compactMap { calibration.interval(mean: mean[$0], variance: variance?[$0], task: t, coverage: coverage) }
                if intervals.count == mean.count {
                    after.coverage = UncertaintyMetrics.coverage(lower: intervals.map(\.lowerBound), upper: intervals.map(\.upperBound), targets: y)
                }
            }
            return TaskCalibrationReport(task: calibration.tasks[t].task, molecules: present.count, before: before, after: after)
        }
    }

    static func classificationScores(_ p: [Double], _ y: [Double], bins: Int) -> UncertaintyScores {
        UncertaintyScores(nll: UncertaintyMetrics.classificationNLL(probabilities: p, labels: y),
                          brier: UncertaintyMetrics.brier(probabilities: p, labels: y),
                          ece: UncertaintyMetrics.expectedCalibrationError(probabilities: p, labels: y, bins: bins),
                          reliability: UncertaintyMetrics.reliability(probabilities: p, labels: y, bins: bins))
    }

    static func regressionScores(_ mean: [Double], _ variance: [Double], _ y: [Double]) -> UncertaintyScores {
        UncertaintyScores(nll: UncertaintyMetrics.regressionNLL(mean: mean, variance: variance, targets: y),
                          miscalibrationArea: UncertaintyMetrics.miscalibrationArea(mean: mean, variance: variance, targets: y),
                          ence: UncertaintyMetrics.expectedNormalizedError(mean: mean, variance: variance, targets: y),
                          spearman: UncertaintyMetrics.spearman(mean: mean, variance: variance, targets: y))
    }

    /// The lines `finetune` logs: per task, each metric before → after.
    public var summaryLines: [String] {
        tasks.map { task in
            func pair(_ name: String, _ key: KeyPath<UncertaintyScores, Double?>) -> String? {
                guard task.before[keyPath: key] != nil || task.after[keyPath: key] != nil else { return nil }
                let show = { (v: Double?) in v.map { String(format: "%.4f", $0) } ?? "n/a" }
                return "\(name) \(show(task.before[keyPath: key])) → \(show(task.after[keyPath: key]))"
            }
            let parts = [pair("NLL", \.nll), pair("Brier", \.brier), pair("ECE(\(bins) bins)", \.ece),
                         pair("miscalibration area", \.miscalibrationArea), pair("ENCE", \.ence), pair("Spearman(|error|, σ²)", \.spearman),
                         pair("coverage of \(Int((coverage * 100).rounded()))% intervals", \.coverage)].compactMap { $0 }
            return "calibration, \(task.task) (\(evaluatedOn), \(task.molecules) labelled): " + parts.joined(separator: ", ")
        }
    }
}
