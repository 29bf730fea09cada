import ArgumentParser
import Distributed
import Foundation
import LGMCL

struct Embed: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Molecule embeddings of a trained model, for similarity search and downstream models.",
        discussion: paragraphs("""
            Views (--views, default: every view the model has):
            \(EmbeddingView.allCases.map { "  \($0.rawValue): \($0.summary)" }.joined(separator: "\n"))
            local, global, smiles and text are the pooled encoder outputs before any projection
            head (as chemprop's `fingerprint` gives its encoder's output). A pretraining directory
            has the views of the stages it ran; a fine-tuned one has all five (with several
            seeds, the model of the first seed is used, and the output says which).

            A CSV input is preprocessed with the model's vocabulary into a temporary file beside
            the output (removed at the end). CSV output: one row per input row, in order:
            smiles, error (why a row has no molecule), <view>_0 … <view>_{d-1}. HDF5 output:
            /embeddings/<view> (N × d float32) for the N molecules, /source_row (their 0-based input rows),
            /smiles, and /rejected/{row,smiles,reason}. An .h5 input (lgmcl-dist preprocess) is
            used as it is. Under mpirun the ranks split the molecules; rank 0 writes.
              lgmcl-dist embed --model runs/bbbp --input mols.csv --output mols.h5 --views local,fused
            """)
    )

    @Option(help: "A directory written by `lgmcl-dist pretrain` or `lgmcl-dist finetune`.")
    var model: String

    @OptionGroup var inputOptions: InferenceInputOptions

    @Option(help: "Output file: .csv or .h5 (written under a temporary name, renamed when complete).")
    var output: String

    @Option(help: "Comma-separated views: local, global, smiles, text, fused (default: all the model has).")
    var views: String?

    func validate() throws {
        try validatePaths(input: inputOptions.input, output: output)
        guard EmbeddingWriter.Format(path: output) != nil else {
            throw ValidationError("--output must end in .csv or .h5 (got \(output))")
        }
        if let views { _ = try EmbeddingView.list(views) }
    }

    func run() throws {
        let input = inputOptions.input
        let outputURL = URL(fileURLWithPath: output)
        let inputIsDataset = input.lowercased().hasSuffix(".h5") || input.lowercased().hasSuffix(".hdf5")
        Job.run { world in
            let say = rootPrinter(world)
            let started = Date()
            let opened = try InferenceModel.open(URL(fileURLWithPath: model))
            let chosen = try views.map(EmbeddingView.list) ?? opened.views
            try opened.check(views: chosen)
            let member = opened.members[0]
            let needsText = chosen.contains { $0 != .local && $0 != .global }
            let columns = try inputOptions.columns(for: opened)
            say("embed: \(opened.kind.rawValue) model \(model)\(opened.members.count > 1 ? ", \(member.name) (the first of \(opened.members.count) seeds)" : ""); views \(chosen.map(\.rawValue).joined(separator: ", "))")

            let molecules: InferenceInput
            if inputIsDataset {
                molecules = try InferenceInput.dataset(input)
                if needsText { try molecules.check(vocabulary: opened.vocabulary) }
            } else {
                molecules = try InferenceInput.preprocessing(
                    csv: input, in: outputURL.deletingLastPathComponent(),
                    vocabulary: opened.vocabulary == nil ? nil : opened.directory.path,
                    smilesColumn: columns.smiles, descriptionColumn: columns.description,
                    maxTokens: opened.configuration.text, world: world, report: say)
            }
            defer { if world.isRoot { molecules.removeTemporaryFiles() } }

            let embedder = Embedder(model: try opened.model(member), views: chosen)
            let pass = inputOptions.pass(over: molecules, model: opened, world: world)
            let values = try inputOptions.matrixProducts.use { try pass.run(world: world, width: embedder.width) { embedder($0) } }
            if let values {
                let format = EmbeddingWriter.Format(path: output)!
                let inputSMILES = inputIsDataset || format != .csv ? nil : try Self.inputSMILES(input, column: columns.smiles)
                var writer = EmbeddingWriter(embeddings: Embeddings(views: chosen, widths: embedder.widths, values: values), input: molecules)
                writer.attributes = [
                    "model": opened.directory.path, "model_kind": opened.kind.rawValue, "model_member": member.name,
                    "vocabulary_sha256": opened.vocabulary?.sha256 ?? "", "input": input,
                    "created_by": "lgmcl-dist " + CommandLine.arguments.dropFirst().joined(separator: " ") + " (lgmcl \(LGMCLVersion.string))",
                ]
                try writer.write(to: outputURL, format: format, inputSMILES: inputSMILES)
            }
            try world.barrier()
            say("""
                embed: \(molecules.rowCount) rows → \(molecules.dataset.count) molecules, \(molecules.rejections.count) without a molecule\
                \(molecules.rejections.isEmpty ? "" : " (reason in the error column)")
                embed: \(String(format: "%.1f", Date().timeIntervalSince(started))) s on \(world.size) rank\(world.size == 1 ? "" : "s"); wrote \(output) \
                (\(zip(chosen, embedder.widths).map { "\($0.rawValue) \($1)" }.joined(separator: ", ")) values per molecule)
                """)
        }
    }

    /// Every row's SMILES cell as given, for the CSV output.
    static func inputSMILES(_ path: String, column: String?) throws -> [String] {
        let table = try CSVTable(contentsOf: URL(fileURLWithPath: path))
        let name = column ?? table.header.first { $0.trimmingCharacters(in: .whitespaces).lowercased() == "smiles" } ?? "smiles"
        return try table.column(name)
    }
}
