import Foundation
@testable import LGMCL
import TestSupport
import Testing

/// The `paper` preset (graph transformer ≈ 60 M parameters, 4 × 768 text encoder) runs a
/// fine-tuning forward and backward on 8 real molecules with realistic text lengths.
@Suite struct PaperPresetTests {
    /// Built once: ~100 M parameters (shared with the parameter-count test).
    static let model = LGMCLModel<Float>(Preset.paper.configuration)

    @Test func forwardAndBackwardOnEightMolecules() throws {
        let f = try FixtureFile("finetune.safetensors")
        let fixture = ModelParityTests.graph(f)
        // Eight molecules: the fixture's five, then its first three again as other molecules.
        let picks = [0, 1, 2, 3, 4, 0, 1, 2]
        var atoms: [Float] = [], edges: [Int32] = [], bonds: [Float] = [], offsets = [0], fingerprints: [Float] = []
        let fp = f.floats("fingerprints")
        for m in picks {
            let range = fixture.atomOffsets[m]..<fixture.atomOffsets[m + 1]
            let shift = Int32(offsets.last! - range.lowerBound)
            atoms += fixture.atomFeatures[(range.lowerBound * 57)..<(range.upperBound * 57)]
            for e in 0..<fixture.edgeCount where range.contains(fixture.source(e)) {
                edges += [fixture.edgeIndex[2 * e] + shift, fixture.edgeIndex[2 * e + 1] + shift]
                bonds += fixture.bondFeatures[(e * 15)..<(e * 15 + 15)]
            }
            offsets.append(offsets.last! + range.count)
            fingerprints += fp[(m * 1489)..<(m * 1489 + 1489)]
        }
        let graph = GraphInput(atomFeatures: atoms, edgeIndex: edges, bondFeatures: bonds, atomOffsets: offsets,
                               moleculeIndices: Array(100..<108))
        func text(lengths: [Int]) -> TokenInput {
            let length = lengths.max()!
            var ids = [Int32](repeating: 0, count: 8 * length), mask = [Float](repeating: 0, count: 8 * length)
            for (r, n) in lengths.enumerated() {
                for t in 0..<n { ids[r * length + t] = Int32(1 + (r * 131 + t * 17) % 7999); mask[r * length + t] = 1 }
            }
            return TokenInput(ids: ids, mask: mask, rows: 8, length: length, moleculeIndices: Array(100..<108))
        }
        let model = Self.model
        let started = Date()
        let out = model.predictions(graph: graph, smiles: text(lengths: [40, 35, 52, 18, 27, 40, 35, 52]),
                                    descriptions: text(lengths: [150, 162, 141, 170, 133, 150, 162, 141]),
                                    fingerprints: fingerprints, RandomStream(seed: 1, step: 1))
        #expect(out.predictions.shape == [8, 1])
        out.predictions.sum().backward()
        print("paper preset, 8 molecules: forward + backward \(String(format: "%.1f", Date().timeIntervalSince(started))) s")
        let gradients = model.stateDict().filter { !$0.name.hasPrefix("projection_head.") && !$0.name.hasPrefix("MLPHead.") }
        #expect(gradients.allSatisfy { $0.parameter.gradients.allSatisfy(\.isFinite) })
        for component in ["AttentiveFP.", "GT.", "DeBERTa.encoder.layer.3.", "FPN.", "CrossAttention3.", "MLP."] {
            #expect(gradients.contains { $0.name.hasPrefix(component) && $0.parameter.gradients.contains { $0 != 0 } },
                    "no gradient reached \(component)")
        }
    }
}
