import Foundation
import LGMCL
import Testing
import TestSupport

/// Evaluation against scikit-learn (ROC-AUC, RMSE, MAE, StandardScaler) and PyTorch (masked BCE),
/// from Fixtures/finetune/metrics.json written by scripts/make_metric_fixtures.py.
struct MetricTests {
    struct Fixtures: Decodable {
        struct ROC: Decodable { let scores: [Double]; let labels: [Int]; let auc: Double }
        struct Tasks: Decodable {
            let rows: Int, tasks: Int
            let labels: [Double?], scores: [Double], auc: [Double?]
            let targets: [Double?], values: [Double], rmse: [Double?], mae: [Double?]
        }
        struct Scaler: Decodable { let rows: Int, tasks: Int; let labels: [Double?]; let train: [Int]; let means: [Double]; let stds: [Double] }
        struct BCE: Decodable { let logits: [Double]; let labels: [Double?]; let sum: Double; let count: Int; let gradient_of_mean: [Double] }
        let roc_auc: [ROC]
        let tasks: [Tasks]
        let scaler: Scaler
        let bce: BCE
    }

    static let fixtures: Fixtures = {
        let url = repositoryRoot.appendingPathComponent("Tests/LGMCLTests/Fixtures/finetune/metrics.json")
        return try! JSONDecoder().decode(Fixtures.self, from: Data(contentsOf: url))
    }()

    static func matrix(_ values: [Double?], rows: Int, tasks: Int) -> TaskMatrix {
        TaskMatrix(rows: rows, tasks: tasks, values: values.map { $0 ?? .nan })
    }

    static func close(_ a: Double, _ b: Double, atol: Double = 1e-12, rtol: Double = 1e-12) -> Bool {
        abs(a - b) <= atol + rtol * abs(b)
    }

    @Test func rocAUCMatchesScikitLearnIncludingTies() {
        for (index, c) in Self.fixtures.roc_auc.enumerated() {
            let got = rocAUC(scores: c.scores, labels: c.labels.map { $0 == 1 })
            #expect(got.map { Self.close($0, c.auc) } == true, "case \(index): \(String(describing: got)) vs sklearn \(c.auc)")
        }
    }

    @Test func rocAUCIsUndefinedForOneClass() {
        #expect(rocAUC(scores: [0.1, 0.5, 0.9], labels: [true, true, true]) == nil)
        #expect(rocAUC(scores: [0.1, 0.5], labels: [false, false]) == nil)
    }

    @Test func perTaskROCAUCSkipsOneClassAndUnlabelledTasks() throws {
        let c = try #require(Self.fixtures.tasks.first)
        let names = (0..<c.tasks).map { "t\($0)" }
        let evaluation = Evaluation(.rocAUC, predictions: TaskMatrix(rows: c.rows, tasks: c.tasks, values: c.scores),
                                    labels: Self.matrix(c.labels, rows: c.rows, tasks: c.tasks), taskNames: names)
        let expected = c.auc.enumerated().compactMap { index, auc in auc.map { (names[index], $0) } }
        #expect(evaluation.perTask.map(\.task) == expected.map(\.0))
        for (score, want) in zip(evaluation.perTask, expected) {
            #expect(Self.close(score.value, want.1), "\(score.task): \(score.value) vs sklearn \(want.1)")
        }
        let mean = expected.map(\.1).reduce(0, +) / Double(expected.count)
        #expect(Self.close(try #require(evaluation.mean), mean))
        // t2 has one class, t4 no labels: both skipped and explained.
        #expect(evaluation.skippedTasks == ["t2", "t4"])
        #expect(evaluation.warnings.count == 2)
        #expect(evaluation.warnings[0].contains("'t2'") && evaluation.warnings[0].contains("class 1"))
    }

