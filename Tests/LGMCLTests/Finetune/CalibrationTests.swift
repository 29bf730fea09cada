import Foundation
@testable import LGMCL
import Testing
import TestSupport

/// Calibration and uncertainty metrics against chemprop 2.3.1's evaluators and calibrators,
/// scikit-learn and numpy (Fixtures/finetune/calibration.json, scripts/make_calibration_fixtures.py).
struct CalibrationTests {
    struct Fixture: Decodable {
        struct RegressionData: Decodable { let mean: [[Double]]; let variance: [[Double]]; let targets: [[Double]] }
        struct Regression: Decodable {
            let calibration: RegressionData, test: RegressionData
            let metrics: [String: [Double]]
            let zScaling: [Double], zScalingExact: [Double]
            let conformalQuantile: [String: [String: [Double]]]
        }
        struct ClassificationData: Decodable { let probability: [[Double]]; let targets: [[Double]]; let mask: [[Bool]] }
        struct Pair: Decodable { let a: [Double]; let b: [Double] }
        struct Classification: Decodable {
            let calibration: ClassificationData, test: ClassificationData
            let metrics: [String: [Double]]
            let platt: Pair, plattExact: Pair
            let isotonicTest: [[Double]]
        }
        let regression: Regression
        let classification: Classification
    }

    static let fixture: Fixture = {
        let url = repositoryRoot.appendingPathComponent("Tests/LGMCLTests/Fixtures/finetune/calibration.json")
        return try! JSONDecoder().decode(Fixture.self, from: Data(contentsOf: url))
    }()

    static func close(_ a: Double, _ b: Double, _ tolerance: Double) -> Bool { abs(a - b) <= tolerance * max(1, abs(b)) }

    /// Task j's column of a molecules × tasks table, where `mask` (if any) says it is present.
    static func column(_ rows: [[Double]], _ j: Int, mask: [[Bool]]? = nil) -> [Double] {
        rows.indices.filter { mask?[$0][j] ?? true }.map { rows[$0][j] }
    }

    @Test func regressionMetricsMatchChemprop() {
        let r = Self.fixture.regression, test = r.test
        for j in 0 ..< 2 {
            let (mean, variance, y) = (Self.column(test.mean, j), Self.column(test.variance, j), Self.column(test.targets, j))
            // chemprop's miscalibration area and Spearman run in float32.
            let got: [(String, Double, Double)] = [
                ("nll", UncertaintyMetrics.regressionNLL(mean: mean, variance: variance, targets: y), 1e-12),
                ("miscalibrationArea", UncertaintyMetrics.miscalibrationArea(mean: mean, variance: variance, targets: y), 1e-6),
                ("ence", UncertaintyMetrics.expectedNormalizedError(mean: mean, variance: variance, targets: y), 1e-12),
                ("spearman", UncertaintyMetrics.spearman(mean: mean, variance: variance, targets: y), 1e-6),
            ]
            for (name, value, tolerance) in got {
                #expect(Self.close(value, r.metrics[name]![j], tolerance), "task \(j) \(name): \(value) vs chemprop \(r.metrics[name]![j])")
            }
            let z = UncertaintyMetrics.normalQuantile(0.95)
            #expect(Self.close(z, 1.6448536269514722, 1e-14))
            let coverage = UncertaintyMetrics.coverage(lower: mean.indices.map { mean[$0] - z * variance[$0].squareRoot() },
                                                       upper: mean.indices.map { mean[$0] + z * variance[$0].squareRoot() }, targets: y)
            #expect(Self.close(coverage, r.metrics["coverage"]![j], 1e-6), "task \(j) coverage \(coverage)")
        }
    }

    @Test func inverseErfInvertsErf() {
        for y in stride(from: -0.999, through: 0.999, by: 0.0371) {
            let x = UncertaintyMetrics.inverseErf(y)
            #expect(abs(erf(x) - y) <= 4e-16, "erf(inverseErf(\(y))) = \(erf(x))")
        }
    }

    /// Fitted on the calibration half with the test half's predictions: z-scaling (closed form,
    /// chemprop's Nelder–Mead within its tolerance) and the conformal quantile (exact choice of score).
    @Test func regressionCalibrationMatchesChemprop() {
        let r = Self.fixture.regression, cal = r.calibration
        let tasks = ["a", "b"]
        func matrix(_ rows: [[Double]]) -> TaskMatrix { TaskMatrix(rows: rows.count, tasks: 2, values: rows.flatMap { $0 }) }
        for source in [UncertaintySource.ensemble, .none] {
            let calibration = Calibration(kind: .regression, method: .platt, taskNames: tasks, mean: matrix(cal.mean),
                                          variance: source == .none ? nil : matrix(cal.variance), source: source,
                                          labels: matrix(cal.targets), fittedOn: "fixture")
            for j in 0 ..< 2 {
                if source == .ensemble {
                    let s = calibration.tasks[j].varianceScale!
                    #expect(Self.close(s, r.zScalingExact[j], 1e-12) && Self.close(s, r.zScaling[j], 1e-4), "task \(j): z-scale \(s)")
                } else {
                    #expect(calibration.tasks[j].varianceScale == nil)
                }
                for (coverage, quantiles) in r.conformalQuantile {
                    let q = calibration.tasks[j].conformal!.quantile(coverage: Double(coverage)!)
                    let expected = quantiles[source == .none ? "absolute" : "normalized"]![j]
                    #expect(Self.close(q, expected, 1e-12), "task \(j) coverage \(coverage) \(source): q \(q) vs chemprop \(expected)")
                }
            }
            // The interval is q around the mean (|error| scores) or q·σ (normalized), and covers at
            // least the nominal fraction of the molecules it was fitted on.
            for j in 0 ..< 2 {
                let q = calibration.tasks[j].conformal!.quantile(coverage: 0.9)
                let covered = cal.mean.indices.filter { i in
                    let interval = calibration.interval(mean: cal.mean[i][j], variance: source == .none ? nil : cal.variance[i][j], task: j, coverage: 0.9)!
                    let half = source == .none ? q : q * cal.variance[i][j].squareRoot()
                    #expect(Self.close(interval.upperBound - cal.mean[i][j], half, 1e-12))
                    return interval.contains(cal.targets[i][j])
                }.count
                #expect(Double(covered) >= 0.9 * Double(cal.mean.count), "task \(j): \(covered) of \(cal.mean.count) covered")
            }
        }
    }

