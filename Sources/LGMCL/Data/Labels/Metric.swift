/// How a split is scored: ROC-AUC for classification, RMSE (or MAE) for regression.
public enum Metric: String, Codable, Sendable, CaseIterable {
    case rocAUC = "roc_auc"
    case rmse
    case mae

    /// Whether a larger value is a better model (for keeping the best validation epoch).
    public var higherIsBetter: Bool { self == .rocAUC }

    /// The metric users of the benchmarks expect for a task kind.
    public static func standard(for kind: TaskKind) -> Metric {
        kind == .classification ? .rocAUC : .rmse
    }
}
