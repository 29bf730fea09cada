import Foundation

/// Draws each trial's hyperparameters: at random, or by a tree-structured Parzen estimator (TPE;
/// Bergstra et al., NeurIPS 2011) once enough trials have finished.
///
/// A trial's draw depends only on (seed, trial number, parameter) and on the results of the
/// trials before its round, never on which group ran what or when: a search gives the same trials
/// on any number of groups with the same round size.
///
/// TPE, per parameter (independent, as hyperopt's): the finished trials are ranked by validation
/// score; the best ⌈γ·n⌉ (γ = 0.25) are the good ones, the rest the bad ones. Each set gives a
/// density over the parameter's coordinate — for continuous ones a Parzen mixture, one Gaussian per
/// point (bandwidth by Scott's rule, 1.06·sd·n^(−1/5), kept within [range/20, range]) plus the
/// uniform prior as one more component; for choices the counts plus one. 24 candidates drawn from
/// the good density compete; the one with the largest good/bad density ratio is the draw.
public struct TrialSampler: Sendable {
    public enum Method: String, CaseIterable, Sendable {
        case random, tpe
    }

    public let space: SearchSpace
    public let method: Method
    public let seed: UInt64
    /// Random draws before TPE takes over.
    public let startupTrials: Int
    static let goodFraction = 0.25
    static let candidates = 24

    public init(space: SearchSpace, method: Method, seed: UInt64, startupTrials: Int = 8) {
        self.space = space
        self.method = method
        self.seed = seed
        self.startupTrials = startupTrials
    }

    /// A finished trial: its values (by parameter) and its score, oriented so that larger is
    /// better; nil when it did not finish (diverged), which TPE counts among the bad ones.
    public struct Finished: Sendable {
        public let values: [SearchSpace.Parameter: Double]
        public let score: Double?

        public init(values: [SearchSpace.Parameter: Double], score: Double?) {
            self.values = values
            self.score = score
        }
    }

    /// The values of trial `number` (0-based), given the trials finished before its round.
    public func draw(trial number: Int, after finished: [Finished]) -> [SearchSpace.Parameter: Double] {
        var values: [SearchSpace.Parameter: Double] = [:]
        let useTPE = method == .tpe && finished.count >= startupTrials && finished.contains { $0.score != nil }
        let ranked = finished.enumerated().sorted { a, b in
            // Best first; unfinished last; ties by trial order, so the split is reproducible.
            switch (a.element.score, b.element.score) {
            case let (x?, y?): x != y ? x > y : a.offset < b.offset
            case (_?, nil): true
            case (nil, _?): false
            case (nil, nil): a.offset < b.offset
            }
        }.map(\.element)
        let goodCount = max(1, Int((Self.goodFraction * Double(ranked.count)).rounded(.up)))
        for (index, parameter) in space.parameters.enumerated() {
            var random = SplitMix64(seed: seed, epoch: UInt64(number), stream: UInt64(index))
            let domain = parameter.domain
            guard useTPE else {
                values[parameter] = domain.value(Self.uniformCoordinate(domain, &random))
                continue
            }
            let coordinates = ranked.map { domain.coordinate($0.values[parameter] ?? domain.value(domain.bounds.lowerBound)) }
            let good = Array(coordinates.prefix(goodCount)), bad = Array(coordinates.dropFirst(goodCount))
            let l = ParzenDensity(points: good, domain: domain), g = ParzenDensity(points: bad, domain: domain)
            var best = l.sample(&random), bestRatio = -Double.infinity
            for _ in 0 ..< Self.candidates {
                let candidate = l.sample(&random)
                let ratio = Foundation.log(l.density(candidate)) - Foundation.log(g.density(candidate))
                if ratio > bestRatio { best = candidate; bestRatio = ratio }
            }
            values[parameter] = domain.value(best)
        }
        return values
    }

    static func uniformCoordinate(_ domain: SearchSpace.Domain, _ random: inout SplitMix64) -> Double {
        if case .choice(let choices) = domain { return Double(Int(random.next() % UInt64(choices.count))) }
        let bounds = domain.bounds
        return bounds.lowerBound + unit(&random) * (bounds.upperBound - bounds.lowerBound)
    }

    /// Uniform on [0, 1): the top 53 bits.
    static func unit(_ random: inout SplitMix64) -> Double { Double(random.next() >> 11) * 0x1p-53 }
}

/// A density over one parameter's coordinate from observed points: for continuous domains a
/// mixture of Gaussians (one per point) and the uniform prior, each component truncated to the
/// domain and renormalised; for choices the smoothed frequencies.
struct ParzenDensity {
    let points: [Double]
    let domain: SearchSpace.Domain
    let bandwidth: Double

    init(points: [Double], domain: SearchSpace.Domain) {
        self.points = points
        self.domain = domain
        let bounds = domain.bounds, range = bounds.upperBound - bounds.lowerBound
        let n = Double(points.count)
        let mean = points.reduce(0, +) / max(n, 1)
        let sd = (points.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / max(n, 1)).squareRoot()
        bandwidth = min(max(1.06 * sd * pow(max(n, 1), -0.2), range / 20), range)
    }

    func density(_ x: Double) -> Double {
        let bounds = domain.bounds, range = bounds.upperBound - bounds.lowerBound
        if case .choice(let choices) = domain {
            let count = points.filter { $0 == x }.count
            return Double(count + 1) / Double(points.count + choices.count)
        }
        let components = Double(points.count + 1)
        var total = 1 / range   // the prior
        for p in points {
            let mass = normalCDF((bounds.upperBound - p) / bandwidth) - normalCDF((bounds.lowerBound - p) / bandwidth)
            let z = (x - p) / bandwidth
            total += exp(-z * z / 2) / (bandwidth * (2 * Double.pi).squareRoot() * mass)
        }
        return total / components
    }

    func sample(_ random: inout SplitMix64) -> Double {
        let bounds = domain.bounds
        if case .choice(let choices) = domain {
            // Frequencies plus one: draw an index with weight count + 1.
            let weights = choices.indices.map { i in Double(points.filter { $0 == Double(i) }.count + 1) }
            var u = TrialSampler.unit(&random) * weights.reduce(0, +)
            for (i, w) in weights.enumerated() {
                if u < w { return Double(i) }
                u -= w
            }
            return Double(choices.count - 1)
        }
        let component = Int(random.next() % UInt64(points.count + 1))
        guard component < points.count else { return TrialSampler.uniformCoordinate(domain, &random) }
        // A Gaussian around the point, redrawn until inside the domain (at most a few times:
        // the bandwidth is at most the range), clamped after that.
        for _ in 0 ..< 16 {
            let u1 = max(TrialSampler.unit(&random), 0x1p-53), u2 = TrialSampler.unit(&random)
            let x = points[component] + bandwidth * (-2 * Foundation.log(u1)).squareRoot() * cos(2 * Double.pi * u2)
            if bounds.contains(x) { return x }
        }
        return min(max(points[component], bounds.lowerBound), bounds.upperBound)
    }
}

private func normalCDF(_ z: Double) -> Double { 0.5 * erfc(-z / 2.0.squareRoot()) }
