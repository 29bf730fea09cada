import Foundation
@testable import LGMCL
import Testing
import TestSupport

/// `lgmcl-dist embed` as a user runs it, on a real (tiny) pretraining output: the vectors are the
/// model's pooled encoder outputs for the same molecules computed here directly, every input row
/// has its output row, and the ranks split the work without changing the result.
@Suite(.serialized)
struct EmbedTests {
    typealias F = InferenceFixtures

    func embed(_ ranks: Int, _ arguments: [String]) throws -> ProcessResult {
        try mpirun(ranks, "lgmcl-dist", ["embed"] + arguments, timeout: 300)
    }

    @Test func csvOutputHoldsTheModelsVectorsRowForRow() throws {
        let model = try F.pretrained.get()
        let (input, table, inserted) = try F.inputWithBadRows.get()
        let output = F.scratch.appendingPathComponent("embed-1.csv")
        let result = try embed(1, ["--model", model.path, "--input", input.path, "--output", output.path])
        #expect(result.status == 0, "\(result.output)")
        guard result.status == 0 else { return }

        let written = try CSVTable(contentsOf: output)
        #expect(written.rows.count == table.rows.count, "one output row per input row")
        #expect(written.rows.map { $0[0] } == table.rows.map { $0[1] }, "SMILES as given, in input order")
        let rejected = Set(table.rows.indices.filter { (try? Molecule(smiles: table.rows[$0][1])) == nil })
        #expect(Set(inserted).isSubset(of: rejected))
        for row in rejected {
            #expect(!written.rows[row][1].isEmpty, "row \(row + 1) has no reason")
            #expect(written.rows[row].dropFirst(2).allSatisfy { $0.isEmpty }, "row \(row + 1) has values")
        }
        #expect(written.rows[3][1].contains("C1CC"), "\(written.rows[3][1])")

        // The same molecules through preprocess and the model, in one batch.
        let configuration = try ModelConfiguration.load(from: model.appendingPathComponent("config.json"))
        let good = table.rows.indices.filter { !rejected.contains($0) }
        let batch = try F.batch(of: CSVTable(header: table.header, rows: good.map { table.rows[$0] }), model: model,
                                name: "embed-reference", configuration: configuration)
        #expect(batch.count == good.count)
        let reference = LGMCLModel<Float>(configuration)
        try reference.loadWeights(from: model.appendingPathComponent("graph.safetensors"), components: [.local, .global])
        try reference.loadWeights(from: model.appendingPathComponent("text.safetensors"), components: [.text])
        let inputs = ModelInputs(batch)
        let views: [(name: String, values: Tensor<Float>)] = [
            ("local", reference.localVectors(inputs.graph)), ("global", reference.globalVectors(inputs.graph)),
            ("smiles", reference.textVectors(inputs.smiles)), ("text", reference.textVectors(inputs.descriptions)),
        ]
        var header = ["smiles", "error"]
        for view in views { header += (0 ..< view.values.shape[1]).map { "\(view.name)_\($0)" } }
        #expect(written.header == header)
        var column = 2
        for view in views {
            let d = view.values.shape[1]
            let expected = view.values.scalars
            #expect(expected.contains { $0 != 0 })
            for (k, row) in good.enumerated() {
                let got = try F.numbers(written.rows[row][column ..< column + d])
                // Batches are padded differently here and in the run: float32 rounding only.
                if let i = F.firstMismatch(got, Array(expected[k * d ..< (k + 1) * d]), atol: 1e-5, rtol: 1e-4) {
                    Issue.record("\(view.name), input row \(row + 1), element \(i): \(i >= 0 ? got[i] : .nan) vs \(i >= 0 ? expected[k * d + i] : .nan)")
                    break
                }
            }
            column += d
        }
    }

