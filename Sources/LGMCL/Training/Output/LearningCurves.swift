import Foundation

/// Per seed and epoch: the training loss and the validation metric, for the learning-curve CSV
/// and plot of a fine-tuning run.
public struct LearningCurves: Codable, Equatable, Sendable {
    public struct Point: Codable, Equatable, Sendable {
        public let seed: UInt64
        public let epoch: Int
        public let trainLoss: Double
        /// nil when the split had no task that could be scored.
        public let validation: Double?
        /// The training loss on the validation molecules; nil when none has a label.
        public let validationLoss: Double?

        public init(seed: UInt64, epoch: Int, trainLoss: Double, validation: Double?, validationLoss: Double? = nil) {
            self.seed = seed
            self.epoch = epoch
            self.trainLoss = trainLoss
            self.validation = validation
            self.validationLoss = validationLoss
        }
    }

    public let metric: Metric
    public private(set) var points: [Point] = []

    public init(metric: Metric) { self.metric = metric }

    public mutating func append(_ point: Point) { points.append(point) }

    public var seeds: [UInt64] {
        var seen = Set<UInt64>()
        return points.map(\.seed).filter { seen.insert($0).inserted }
    }

    /// Columns seed, epoch, train_loss, val_<metric>, val_loss; an unscored epoch has empty cells.
    public func csvData() throws -> Data {
        try CSVText.render(
            header: ["seed", "epoch", "train_loss", "val_\(metric.rawValue)", "val_loss"],
            rows: points.map { [String($0.seed), String($0.epoch), String($0.trainLoss), $0.validation.map { String($0) } ?? "",
                                $0.validationLoss.map { String($0) } ?? ""] })
    }

    /// Writes the table and the plot into `run`, each through a temporary file and a rename.
    public func write(to run: RunDirectory) throws {
        try CSVText.write(csvData(), to: run.learningCurves)
        try CSVText.write(Data(LearningCurvePlot(self).svg().utf8), to: run.learningCurvesPlot)
    }
}