    @Test func classificationMetricsMatchChempropAndScikitLearn() {
        let c = Self.fixture.classification, test = c.test
        for j in 0 ..< 2 {
            let p = Self.column(test.probability, j, mask: test.mask), y = Self.column(test.targets, j, mask: test.mask)
            let nll = UncertaintyMetrics.classificationNLL(probabilities: p, labels: y)
            let brier = UncertaintyMetrics.brier(probabilities: p, labels: y)
            let ece = UncertaintyMetrics.expectedCalibrationError(probabilities: p, labels: y, bins: 10)
            #expect(Self.close(nll, c.metrics["nll"]![j], 1e-12), "task \(j) NLL \(nll)")
            #expect(Self.close(brier, c.metrics["brier"]![j], 1e-12), "task \(j) Brier \(brier)")
            #expect(Self.close(ece, c.metrics["ece10"]![j], 1e-12), "task \(j) ECE \(ece)")
            let bins = UncertaintyMetrics.reliability(probabilities: p, labels: y, bins: 10)
            #expect(bins.map(\.count).reduce(0, +) == p.count)
        }
    }

    /// Platt's a and b at the likelihood's optimum (chemprop's Nelder–Mead within 1e-4), isotonic
    /// regression's map equal to scikit-learn's on test probabilities (ties and both clips included).
    @Test func probabilityCalibrationMatchesChemprop() {
        let c = Self.fixture.classification, cal = c.calibration
        func matrix(_ rows: [[Double]], mask: [[Bool]]? = nil) -> TaskMatrix {
            TaskMatrix(rows: rows.count, tasks: 2, values: rows.indices.flatMap { i in (0 ..< 2).map { mask?[i][$0] == false ? .nan : rows[i][$0] } })
        }
        let labels = matrix(cal.targets, mask: cal.mask)
        func fitted(_ method: ProbabilityCalibration) -> Calibration {
            Calibration(kind: .classification, method: method, taskNames: ["a", "b"], mean: matrix(cal.probability), variance: nil,
                        source: .none, labels: labels, fittedOn: "fixture")
        }
        let platt = fitted(.platt), isotonic = fitted(.isotonic)
        for j in 0 ..< 2 {
            let fitted = platt.tasks[j].platt!
            #expect(Self.close(fitted.a, c.plattExact.a[j], 1e-7) && Self.close(fitted.b, c.plattExact.b[j], 1e-7),
                    "task \(j): a \(fitted.a), b \(fitted.b) vs optimum \(c.plattExact.a[j]), \(c.plattExact.b[j])")
            #expect(Self.close(fitted.a, c.platt.a[j], 1e-3) && Self.close(fitted.b, c.platt.b[j], 1e-3))
            for (i, row) in c.test.probability.enumerated() {
                let got = isotonic.probability(row[j], task: j)
                #expect(Self.close(got, c.isotonicTest[i][j], 1e-12), "task \(j) molecule \(i): isotonic \(got) vs sklearn \(c.isotonicTest[i][j])")
            }
        }
    }

    /// A classification task whose validation labels are all one class has no map: its
    /// probabilities pass through, and predict leaves its calibrated cell empty.
    @Test func aOneClassTaskIsLeftUncalibrated() {
        let prediction = EnsemblePrediction(mean: TaskMatrix(rows: 3, tasks: 1, values: [0.2, 0.5, 0.9]), variance: nil, source: .none)
        let calibration = Calibration(kind: .classification, method: .platt, taskNames: ["t"], mean: prediction.mean, variance: nil,
                                      source: .none, labels: TaskMatrix(rows: 3, tasks: 1, values: [1, 1, .nan]), fittedOn: "test")
        #expect(calibration.tasks[0].platt == nil && calibration.probability(0.3, task: 0) == 0.3)
        let written = CalibratedPrediction(prediction, kind: .classification, calibration: calibration, coverage: 0.9)
        #expect(written.suffixes == ["_calibrated"] && written.rows[0][1].isNaN)
        let mismatched = CalibratedPrediction(EnsemblePrediction(mean: prediction.mean, variance: prediction.mean, source: .dropout),
                                              kind: .classification, calibration: calibration, coverage: 0.9)
        #expect(mismatched.suffixes == ["_unc"] && mismatched.note?.contains("fitted for uncertainty from none") == true)
    }
}
