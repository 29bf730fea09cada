import Foundation
@testable import LGMCL
import Testing
import TestSupport

/// models/small-moses, the pretrained encoders shipped with the code, as a user reaches them: its
/// weights load into the configuration it states, its model card names the weights it ships, and
/// the four commands that take a pretraining directory — embed, preprocess --vocab, pretrain
/// --config and finetune --pretrained — accept it.
@Suite(.serialized)
struct ShippedModelTests {
    static let model = repositoryRoot.appendingPathComponent("models/small-moses")
    static let scratch = scratchDirectory("lgmcl-shipped-\(getpid())")

    @Test func weightsLoadIntoTheStatedConfigurationAndTheCardNamesThem() throws {
        let configuration = try ModelConfiguration.load(from: Self.model.appendingPathComponent("config.json"))
        #expect(configuration.preset == "small")
        let encoders = try PretrainedEncoders(directory: Self.model)
        #expect(encoders.files.map(\.stage) == [.graphSelf], "the study's chosen recipe trains AttentiveFP alone")
        let weights = Self.model.appendingPathComponent("graph-self.safetensors")
        let network = LGMCLModel<Float>(configuration)
        let initial = network.stateDict().filter { $0.name.hasPrefix("AttentiveFP.") }.map { Array($0.parameter.values) }
        try network.loadWeights(from: weights, components: [.local])
        let loaded = network.stateDict().filter { $0.name.hasPrefix("AttentiveFP.") }.map { Array($0.parameter.values) }
        #expect(!loaded.isEmpty && loaded != initial, "AttentiveFP kept its initial values")

        let tokens = try Preprocessor.loadVocabulary(Self.model.path)
        #expect(tokens.count == configuration.text.vocabularySize)
        let card = try String(contentsOf: Self.model.appendingPathComponent("README.md"), encoding: .utf8)
        #expect(card.contains(SHA256Digest.of(Array(try Data(contentsOf: weights)))), "README.md names other weights")
        #expect(card.contains(try Vocabulary(tokens: tokens).sha256), "README.md names another vocabulary")
    }

    @Test func theCommandsThatTakeAPretrainingDirectoryAcceptIt() throws {
        defer { try? FileManager.default.removeItem(at: Self.scratch) }
        let csv = try moleculeNetSlice("bbbp", rows: 48, in: Self.scratch)
        let h5 = Self.scratch.appendingPathComponent("bbbp-48.h5")
        let lgmcl = productPath("lgmcl-dist")

        let preprocessed = try run(lgmcl, ["preprocess", "--input", csv.path, "--output", h5.path, "--label-columns", "p_np",
                                           "--vocab", Self.model.path], timeout: 300)
        #expect(preprocessed.status == 0, "preprocess --vocab: \(preprocessed.output)")
        guard preprocessed.status == 0 else { return }
        let vocabulary = try Vocabulary(tokens: try Preprocessor.loadVocabulary(Self.model.path))
        #expect(try MoleculeDataset(path: h5.path).vocabularySHA256 == vocabulary.sha256)

        let embedded = Self.scratch.appendingPathComponent("local.csv")
        let embed = try run(lgmcl, ["embed", "--model", Self.model.path, "--input", csv.path, "--output", embedded.path,
                                    "--views", "local"], timeout: 300)
        #expect(embed.status == 0, "embed: \(embed.output)")
        if embed.status == 0 {
            let table = try CSVTable(contentsOf: embedded)
            #expect(table.rows.count == 48 && table.header.contains("local_0"))
        }

        let tuned = try mpirun(2, "lgmcl-dist", ["finetune", "--data", h5.path, "--pretrained", Self.model.path, "--epochs", "1",
                                                 "--output", Self.scratch.appendingPathComponent("finetune").path], timeout: 300)
        #expect(tuned.status == 0, "finetune --pretrained: \(tuned.output)")
        #expect(tuned.output.contains("graph-self.safetensors"), "\(tuned.output)")

        let pretrained = try run(lgmcl, ["pretrain", "--data", h5.path, "--config", Self.model.appendingPathComponent("config.json").path,
                                         "--stage", "graph-self", "--mask-atoms", "0.25", "--delete-bonds", "0.25", "--max-steps", "1", "--batch-size", "16", "--held-out", "0",
                                         "--output", Self.scratch.appendingPathComponent("pretrain").path], timeout: 300)
        #expect(pretrained.status == 0, "pretrain --config: \(pretrained.output)")
    }
}
