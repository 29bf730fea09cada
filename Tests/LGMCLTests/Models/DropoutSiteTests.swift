@testable import LGMCL
import Testing

/// Every dropout is a stored module whose site comes from its place in the model. The table below
/// is every site the model drew masks at before that change (main at 7c59f46, where each call
/// built `DropoutSite(component, layer:, place)` inline): component << 24 | layer << 12 | place,
/// components local 1, graph transformer 2, graph head 3, text 4, text head 5, fingerprints 6,
/// prediction 7. Equal sites mean equal masks, so training is unchanged bit for bit.
struct DropoutSiteTests {
    @Test func everySiteKeepsItsIdAndRate() throws {
        // Three local layers (layers 2 and 3 share weights, not masks); a two-hidden-layer graph head;
        // a distinct rate per configuration field, so a site reading the wrong one shows.
        let configuration = try Preset.tiny.configuration.overriding([
            "local.layers": "3", "graphProjection.hidden": "[64,48]",
            "local.dropout": "0.11", "graphTransformer.dropout": "0.12", "graphTransformer.attentionDropout": "0.13",
            "text.dropout": "0.14", "text.attentionDropout": "0.15", "graphProjection.dropout": "0.16",
            "textProjection.dropout": "0.17", "fusion.fingerprintDropout": "0.18", "fusion.predictionDropout": "0.19",
        ])
        let before: [String: (site: UInt32, rate: Float)] = [
            "local.first.scoreDropout": (0x0100_0000, 0.11), "local.first.transformDropout": (0x0100_0001, 0.11),
            "local.later.scoreDropouts.0": (0x0100_1000, 0.11), "local.later.scoreDropouts.1": (0x0100_2000, 0.11),
            "local.later.transformDropouts.0": (0x0100_1001, 0.11), "local.later.transformDropouts.1": (0x0100_2001, 0.11),
            "global.embeddingDropout": (0x0200_0000, 0.12),
            "global.layers.0.attentionDropout": (0x0200_1000, 0.13), "global.layers.0.attendedDropout": (0x0200_1001, 0.12),
            "global.layers.0.feedForwardDropouts.0": (0x0200_1002, 0.12),
            "global.layers.0.feedForwardDropouts.1": (0x0200_1003, 0.12), "global.layers.0.outputDropout": (0x0200_1064, 0.12),
            "global.layers.1.attentionDropout": (0x0200_2000, 0.13), "global.layers.1.attendedDropout": (0x0200_2001, 0.12),
            "global.layers.1.feedForwardDropouts.0": (0x0200_2002, 0.12),
            "global.layers.1.feedForwardDropouts.1": (0x0200_2003, 0.12), "global.layers.1.outputDropout": (0x0200_2064, 0.12),
            "graphProjection.dropouts.0": (0x0300_0000, 0.16), "graphProjection.dropouts.1": (0x0300_1000, 0.16),
            "text.embeddingDropout": (0x0400_0000, 0.14), "text.convolutionDropout": (0x0400_0001, 0.14),
            "text.layers.0.tableDropout": (0x0400_1000, 0.14), "text.layers.0.attentionDropout": (0x0400_1001, 0.15),
            "text.layers.0.attendedDropout": (0x0400_1002, 0.14), "text.layers.0.outputDropout": (0x0400_1003, 0.14),
            "text.layers.1.tableDropout": (0x0400_2000, 0.14), "text.layers.1.attentionDropout": (0x0400_2001, 0.15),
            "text.layers.1.attendedDropout": (0x0400_2002, 0.14), "text.layers.1.outputDropout": (0x0400_2003, 0.14),
            "textProjection.dropouts.0": (0x0500_0000, 0.17),
            "fingerprints.hiddenDropout": (0x0600_0000, 0.18),
            "prediction.inputDropout": (0x0700_0000, 0.19), "prediction.hiddenDropout": (0x0700_1000, 0.19),
        ]
        let after = LGMCLModel<Float>(configuration).namedDropouts()
        #expect(after.count == before.count)
        for (name, dropout) in after {
            let expected = try #require(before[name], "a dropout the model did not have: \(name)")
            #expect(dropout.site == expected.site, "\(name): site \(String(dropout.site, radix: 16))")
            #expect(dropout.rate == expected.rate, "\(name): rate \(dropout.rate)")
        }
        #expect(Set(after.map(\.dropout.site)).count == after.count, "two places share a site")
    }
}
