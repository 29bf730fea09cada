/// What the labels ask for: probabilities of 0/1 labels, or real values.
public enum TaskKind: String, Codable, Sendable, CaseIterable {
    case classification
    case regression

    /// The kind the labels imply, and why, for the run to say so: classification when every
    /// present label is 0 or 1, regression otherwise. Missing labels (NaN) say nothing.
    /// `describeRow` names a row of `labels` in the input (e.g. its line in the CSV file).
    public static func infer(from labels: TaskMatrix, taskNames: [String],
                             describeRow: (Int) -> String = { "row \($0 + 1)" }) -> (kind: TaskKind, reason: String) {
        var present = 0
        for task in 0..<labels.tasks {
            for row in 0..<labels.rows {
                let value = labels[row, task]
                if value.isNaN { continue }
                present += 1
                if value != 0, value != 1 {
                    return (.regression, "task '\(taskNames[task])' has the value \(formatLabel(value)) (\(describeRow(row))), which is not 0 or 1")
                }
            }
        }
        return (.classification, "all \(present) present labels of \(labels.tasks) task(s) are 0 or 1")
    }

    /// Labels a task kind accepts: classification needs 0/1 (or missing). Returns the first
    /// offending cell's description, or nil when the labels fit.
    public func firstMismatch(in labels: TaskMatrix, taskNames: [String],
                              describeRow: (Int) -> String = { "row \($0 + 1)" }) -> String? {
        guard self == .classification else { return nil }
        for row in 0..<labels.rows {
            for task in 0..<labels.tasks {
                let value = labels[row, task]
                if !value.isNaN, value != 0, value != 1 {
                    return "task '\(taskNames[task])' has the label \(formatLabel(value)) at \(describeRow(row)); classification needs 0 or 1"
                }
            }
        }
        return nil
    }
}

/// Labels are stored as Float32: one that is a Float prints as the Float it is (-0.77, not
/// -0.7699999809265137).
private func formatLabel(_ value: Double) -> String {
    if value == value.rounded() && abs(value) < 1e15 { return String(Int(value)) }
    return Float(exactly: value).map { "\($0)" } ?? "\(value)"
}
