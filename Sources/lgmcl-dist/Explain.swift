import ArgumentParser
import Distributed
import Foundation
import LGMCL

struct Explain: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Which atoms and fingerprint bits drive a fine-tuned model's predictions (integrated gradients).",
        discussion: paragraphs("""
            For every molecule and task: integrated gradients (Sundararajan et al. 2017) of the
            task output — the logit (classification) or the value in the labels' units
            (regression), the mean over the model's seeds — with respect to the molecule's atom
            features and fingerprint bits together, from the baseline where all of them are zero
            (bonds, SMILES and description held at their values), by Gauss–Legendre quadrature
            with --steps points (Captum's default method; checked against Captum on the authors'
            model). By completeness, the atoms' and the bits' attributions add up to
            f(x) − f(baseline) up to the quadrature's residual, which is reported.

            OUTPUT/index.html shows every input row with its predictions (as predict writes
            them, calibrated where the model is) and a drawing per task: RDKit's depiction, atoms
            coloured by attribution (purple lowers the output, orange raises it), captioned with
            the share the atoms carry; the same drawings are OUTPUT/molecules/row-R-T.svg. The page
            loads nothing from the network; a column header sorts the rows.

            OUTPUT/summary.csv: per input row and task, f(x), f(baseline), the difference, what
            the atoms and the fingerprint bits carry of it (totals and shares), the residual and
            the five strongest bits (MACCS, PubChem, ErG numbering); a row RDKit cannot parse has
            its reason in the error column. OUTPUT/atoms.csv: per molecule, task and atom (RDKit's
            order, 0-based), the atom's attribution (the sum over its features). In the paper's
            gated fusion the graph encoders only gate the fingerprint values, so the atoms carry
            little; the shares say how little. OUTPUT/explain.json records the settings.

            Molecules run one at a time (--batch-size-per-rank does not apply): the --steps
            scaled copies of a molecule are its batch. Under mpirun, molecule i runs on rank
            i mod N and rank 0 writes; the files are the same on any rank count.
              lgmcl-dist explain --model runs/bbbp --input mols.csv --output runs/bbbp-explain
            """)
    )

    @Option(help: "A directory written by `lgmcl-dist finetune`.")
    var model: String

    @OptionGroup var inputOptions: InferenceInputOptions

    @Option(help: "Output directory (index.html, molecules/*.svg, summary.csv, atoms.csv, explain.json).")
    var output: String

    @Option(help: "Quadrature points of the path integral (Captum's default is 50); each is one copy of the molecule in the batch.")
    var steps = 50

    func validate() throws {
        try validatePaths(input: inputOptions.input, output: output)
        guard steps >= 1 else { throw ValidationError("--steps must be at least 1: \(steps)") }
    }

    func run() throws {
        let outputURL = URL(fileURLWithPath: output)
        Job.run { world in
            let say = rootPrinter(world)
            let started = Date()
            let opened = try InferenceModel.open(URL(fileURLWithPath: model))
            let explainer = try Explainer(model: opened, steps: steps)
            let manifest = explainer.finetuned.manifest
            let columns = try inputOptions.columns(for: opened)
            // Rank 0 reads the table first: a malformed file fails before any work, and the
            // drawings need the input's SMILES, whose atom order the attributions follow.
            let table = try world.isRoot ? CSVTable(contentsOf: URL(fileURLWithPath: inputOptions.input)) : nil
            say("explain: \(manifest.task.rawValue) model \(model), tasks \(manifest.tasks.joined(separator: ", ")); "
                + "integrated gradients, \(steps) Gauss–Legendre steps, mean over \(opened.members.count) seed model(s)")
            try FileManager.default.createDirectory(at: outputURL, withIntermediateDirectories: true)
            let molecules = try InferenceInput.preprocessing(
                csv: inputOptions.input, in: outputURL, vocabulary: opened.directory.path,
                smilesColumn: columns.smiles, descriptionColumn: columns.description,
                maxTokens: opened.configuration.text, world: world, report: say)
            defer { if world.isRoot { molecules.removeTemporaryFiles() } }
            var lastReport = Date()
            let products = inputOptions.matrixProducts
            let explanations = try products.use {
                try explainer.run(molecules.dataset, world: world) { done, total in
                    if Date().timeIntervalSince(lastReport) >= 10 || done == total {
                        say("explain: rank 0 has explained \(done) of its \(total) molecules")
                        lastReport = Date()
                    }
                }
            }
            // One molecule per rank and batch, as the attributions run: a molecule's numbers then
            // never depend on the padding of other molecules, and any rank count writes the same page.
            let single = InferencePass(dataset: molecules.dataset, options: explainer.batchOptions, globalBatchSize: world.size)
            let predicted = try products.use { try Predictor(model: opened).run(single, world: world) }
            if let explanations, let predicted, let table {
                let column = try columns.smiles.map { try table.columnIndex($0) } ?? table.header.firstIndex { $0.lowercased() == "smiles" }!
                let calibrated = CalibratedPrediction(predicted, kind: manifest.task, calibration: explainer.finetuned.calibration, coverage: 0.9)
                try ExplanationFiles(taskNames: manifest.tasks, kind: manifest.task, steps: steps, seeds: manifest.seeds)
                    .write(to: outputURL, explanations: explanations,
                           smiles: molecules.sourceRows.map { table.rows[$0][column].trimmingCharacters(in: .whitespaces) },
                           sourceRows: molecules.sourceRows, rejections: molecules.rejections, predictions: calibrated)
            }
            try world.barrier()
            say("explain: \(molecules.dataset.count) molecules explained, \(molecules.rejections.count) rows without a molecule; "
                + String(format: "%.1f s on %d rank%@; wrote %@", Date().timeIntervalSince(started), world.size, world.size == 1 ? "" : "s", output))
        }
    }
}