    @Test func regressionMetricsMatchScikitLearnOverPresentTargets() throws {
        let c = try #require(Self.fixtures.tasks.first)
        let names = (0..<c.tasks).map { "t\($0)" }
        let predictions = TaskMatrix(rows: c.rows, tasks: c.tasks, values: c.values)
        let targets = Self.matrix(c.targets, rows: c.rows, tasks: c.tasks)
        for (metric, expected) in [(Metric.rmse, c.rmse), (.mae, c.mae)] {
            let evaluation = Evaluation(metric, predictions: predictions, labels: targets, taskNames: names)
            let want = expected.compactMap { $0 }
            #expect(evaluation.perTask.count == want.count)
            for (score, value) in zip(evaluation.perTask, want) {
                #expect(Self.close(score.value, value, rtol: 1e-12), "\(metric) \(score.task): \(score.value) vs sklearn \(value)")
            }
            #expect(evaluation.skippedTasks == ["t4"])
        }
    }

    @Test func evaluationWithNoScorableTaskHasNoMean() {
        let labels = TaskMatrix(rows: 3, tasks: 1, values: [1, 1, .nan])
        let evaluation = Evaluation(.rocAUC, predictions: TaskMatrix(rows: 3, tasks: 1, repeating: 0.5), labels: labels, taskNames: ["a"])
        #expect(evaluation.mean == nil)
        #expect(evaluation.skippedTasks == ["a"])
    }

    @Test func targetScalerMatchesStandardScalerOnTrainingRows() {
        let c = Self.fixtures.scaler
        let labels = Self.matrix(c.labels, rows: c.rows, tasks: c.tasks)
        let scaler = TargetScaler(fitting: labels, trainRows: c.train)
        for task in 0..<c.tasks {
            #expect(Self.close(scaler.means[task], c.means[task], atol: 1e-12, rtol: 1e-12))
            #expect(Self.close(scaler.stds[task], c.stds[task], atol: 1e-12, rtol: 1e-12))
        }
        let roundTrip = scaler.destandardized(scaler.standardized(labels))
        for (a, b) in zip(roundTrip.values, labels.values) {
            #expect(a.isNaN ? b.isNaN : Self.close(a, b, atol: 1e-12, rtol: 1e-12))
        }
    }

    @Test func targetScalerLeavesConstantTasksUnscaled() {
        let labels = TaskMatrix(rows: 3, tasks: 2, values: [2, .nan, 2, .nan, 2, .nan])
        let scaler = TargetScaler(fitting: labels, trainRows: [0, 1, 2])
        #expect(scaler.means == [2, 0])
        #expect(scaler.stds == [1, 1])
    }

