/// One task's score over the molecules that have its label.
public struct TaskScore: Codable, Equatable, Sendable {
    public let task: String
    public let value: Double
    public let labelled: Int
}

/// A metric over the tasks of one split: each task over the molecules with a label, then the mean
/// over the tasks that could be scored. A task that cannot be scored (one class only, or no label
/// at all in the split) is skipped and named in `warnings`, which the caller prints or logs.
public struct Evaluation: Codable, Equatable, Sendable {
    public let metric: Metric
    public let perTask: [TaskScore]
    public let skippedTasks: [String]
    public let warnings: [String]

    /// Mean over the scored tasks; nil when no task could be scored.
    public var mean: Double? {
        perTask.isEmpty ? nil : perTask.map(\.value).reduce(0, +) / Double(perTask.count)
    }

    /// Scores `predictions` (probabilities, or values in the targets' units) against `labels`
    /// (NaN = missing; 0/1 for classification).
    public init(_ metric: Metric, predictions: TaskMatrix, labels: TaskMatrix, taskNames: [String]) {
        precondition(predictions.rows == labels.rows && predictions.tasks == labels.tasks,
                     "Evaluation: predictions \(predictions.rows)×\(predictions.tasks), labels \(labels.rows)×\(labels.tasks)")
        precondition(taskNames.count == labels.tasks, "Evaluation: \(taskNames.count) names for \(labels.tasks) tasks")
        self.metric = metric
        var perTask: [TaskScore] = [], skipped: [String] = [], warnings: [String] = []
        for task in 0..<labels.tasks {
            let name = taskNames[task]
            let present = (0..<labels.rows).filter { !labels[$0, task].isNaN }
            let truth = present.map { labels[$0, task] }
            let predicted = present.map { predictions[$0, task] }
            guard !present.isEmpty else {
                skipped.append(name)
                warnings.append("task '\(name)': no molecule in this split has a label; skipped")
                continue
            }
            switch metric {
            case .rocAUC:
                let positives = truth.map { $0 == 1 }
                guard let area = rocAUC(scores: predicted, labels: positives) else {
                    skipped.append(name)
                    let onlyClass = positives[0] ? 1 : 0
                    warnings.append("task '\(name)': all \(present.count) labelled molecules in this split are of class \(onlyClass), ROC-AUC is undefined; skipped")
                    continue
                }
                perTask.append(TaskScore(task: name, value: area, labelled: present.count))
            case .rmse:
                perTask.append(TaskScore(task: name, value: rootMeanSquaredError(predicted, truth), labelled: present.count))
            case .mae:
                perTask.append(TaskScore(task: name, value: meanAbsoluteError(predicted, truth), labelled: present.count))
            }
        }
        self.perTask = perTask
        skippedTasks = skipped
        self.warnings = warnings
    }
}

/// √(mean (p − y)²), as `sqrt(sklearn.metrics.mean_squared_error)`.
public func rootMeanSquaredError(_ predictions: [Double], _ targets: [Double]) -> Double {
    precondition(predictions.count == targets.count && !targets.isEmpty, "rootMeanSquaredError: \(predictions.count) vs \(targets.count) values")
    let sum = zip(predictions, targets).reduce(0.0) { $0 + ($1.0 - $1.1) * ($1.0 - $1.1) }
    return (sum / Double(targets.count)).squareRoot()
}

/// mean |p − y|, as `sklearn.metrics.mean_absolute_error`.
public func meanAbsoluteError(_ predictions: [Double], _ targets: [Double]) -> Double {
    precondition(predictions.count == targets.count && !targets.isEmpty, "meanAbsoluteError: \(predictions.count) vs \(targets.count) values")
    return zip(predictions, targets).reduce(0.0) { $0 + abs($1.0 - $1.1) } / Double(targets.count)
}
