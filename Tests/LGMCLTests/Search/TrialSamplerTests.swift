import Foundation
@testable import LGMCL
import Testing

/// The draws of hpopt: reproducible from (seed, trial), inside each domain, and under TPE
/// drawn towards where the good trials were.
struct TrialSamplerTests {
    let space = SearchSpace()

    @Test func randomDrawsAreReproducibleAndInsideTheirDomains() {
        let sampler = TrialSampler(space: space, method: .random, seed: 7)
        for trial in 0 ..< 50 {
            let values = sampler.draw(trial: trial, after: [])
            #expect(values == sampler.draw(trial: trial, after: []))
            for parameter in space.parameters {
                let value = values[parameter]!
                switch parameter.domain {
                case .uniform(let low, let high), .logUniform(let low, let high): #expect(value >= low && value <= high, "\(parameter): \(value)")
                case .choice(let choices): #expect(choices.contains(value), "\(parameter): \(value)")
                }
            }
        }
        #expect(sampler.draw(trial: 3, after: []) != TrialSampler(space: space, method: .random, seed: 8).draw(trial: 3, after: []))
    }

    /// A one-parameter objective with its optimum at lr = 1e-3: the 30 draws after 8 random ones
    /// lie closer to it under TPE than the same trials' random draws, and TPE's last draws closer
    /// than its first.
    @Test func tpeDrawsTowardsTheBetterTrials() {
        let only = SearchSpace(parameters: [.learningRate])
        func distance(_ values: [SearchSpace.Parameter: Double]) -> Double { abs(log10(values[.learningRate]!) + 3) }
        func search(_ method: TrialSampler.Method) -> [Double] {
            let sampler = TrialSampler(space: only, method: method, seed: 11, startupTrials: 8)
            var finished: [TrialSampler.Finished] = []
            for trial in 0 ..< 38 {
                let values = sampler.draw(trial: trial, after: finished)
                finished.append(.init(values: values, score: -distance(values)))
            }
            return finished.dropFirst(8).map { -$0.score! }
        }
        let tpe = search(.tpe), random = search(.random)
        func mean(_ x: ArraySlice<Double>) -> Double { x.reduce(0, +) / Double(x.count) }
        #expect(mean(tpe[...]) < 0.6 * mean(random[...]), "TPE \(mean(tpe[...])) vs random \(mean(random[...]))")
        #expect(mean(tpe.suffix(10)) < mean(tpe.prefix(10)), "\(tpe)")
        // The first 8 trials are the same random draws under both methods.
        let startup = TrialSampler(space: only, method: .tpe, seed: 11, startupTrials: 8)
        #expect(startup.draw(trial: 5, after: []) == TrialSampler(space: only, method: .random, seed: 11).draw(trial: 5, after: []))
    }

    /// Each Parzen density is a probability density on its domain (truncated components
    /// renormalised): its integral over the domain is 1, and a choice's masses sum to 1.
    @Test func parzenDensitiesIntegrateToOne() {
        let domain = SearchSpace.Domain.logUniform(1e-4, 3e-3)
        let bounds = domain.bounds
        for points in [[], [bounds.lowerBound], [-8.0, -7.9, -6.0], [bounds.upperBound, bounds.upperBound - 0.01]] {
            let density = ParzenDensity(points: points, domain: domain)
            let n = 20_000, h = (bounds.upperBound - bounds.lowerBound) / Double(n)
            // Simpson's rule.
            var sum = density.density(bounds.lowerBound) + density.density(bounds.upperBound)
            for i in 1 ..< n { sum += Double(i % 2 == 0 ? 2 : 4) * density.density(bounds.lowerBound + Double(i) * h) }
            #expect(abs(sum * h / 3 - 1) < 1e-6, "points \(points): \(sum * h / 3)")
        }
        let choice = ParzenDensity(points: [0, 2, 2], domain: .choice([32, 64, 128]))
        let masses: [Double] = (0 ..< 3).map { choice.density(Double($0)) }
        #expect(abs(masses.reduce(0, +) - 1) < 1e-12)
        #expect(choice.density(2) == 3.0 / 6.0)
    }

    /// The readout is searched only when named, and then sets both graph encoders' pooling.
    @Test func readoutIsSearchedOnlyWhenNamed() throws {
        #expect(!SearchSpace().parameters.contains(.readout))
        #expect(SearchSpace().parameters.count == SearchSpace.Parameter.allCases.count - 1)
        #expect(try SearchSpace(names: "lr,readout").parameters == [.learningRate, .readout])
        var settings = FinetuneSettings(data: "", output: "", model: ModelConfiguration(preset: .tiny))
        SearchSpace.Parameter.readout.apply(1, to: &settings)
        #expect(settings.model.local.readout == .norm && settings.model.graphTransformer.readout == .norm)
        SearchSpace.Parameter.readout.apply(0, to: &settings)
        #expect(settings.model.local.readout == .mean && settings.model.graphTransformer.readout == .mean)
        #expect([0.0, 1].map { SearchSpace.Parameter.readout.value(SearchSpace.Parameter.readout.text($0)) } == [0, 1])
        #expect(SearchSpace.Parameter.readout.text(1) == "norm" && SearchSpace.Parameter.readout.flag == "--readout")
    }

    @Test func unknownSearchNamesAreRejected() {
        #expect(throws: SearchError.self) { try SearchSpace(names: "lr,depth") }
        #expect((try? SearchSpace(names: "lr, batch-size"))?.parameters == [.learningRate, .batchSize])
    }
}