    @Test func maskedBCESharesOfTheGlobalCountAddUpToPyTorchsMean() throws {
        let c = Self.fixtures.bce
        let labels = c.labels.map { $0 ?? .nan }
        // Three "ranks" holding uneven shares of the batch (one of them without any label would
        // still divide by the global count).
        let cuts = [0, 5, 6, c.logits.count]
        let shards = (0..<3).map { rank in
            (logits: Tensor(Array(c.logits[cuts[rank]..<cuts[rank + 1]]), shape: [cuts[rank + 1] - cuts[rank], 1]).requiringGradient(),
             targets: MaskedTargets(Tensor(Array(labels[cuts[rank]..<cuts[rank + 1]]), shape: [cuts[rank + 1] - cuts[rank], 1])))
        }
        let globalCount = shards.map(\.targets.count).reduce(0, +)
        #expect(globalCount == c.count)
        var total = 0.0, gradient: [Double] = []
        for shard in shards {
            let loss = FinetuneLoss.loss(.classification, outputs: shard.logits, targets: shard.targets, globalCount: globalCount)
            loss.backward()
            total += loss.item()
            gradient += try #require(shard.logits.gradient).scalars
        }
        #expect(Self.close(total, c.sum / Double(c.count), atol: 1e-12, rtol: 1e-12), "\(total) vs torch \(c.sum / Double(c.count))")
        for (a, b) in zip(gradient, c.gradient_of_mean) { #expect(Self.close(a, b, atol: 1e-14, rtol: 1e-12), "\(a) vs torch \(b)") }
    }

    @Test func squaredErrorCountsAndDifferentiatesOnlyPresentTargets() throws {
        let predictions = Tensor<Double>([1, 2, 3, 4], shape: [2, 2]).requiringGradient()
        let targets = MaskedTargets(Tensor<Double>([1.5, .nan, 1, 4], shape: [2, 2]))
        #expect(targets.count == 3 && targets.mask.scalars == [1, 0, 1, 1] && targets.filled.scalars == [1.5, 0, 1, 4])
        let loss = FinetuneLoss.loss(.regression, outputs: predictions, targets: targets, globalCount: 5)
        #expect(Self.close(loss.item(), (0.25 + 4) / 5))
        loss.backward()
        // d/dp (p − y)²/5 = 2(p − y)/5 where present, 0 where missing.
        #expect(try #require(predictions.gradient).scalars.enumerated().allSatisfy { i, g in Self.close(g, [-0.2, 0, 0.8, 0][i]) })
        let none = FinetuneLoss.loss(.regression, outputs: predictions, targets: MaskedTargets(Tensor<Double>([.nan, .nan, .nan, .nan], shape: [2, 2])), globalCount: 0)
        #expect(none.item() == 0)
    }

    /// The mean–variance loss, term by term from its definition, with the gradients
    /// d/dμ = (μ − y)/σ² and d/dσ² = 1/(2σ²) − (μ − y)²/(2σ⁴) over the count, 0 where missing.
    @Test func gaussianNegativeLogLikelihoodCountsOnlyPresentTargets() throws {
        let mean = Tensor<Double>([1, 2, 3, 4], shape: [2, 2]).requiringGradient()
        let variance = Tensor<Double>([0.5, 1, 2, 4], shape: [2, 2]).requiringGradient()
        let targets = MaskedTargets(Tensor<Double>([1.5, .nan, 1, 5], shape: [2, 2]))
        let loss = FinetuneLoss.gaussianNegativeLogLikelihood(mean: mean, variance: variance, targets: targets, globalCount: 4)
        let present: [(m: Double, v: Double, y: Double)] = [(1, 0.5, 1.5), (3, 2, 1), (4, 4, 5)]
        func term(_ m: Double, _ v: Double, _ y: Double) -> Double {
            let logPart = 0.5 * log(2 * Double.pi * v)
            return logPart + (m - y) * (m - y) / (2 * v)
        }
        let expected = present.map { term($0.m, $0.v, $0.y) }.reduce(0, +) / 4
        #expect(Self.close(loss.item(), expected), "\(loss.item()) vs \(expected)")
        loss.backward()
        // Present entries 0, 2, 3 (entry 1 is missing): (μ − y)/σ²/4 and (1/(2σ²) − (μ − y)²/(2σ⁴))/4.
        let dMean: [Double] = [-0.25, 0, 0.25, -0.0625]
        let dVariance: [Double] = [0.125, 0, -0.0625, 0.0234375]
        for (i, g) in try #require(mean.gradient).scalars.enumerated() { #expect(Self.close(g, dMean[i]), "dμ[\(i)] \(g) vs \(dMean[i])") }
        for (i, g) in try #require(variance.gradient).scalars.enumerated() {
            #expect(Self.close(g, dVariance[i]), "dσ²[\(i)] \(g) vs \(dVariance[i])")
        }
    }

    @Test func taskKindInferenceSaysWhy() {
        let binary = TaskMatrix(rows: 3, tasks: 2, values: [0, 1, .nan, 1, 1, 0])
        let inferred = TaskKind.infer(from: binary, taskNames: ["a", "b"])
        #expect(inferred.kind == .classification)
        #expect(inferred.reason.contains("5 present labels"))
        let real = TaskMatrix(rows: 2, tasks: 1, values: [0, -0.77])
        let regression = TaskKind.infer(from: real, taskNames: ["logS"], describeRow: { "esol.csv row \($0 + 1)" })
        #expect(regression.kind == .regression)
        #expect(regression.reason.contains("-0.77") && regression.reason.contains("esol.csv row 2"))
        #expect(TaskKind.classification.firstMismatch(in: real, taskNames: ["logS"]) != nil)
        #expect(TaskKind.classification.firstMismatch(in: binary, taskNames: ["a", "b"]) == nil)
    }
}
