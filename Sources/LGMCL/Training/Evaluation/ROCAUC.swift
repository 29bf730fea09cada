/// Area under the ROC curve of one task, as scikit-learn's `roc_auc_score` computes it: the ROC
/// curve has one point per distinct score (tied scores move the curve diagonally at once), and
/// the area is the trapezoidal sum under those points. Equivalently, the probability that a
/// random positive scores above a random negative, ties counting one half.
///
/// - Parameters:
///   - scores: one score per molecule (higher means more likely positive).
///   - labels: `true` for positives.
/// - Returns: the area, or `nil` when the molecules hold only one class (the area is undefined);
///   NaN when a score is NaN (a diverged model has no ranking).
public func rocAUC(scores: [Double], labels: [Bool]) -> Double? {
    precondition(scores.count == labels.count, "rocAUC: \(scores.count) scores for \(labels.count) labels")
    let positives = labels.lazy.filter { $0 }.count
    let negatives = labels.count - positives
    guard positives > 0, negatives > 0 else { return nil }
    if scores.contains(where: \.isNaN) { return .nan }

    let order = scores.indices.sorted { scores[$0] > scores[$1] }
    var area = 0.0
    var truePositives = 0, falsePositives = 0
    var start = 0
    while start < order.count {
        // One ROC point per group of equal scores.
        var end = start
        var groupPositives = 0, groupNegatives = 0
        while end < order.count, scores[order[end]] == scores[order[start]] {
            if labels[order[end]] { groupPositives += 1 } else { groupNegatives += 1 }
            end += 1
        }
        // Trapezoid between the previous point and this one, in units of (negatives × positives).
        area += Double(groupNegatives) * (Double(truePositives) + Double(groupPositives) / 2)
        truePositives += groupPositives
        falsePositives += groupNegatives
        start = end
    }
    return area / (Double(positives) * Double(negatives))
}
