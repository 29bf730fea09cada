import Foundation
@testable import LGMCL
import TestSupport
import Testing

/// The useful-FLOPs formula against PyTorch's flop counter on Hugging Face's DebertaV2Model with
/// the peer's `small` configuration (Fixtures/models/text_encoder_flops.json, written by
/// scripts/make_flop_fixtures.py), exactly.
struct TextEncoderFLOPsTests {
    @Test func equalsPyTorchsFlopCounter() throws {
        let url = repositoryRoot.appendingPathComponent("Tests/LGMCLTests/Fixtures/models/text_encoder_flops.json")
        let fixture = try JSONSerialization.jsonObject(with: Data(contentsOf: url)) as! [String: Any]
        let c = fixture["configuration"] as! [String: Int]
        var text = Preset.small.configuration.text
        // The fixture's configuration is the preset's: a change to either shows here first.
        #expect([text.hidden, text.layers, text.heads, text.feedForward, text.positionBuckets, text.convolutionKernel]
                == [c["hidden"], c["layers"], c["heads"], c["feed_forward"], c["position_buckets"], c["convolution_kernel"]])
        text.vocabularySize = 100
        let cases = fixture["cases"] as! [[String: Int]]
        #expect(cases.count >= 8)
        for entry in cases {
            let lengths = Array(repeating: entry["length"]!, count: entry["sequences"]!)
            #expect(text.usefulForwardFLOPs(lengths: lengths) == entry["forward"]!, "forward, \(lengths.count) × \(lengths[0])")
            #expect(text.usefulTrainingFLOPs(lengths: lengths) == entry["forward_backward"]!, "training, \(lengths.count) × \(lengths[0])")
        }
    }
}
