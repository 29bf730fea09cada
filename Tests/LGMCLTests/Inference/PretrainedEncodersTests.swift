import Foundation
@testable import LGMCL
import Testing
import TestSupport

/// Which encoder files a pretraining directory holds, as finetune --pretrained and embed read it.
struct PretrainedEncodersTests {
    @Test func theStagesPresentInOrderAndTheAmbiguousOrEmptyDirectoryRefused() throws {
        let directory = scratchDirectory("lgmcl-pretrained-encoders-\(getpid())")
        defer { try? FileManager.default.removeItem(at: directory) }
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        func touch(_ name: String) throws { try Data().write(to: directory.appendingPathComponent(name)) }
        #expect(throws: PretrainedEncoders.Failure.self) { try PretrainedEncoders(directory: directory) }
        try touch("text.safetensors")
        try touch("graph-self.safetensors")
        let found = try PretrainedEncoders(directory: directory)
        #expect(found.files.map(\.stage) == [.graphSelf, .text])
        #expect(found.files.map { $0.stage.components(of: LGMCLModel<Float>.self) } == [[.local], [.text]])
        try touch("graph.safetensors")
        #expect { try PretrainedEncoders(directory: directory) } throws: { error in
            (error as? PretrainedEncoders.Failure)?.description.contains("both graph.safetensors and graph-self.safetensors") == true
        }
        #expect(PretrainedEncoders.allComponents(LGMCLModel<Float>.self) == [.local, .global, .text])
    }
}
