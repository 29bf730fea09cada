import Foundation
@testable import LGMCL
import TestSupport
import Testing

/// Presets against the table in docs/design.md (Presets) and the parity fixtures' manifest, parameter counts against
/// the authors' modules and HF's DeBERTa (counted by scripts/make_model_fixtures.py), overrides,
/// and the config + weights round trip.
@Suite struct ModelConfigurationTests {
    @Test func tinyPresetIsTheFixturesSize() throws {
        let preset = try ModelParityTests.manifest()["preset"] as! [String: Any]
        let c = Preset.tiny.configuration
        #expect(c.local.hidden == preset["local_hidden"] as! Int && c.local.layers == preset["local_layers"] as! Int)
        #expect(c.graphTransformer.heads == preset["gt_heads"] as! Int)
        #expect(c.graphTransformer.headDimension == preset["gt_head_dim"] as! Int)
        #expect(c.graphTransformer.layers == preset["gt_layers"] as! Int)
        #expect(c.graphProjection.hidden == preset["graph_projection_hidden"] as! [Int])
        #expect(c.text.hidden == preset["text_hidden"] as! Int && c.text.layers == preset["text_layers"] as! Int)
        #expect(c.text.positionBuckets == preset["text_buckets"] as! Int)
        #expect(c.text.maxRelativePositions == preset["text_max_relative"] as! Int)
        #expect(c.fusion.width == preset["fusion_width"] as! Int)
        #expect(c.fusion.fingerprintHidden == preset["fingerprint_hidden"] as! Int)
    }

    /// Per component, the same count as the authors' modules (and HF's DeBERTa outside its word
    /// and absolute-position embeddings) at the same size: graph transformer ≈ 60 M at `paper`.
    @Test(arguments: [Preset.small, .paper])
    func parameterCountsMatchTheAuthorsModules(_ preset: Preset) throws {
        let manifest = try ModelParityTests.manifest()
        let expected = (manifest["parameter_counts"] as! [String: [String: Int]])[preset.rawValue]!
        let model = preset == .paper ? PaperPresetTests.model : LGMCLModel<Float>(preset.configuration)
        let counts = Dictionary(uniqueKeysWithValues: model.parameterCounts.map { ($0.component, $0.count) })
        #expect(counts["AttentiveFP"] == expected["AttentiveFP"])
        #expect(counts["GT"] == expected["GT"])
        #expect(counts["DeBERTa"] == expected["DeBERTa_without_embeddings"])
        #expect(counts["FPN"] == expected["FPN"])
        #expect(counts["CrossAttention1"]! + counts["CrossAttention2"]! + counts["CrossAttention3"]!
                + counts["CrossAttention4"]! == expected["CrossAttention"])
        let text = preset.configuration.text
        #expect(counts["DeBERTa (embeddings)"] == (text.vocabularySize + text.maxPositions) * text.hidden)
        if preset == .paper { #expect(abs(Double(counts["GT"]!) - 60e6) < 0.5e6) }
    }

