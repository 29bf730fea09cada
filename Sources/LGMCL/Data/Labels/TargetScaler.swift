/// Standardization of regression targets, fitted on the training split only (so nothing of val
/// or test leaks into training) and saved with the model, so that predictions come back in the
/// targets' units.
public struct TargetScaler: Codable, Equatable, Sendable {
    public let means: [Double]
    /// Population standard deviations (as chemprop's StandardScaler); 1 where a task's training
    /// labels are constant or missing, so such a task is left unscaled rather than divided by 0.
    public let stds: [Double]

    public init(means: [Double], stds: [Double]) {
        precondition(means.count == stds.count, "TargetScaler: \(means.count) means, \(stds.count) stds")
        self.means = means
        self.stds = stds
    }

    /// Fits on the present labels of `trainRows`.
    public init(fitting labels: TaskMatrix, trainRows: [Int]) {
        var means: [Double] = [], stds: [Double] = []
        for task in 0..<labels.tasks {
            let values = trainRows.map { labels[$0, task] }.filter { !$0.isNaN }
            guard !values.isEmpty else {
                means.append(0)
                stds.append(1)
                continue
            }
            let mean = values.reduce(0, +) / Double(values.count)
            let variance = values.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / Double(values.count)
            means.append(mean)
            stds.append(variance > 0 ? variance.squareRoot() : 1)
        }
        self.init(means: means, stds: stds)
    }

    /// (y − mean) / std per task; missing stays missing.
    public func standardized(_ labels: TaskMatrix) -> TaskMatrix {
        precondition(labels.tasks == means.count, "TargetScaler: \(labels.tasks) tasks, fitted on \(means.count)")
        var result = labels
        for row in 0..<labels.rows {
            for task in 0..<labels.tasks { result[row, task] = (labels[row, task] - means[task]) / stds[task] }
        }
        return result
    }

    /// Back to the targets' units: y = z·std + mean.
    public func destandardized(_ predictions: TaskMatrix) -> TaskMatrix {
        precondition(predictions.tasks == means.count, "TargetScaler: \(predictions.tasks) tasks, fitted on \(means.count)")
        var result = predictions
        for row in 0..<predictions.rows {
            for task in 0..<predictions.tasks { result[row, task] = predictions[row, task] * stds[task] + means[task] }
        }
        return result
    }

    /// Variances predicted on the standardized scale, in the targets' squared units (σ² · std²).
    public func destandardizedVariances(_ variances: TaskMatrix) -> TaskMatrix {
        precondition(variances.tasks == stds.count, "TargetScaler: \(variances.tasks) tasks, fitted on \(stds.count)")
        var result = variances
        for row in 0..<variances.rows {
            for task in 0..<variances.tasks { result[row, task] = variances[row, task] * stds[task] * stds[task] }
        }
        return result
    }
}
