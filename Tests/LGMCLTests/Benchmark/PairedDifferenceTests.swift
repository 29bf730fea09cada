import Foundation
@testable import LGMCL
import Testing
import TestSupport

/// The paired comparison against scipy.stats (Fixtures/training/paired.json, written by
/// scripts/make_paired_fixtures.py): t quantiles and paired-t intervals.
struct PairedDifferenceTests {
    struct Quantile: Decodable { let df: Int; let p: Double; let t: Double }
    struct Case: Decodable { let metric: String; let pretrained: [Double]; let scratch: [Double]; let mean: Double; let low: Double; let high: Double }
    struct Fixture: Decodable { let quantiles: [Quantile]; let cases: [Case] }

    static let fixture: Fixture = {
        let url = repositoryRoot.appendingPathComponent("Tests/LGMCLTests/Fixtures/training/paired.json")
        return try! JSONDecoder().decode(Fixture.self, from: Data(contentsOf: url))
    }()

    @Test func studentQuantilesMatchScipy() {
        for q in Self.fixture.quantiles {
            let t = PairedDifference.studentQuantile(q.p, degreesOfFreedom: q.df)
            #expect(abs(t - q.t) <= 1e-10 * q.t, "t(\(q.p), \(q.df)) = \(t), scipy \(q.t)")
        }
    }

    @Test func pairedIntervalsMatchScipy() {
        for c in Self.fixture.cases {
            let d = PairedDifference(pretrained: c.pretrained, scratch: c.scratch, metric: Metric(rawValue: c.metric)!)
            #expect(abs(d.mean - c.mean) < 1e-14 && d.count == c.pretrained.count)
            #expect(abs((d.interval?.lowerBound ?? .nan) - c.low) < 1e-12 && abs((d.interval?.upperBound ?? .nan) - c.high) < 1e-12,
                    "\(String(describing: d.interval)) vs scipy [\(c.low), \(c.high)]")
        }
        #expect(PairedDifference(pretrained: [0.8], scratch: [0.7], metric: .rocAUC).interval == nil)
    }
}