    /// Two ranks (each a different share of every batch, last batch incomplete) write the same
    /// file as one rank.
    @Test func twoRanksWriteWhatOneRankWrites() throws {
        let model = try F.pretrained.get()
        let (input, table, _) = try F.inputWithBadRows.get()
        var files: [HDF5File] = []
        for ranks in [1, 2] {
            let output = F.scratch.appendingPathComponent("embed-np\(ranks).h5")
            // Every view the model has, the `smiles` view beside the SMILES strings among them.
            let result = try embed(ranks, ["--model", model.path, "--input", input.path, "--output", output.path,
                                           "--batch-size-per-rank", "\(7 - 2 * ranks)"])
            #expect(result.status == 0, "np \(ranks): \(result.output)")
            guard result.status == 0 else { return }
            files.append(try HDF5File.open(output.path))
        }
        // Only this test's temporaries: other suites run at the same time in the same scratch directory.
        let leftovers = try FileManager.default.contentsOfDirectory(atPath: F.scratch.path).filter { name in
            name.hasPrefix(".\(input.lastPathComponent).lgmcl-input") || (name.hasPrefix(".embed-np") && name.contains("partial"))
        }
        #expect(leftovers.isEmpty, "temporary files left: \(leftovers)")
        let (one, two) = (files[0], files[1])
        #expect(try one.stringsAttribute("views") == ["local", "global", "smiles", "text"])
        #expect(try one.stringAttribute("model") == model.path)
        let rows: [Int64] = try one.dataset("/source_row").readAll()
        let rejected: [Int64] = try one.dataset("/rejected/row").readAll()
        #expect(Set(rows).union(rejected) == Set((0 ..< Int64(table.rows.count))), "every input row is a molecule or a rejection")
        #expect(rows == (try two.dataset("/source_row").readAll()))
        #expect(rejected == (try two.dataset("/rejected/row").readAll()))
        #expect(try one.dataset("/rejected/reason").readAllStrings() == two.dataset("/rejected/reason").readAllStrings())
        #expect(try one.dataset("/smiles").readAllStrings() == two.dataset("/smiles").readAllStrings())
        for view in ["local", "global", "smiles", "text"] {
            let name = "/embeddings/" + view
            let a: [Float] = try one.dataset(name).readAll(), b: [Float] = try two.dataset(name).readAll()
            #expect(try one.dataset(name).shape == [rows.count, 32])
            if let i = F.firstMismatch(b, a, atol: 1e-5, rtol: 1e-4) {
                Issue.record("\(view)[\(i)]: 2 ranks \(i >= 0 ? b[i] : .nan), 1 rank \(i >= 0 ? a[i] : .nan)")
            }
        }
    }

    @Test func aViewTheModelLacksIsAnError() throws {
        let model = try F.pretrained.get()
        let (input, _, _) = try F.inputWithBadRows.get()
        let output = F.scratch.appendingPathComponent("embed-fused.csv")
        let result = try embed(1, ["--model", model.path, "--input", input.path, "--output", output.path, "--views", "local,fused"])
        #expect(result.status != 0)
        #expect(result.output.contains("fused"), "\(result.output)")
        #expect(!FileManager.default.fileExists(atPath: output.path))
    }

    /// The fused view of a fine-tuned model is the prediction MLP's input, [GF ‖ TF], of the
    /// first seed's model.
    @Test func fusedViewOfAFinetunedModel() throws {
        let model = try F.classifier.get()
        let (input, table, _) = try F.inputWithBadRows.get()
        let output = F.scratch.appendingPathComponent("embed-fused.h5")
        let result = try embed(2, ["--model", model.path, "--input", input.path, "--output", output.path, "--views", "fused,local"])
        #expect(result.status == 0, "\(result.output)")
        guard result.status == 0 else { return }
        #expect(result.stdout.contains("seed-0 (the first of 2 seeds)"), "\(result.stdout)")
        let file = try HDF5File.open(output.path)
        #expect(try file.stringAttribute("model_member") == "seed-0")
        let rows: [Int64] = try file.dataset("/source_row").readAll()
        let fused: [Float] = try file.dataset("/embeddings/fused").readAll()

        let manifest = try JSONDecoder().decode(FinetuneManifest.self, from: Data(contentsOf: model.appendingPathComponent("config.json")))
        let good = rows.map { Int($0) }
        let batch = try F.batch(of: CSVTable(header: table.header, rows: good.map { table.rows[$0] }), model: model,
                                name: "embed-fused-reference", configuration: manifest.model)
        let reference = LGMCLModel<Float>(manifest.model)
        try reference.loadWeights(from: model.appendingPathComponent("seed-0/model.safetensors"))
        let outputs = reference.predictions(ModelInputs(batch))
        let expected = concatenated([outputs.graphWithFingerprints, outputs.textWithFingerprints], axis: 1)
        #expect(try file.dataset("/embeddings/fused").shape == expected.shape)
        if let i = F.firstMismatch(fused, expected.scalars, atol: 1e-5, rtol: 1e-4) {
            Issue.record("fused[\(i)]: \(i >= 0 ? fused[i] : .nan) vs \(i >= 0 ? expected.scalars[i] : .nan)")
        }
        let local: [Float] = try file.dataset("/embeddings/local").readAll()
        if let i = F.firstMismatch(local, outputs.local.scalars, atol: 1e-5, rtol: 1e-4) {
            Issue.record("local[\(i)] of the fine-tuned encoder: \(i >= 0 ? local[i] : .nan) vs \(i >= 0 ? outputs.local.scalars[i] : .nan)")
        }
    }
}
