import Foundation
@testable import LGMCL
import Testing
import TestSupport

/// The linear probe against scikit-learn (Fixtures/training/probe.json, written by
/// scripts/make_probe_fixtures.py): StandardScaler + Ridge(alpha) and + LogisticRegression(C),
/// predictions on held-out rows.
struct ProbeTests {
    struct Case: Decodable { let kind: String; let strength: Double; let targets: [Double]; let predictions: [Double] }
    struct Fixture: Decodable {
        let rows: Int, dimension: Int
        let features: [Double]
        let train: [Int], test: [Int]
        let cases: [Case]
    }

    static let fixture: Fixture = {
        let url = repositoryRoot.appendingPathComponent("Tests/LGMCLTests/Fixtures/training/probe.json")
        return try! JSONDecoder().decode(Fixture.self, from: Data(contentsOf: url))
    }()

    @Test(arguments: fixture.cases.indices)
    func probeMatchesScikitLearn(index: Int) throws {
        let f = Self.fixture, c = f.cases[index]
        let kind: LinearProbe.Kind = c.kind == "ridge" ? .ridge(alpha: c.strength) : .logistic(c: c.strength)
        let probe = try LinearProbe(kind, features: f.features, dimension: f.dimension, rows: f.train,
                                    targets: f.train.map { c.targets[$0] })
        let got = probe.predict(f.features, dimension: f.dimension, rows: f.test)
        // Ridge is closed-form on both sides; lbfgs stops at its tolerance, Newton at the optimum.
        let tolerance = c.kind == "ridge" ? 1e-9 : 1e-6
        for (i, (a, b)) in zip(got, c.predictions).enumerated() {
            #expect(abs(a - b) <= tolerance * max(1, abs(b)), "\(c.kind) \(c.strength), test row \(i): \(a) vs scikit-learn \(b)")
        }
    }
}