    @Test func overridesSetFieldsByPathAndRejectUnknownOnes() throws {
        let c = try Preset.small.configuration.overriding([
            "graphTransformer.heads": "8", "graphProjection.hidden": "[256, 128]", "text.dropout": "0.2",
        ])
        #expect(c.graphTransformer.heads == 8 && c.graphTransformer.width == 256)
        #expect(c.graphProjection.hidden == [256, 128] && c.text.dropout == 0.2)
        #expect(throws: ConfigurationError.unknownField("graphTransformer.head")) {
            try Preset.small.configuration.overriding(["graphTransformer.head": "8"])
        }
        #expect(throws: ConfigurationError.self) { try Preset.small.configuration.overriding(["text.layers": "\"four\""]) }
    }

    @Test func configurationAndWeightsRoundTrip() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("lgmcl-models-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: directory) }
        let model = try ModelParityTests.tinyModel()
        try model.save(to: directory)
        let loaded = try LGMCLModel<Float>.load(from: directory)
        #expect(loaded.configuration == model.configuration)
        let before = model.stateDict(), after = loaded.stateDict()
        #expect(before.map(\.name) == after.map(\.name))
        for (a, b) in zip(before, after) { #expect(a.parameter.value.scalars == b.parameter.value.scalars, "\(a.name)") }

        // Pretrained components load by name and leave the rest alone.
        let fresh = LGMCLModel<Float>(model.configuration)
        let untouched = fresh.stateDict().first { $0.name.hasPrefix("CrossAttention1.") }!.parameter.value.scalars
        try fresh.loadWeights(from: directory.appendingPathComponent("model.safetensors"), components: [.local, .global])
        #expect(fresh.stateDict().first { $0.name == "GT.linear.weight" }!.parameter.value.scalars
                == model.stateDict().first { $0.name == "GT.linear.weight" }!.parameter.value.scalars)
        #expect(fresh.stateDict().first { $0.name.hasPrefix("CrossAttention1.") }!.parameter.value.scalars == untouched)
        // A component is its names up to the dot: the prediction head `MLP` does not take `MLPHead`'s.
        let headBefore = fresh.stateDict().first { $0.name.hasPrefix("MLPHead.") }!.parameter.value.scalars
        try fresh.loadWeights(from: directory.appendingPathComponent("model.safetensors"), components: [.prediction])
        #expect(fresh.stateDict().first { $0.name.hasPrefix("MLPHead.") }!.parameter.value.scalars == headBefore)
        #expect(fresh.stateDict().first { $0.name.hasPrefix("MLP.") }!.parameter.value.scalars
                == model.stateDict().first { $0.name.hasPrefix("MLP.") }!.parameter.value.scalars)

        // A wrong shape names the tensor.
        var other = model.configuration
        other.local.hidden = 16
        #expect(throws: SafeTensorsError.self) {
            try LGMCLModel<Float>(other).loadWeights(from: directory.appendingPathComponent("model.safetensors"))
        }
    }

    /// config.json files written before `fusion.mode` existed (e.g. every pretraining run so far)
    /// are the paper's gated fusion; the mode round-trips and is set by path like any field.
    @Test func fusionModeDefaultsToGatedInOlderConfigurations() throws {
        var tree = try JSONSerialization.jsonObject(with: JSONEncoder().encode(Preset.small.configuration)) as! [String: Any]
        var fusion = tree["fusion"] as! [String: Any]
        #expect(fusion["mode"] as? String == "gated")
        fusion.removeValue(forKey: "mode")
        tree["fusion"] = fusion
        let older = try JSONDecoder().decode(ModelConfiguration.self, from: JSONSerialization.data(withJSONObject: tree))
        #expect(older == Preset.small.configuration)
        let residual = try Preset.small.configuration.overriding(["fusion.mode": "\"residual\""])
        #expect(residual.fusion.mode == .residual)
        #expect(try JSONDecoder().decode(ModelConfiguration.self, from: JSONEncoder().encode(residual)) == residual)
        #expect(throws: ConfigurationError.self) { try Preset.small.configuration.overriding(["fusion.mode": "\"sum\""]) }
    }

    /// `--readout norm` sums each encoder's atom vectors and divides by 100 (chemprop's
    /// aggregation); the authors' configurations carry no readout field and keep the mean.
    @Test func graphReadoutPoolsTheSameAtomVectorsBySumOrMean() throws {
        let json = try JSONSerialization.jsonObject(with: JSONEncoder().encode(Preset.small.configuration)) as! [String: Any]
        #expect((json["local"] as! [String: Any])["readout"] == nil)
        #expect((json["graphTransformer"] as! [String: Any])["readout"] == nil)
        // Absent from the JSON, and still a field `--set` reaches.
        #expect(try Preset.small.configuration.overriding(["local.readout": "\"norm\""]).local.readout == .norm)
        #expect(throws: ConfigurationError.unknownField("local.pooling")) {
            try Preset.small.configuration.overriding(["local.pooling": "\"norm\""])
        }

        let weighted = try ModelParityTests.tinyModel()
        var configuration = weighted.configuration
        configuration.local.readout = .norm
        configuration.graphTransformer.readout = .norm
        #expect(try JSONDecoder().decode(ModelConfiguration.self, from: JSONEncoder().encode(configuration)) == configuration)
        let summed = LGMCLModel<Float>(configuration)
        try summed.loadStateDict(Dictionary(uniqueKeysWithValues: weighted.stateDict().map { ($0.name, $0.parameter.value) }))

        let graph = PackedGraph<Float>(ModelParityTests.graph(try FixtureFile("graph_pretrain.safetensors")))
        let offsets = graph.atomOffsets
        for (mean, norm) in [(weighted.local(graph, nil), summed.local(graph, nil)),
                             (weighted.global(graph, nil), summed.global(graph, nil))] {
            #expect(norm.atoms.scalars == mean.atoms.scalars)
            let width = mean.atoms.shape[1], atoms = mean.atoms.scalars
            for m in 0 ..< offsets.count - 1 {
                let count = Double(offsets[m + 1] - offsets[m])
                for c in 0 ..< width {
                    let sum = (offsets[m] ..< offsets[m + 1]).reduce(0.0) { $0 + Double(atoms[$1 * width + c]) }
                    #expect(abs(Double(norm.molecules.scalars[m * width + c]) - sum / 100) <= 1e-6 * (1 + abs(sum)))
                    #expect(abs(Double(mean.molecules.scalars[m * width + c]) - sum / count) <= 1e-6 * (1 + abs(sum)))
                }
            }
        }
    }
}
