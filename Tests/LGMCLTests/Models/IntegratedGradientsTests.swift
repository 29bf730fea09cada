import Foundation
@testable import LGMCL
import TestSupport
import Testing

/// Integrated gradients against Captum's IntegratedGradients on the authors' MultiViewModel with
/// the same weights, molecules, baseline and steps (Fixtures/models/explain.safetensors, written
/// by scripts/make_model_fixtures.py in float64). lgmcl runs in Double here so that the check is
/// tight: the paper's gated fusion lets the atom features move a task output by only ~1e-5.
@Suite struct IntegratedGradientsTests {
    /// n points integrate polynomials of degree 2n − 1 exactly.
    @Test func gaussLegendreIsExactForPolynomialsOfDegreeBelowTwoN() {
        for n in [1, 2, 5, 16, 50] {
            let rule = IntegratedGradients(steps: n)
            #expect(abs(rule.nodes.map(\.weight).reduce(0, +) - 1) < 1e-13)
            #expect(rule.nodes.allSatisfy { $0.alpha > 0 && $0.alpha < 1 })
            for degree in 0 ..< 2 * n {
                let integral = rule.nodes.reduce(0.0) { $0 + $1.weight * pow($1.alpha, Double(degree)) }
                #expect(abs(integral - 1 / Double(degree + 1)) < 1e-12, "n \(n), x^\(degree): \(integral)")
            }
        }
    }

    @Test func attributionsMatchCaptum() throws {
        let manifest = try ModelParityTests.manifest()
        let configuration = try Preset.tiny.configuration.overriding([
            "text.vocabularySize": "\(manifest["vocab_size"] as! Int)", "fusion.tasks": "\(manifest["tasks"] as! Int)",
        ])
        let model = LGMCLModel<Double>(configuration)
        let weights = try FixtureFile("tiny_weights.safetensors")
        try model.loadStateDict(Dictionary(uniqueKeysWithValues: weights.names.map { ($0, weights.tensor($0, as: Double.self)) }))
        let f = try FixtureFile("finetune.safetensors"), captum = try FixtureFile("explain.safetensors")
        let inputs = ModelInputs(graph: ModelParityTests.graph(f), smiles: ModelParityTests.tokens(f, "smiles"),
                                 descriptions: ModelParityTests.tokens(f, "description"), fingerprints: f.floats("fingerprints"))
        let ig = IntegratedGradients(steps: captum.integers("steps")[0])
        for m in 0 ..< inputs.graph.moleculeCount {
            let attributions = ig.attribute(model, molecule: inputs.molecule(m))
            for (task, a) in attributions.enumerated() {
                let prefix = "ig.\(m).\(task)."
                let atoms = captum.floats(prefix + "atoms").map(Double.init), bits = captum.floats(prefix + "fingerprints").map(Double.init)
                let scale = max(atoms.map(abs).max()!, 1e-12)
                let worstAtom = zip(a.atomFeatures, atoms).map { abs($0 - $1) }.max()!
                #expect(worstAtom <= 1e-4 * scale + 1e-10, "molecule \(m) task \(task): atom features off by \(worstAtom) (largest \(scale))")
                #expect(atoms.contains { $0 != 0 }, "the fixture's atom attributions are all zero")
                let worstBit = zip(a.fingerprints, bits).map { abs($0 - $1) }.max()!
                #expect(worstBit <= 1e-6 + 1e-4 * bits.map(abs).max()!, "molecule \(m) task \(task): fingerprint bits off by \(worstBit)")
                #expect(abs(a.output - Double(captum.floats(prefix + "output")[0])) < 1e-6)
                #expect(abs(a.baseline - Double(captum.floats(prefix + "baseline")[0])) < 1e-6)
                // Captum's convergence delta is the same quadrature's residual.
                #expect(abs(a.residual + Double(captum.floats(prefix + "delta")[0])) < 1e-6, "residual \(a.residual)")
            }
        }
    }
}

extension ModelInputs {
    /// Molecule m of a batch on its own.
    func molecule(_ m: Int) -> ModelInputs {
        let g = graph, first = g.atomOffsets[m], last = g.atomOffsets[m + 1], width = g.atomFeatureCount
        let edges = (0 ..< g.edgeCount).filter { g.source($0) >= first && g.source($0) < last }
        func row(_ t: TokenInput) -> TokenInput {
            let length = Int(t.mask[m * t.length ..< (m + 1) * t.length].reduce(0, +))
            return TokenInput(ids: Array(t.ids[m * t.length ..< m * t.length + length]), mask: Array(repeating: 1, count: length),
                              rows: 1, length: length)
        }
        let fingerprintWidth = fingerprints.count / g.moleculeCount
        return ModelInputs(
            graph: GraphInput(atomFeatures: Array(g.atomFeatures[first * width ..< last * width]), atomFeatureCount: width,
                              edgeIndex: edges.flatMap { [Int32(g.source($0) - first), Int32(g.target($0) - first)] },
                              bondFeatures: edges.flatMap { e in g.bondFeatures[e * g.bondFeatureCount ..< (e + 1) * g.bondFeatureCount] },
                              bondFeatureCount: g.bondFeatureCount, atomOffsets: [0, last - first]),
            smiles: row(smiles), descriptions: row(descriptions),
            fingerprints: Array(fingerprints[m * fingerprintWidth ..< (m + 1) * fingerprintWidth]))
    }
}
