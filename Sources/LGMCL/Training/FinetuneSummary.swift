/// One seed's outcome: the epoch kept and its scores.
public struct SeedResult: Codable, Sendable {
    public var seed: UInt64
    public var bestEpoch: Int
    public var epochsRun: Int
    /// Molecules trained on: the training split, or its `--train-fraction` subsample.
    public var trainCount: Int
    public var train: Evaluation
    public var val: Evaluation
    /// Nil when the split has no test part.
    public var test: Evaluation?
    public var seconds: Double
}

/// Mean and population standard deviation over seeds (numpy's `std`, as chemprop reports).
public struct SeedSpread: Codable, Sendable {
    public var mean: Double
    public var std: Double
    public var count: Int

    init?(_ values: [Double]) {
        guard !values.isEmpty else { return nil }
        count = values.count
        let mean = values.reduce(0, +) / Double(values.count)
        self.mean = mean
        std = (values.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / Double(values.count)).squareRoot()
    }
}

/// What `finetune` writes as metrics.json and returns to `benchmark moleculenet`.
public struct FinetuneSummary: Codable, Sendable {
    public var task: TaskKind
    public var tasks: [String]
    public var metric: Metric
    public var split: String
    public var epochs: Int
    public var preset: String
    public var pretrained: String?
    public var molecules: Int
    public var rejectedRows: Int
    public var seeds: [SeedResult]
    public var val: SeedSpread?
    public var test: SeedSpread?
    /// The seeds' ensemble on the shared test split before and after calibration; nil when the
    /// seeds do not share a split, or it has no validation part.
    public var calibration: CalibrationReport?
}
