import ArgumentParser
import Distributed
import Foundation
import LGMCL

struct Predict: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Predict the tasks of a fine-tuned model for the molecules of a CSV file.",
        discussion: paragraphs("""
            The output has one row per input row, in input order, with every input column kept,
            then <task>_probability (classification: the sigmoid of the logit) or
            <task>_prediction (regression: in the units of the training labels) per task, and an
            error column. A row RDKit cannot parse keeps its cells, gets empty predictions and
            the reason in the error column; it is never dropped. A column name the input already
            uses gets _lgmcl appended.

            A model fine-tuned with several seeds predicts the mean of its seeds' models (an
            ensemble, as chemprop averages several models): probabilities are averaged for
            classification, values for regression. Its uncertainty follows as <task>_unc: the
            variance among the seeds' predictions (population variance, in squared label units
            for regression; chemprop's ensemble column and meaning). With --mc-dropout K,
            <task>_unc is instead the variance over K dropout passes of each seed's model,
            averaged over the seeds, and the prediction the mean of those passes (chemprop's
            dropout method), also for one seed.

            A model whose finetune stored a calibration (calibration.json: seeds sharing a
            split) adds, for classification, <task>_calibrated, the probability after Platt
            scaling or isotonic regression; for regression, <task>_lower and <task>_upper, the
            split-conformal interval at --coverage (|error| / σ scores scaled by this
            prediction's σ, or |error| scores when the model has no uncertainty), and
            <task>_unc is then z-scaled. The calibration applies only to an uncertainty of the
            kind it was fitted for: with --mc-dropout it is left out, and predict says so.

            The input is preprocessed with the model's vocabulary into a temporary file beside
            the output (removed at the end); descriptions are made as for training (generated,
            or read from the column the model was trained with). Under mpirun the ranks split
            the molecules; rank 0 writes.
              lgmcl-dist predict --model runs/bbbp --input new.csv --output new-predictions.csv
            """)
    )

    @Option(help: "A directory written by `lgmcl-dist finetune`.")
    var model: String

    @OptionGroup var inputOptions: InferenceInputOptions

    @Option(help: "Output CSV (written under a temporary name, renamed when complete).")
    var output: String

    @Option(help: ArgumentHelp("Monte-Carlo dropout: K passes per seed's model with its training dropout on, masks keyed by (seed, sample, molecule) so a run reproduces on any rank count; <task>_unc is then the variance over the passes (mean over the seeds). 0: off.", valueName: "K"))
    var mcDropout = 0

    @Option(help: ArgumentHelp("Regression models with a calibration: the coverage of the conformal interval written as <task>_lower and <task>_upper.", valueName: "fraction"))
    var coverage = 0.9

    func validate() throws {
        try validatePaths(input: inputOptions.input, output: output)
        guard coverage > 0, coverage < 1 else {
            throw ValidationError("--coverage takes a fraction between 0 and 1 (e.g. 0.9 for 90% intervals): \(coverage)")
        }
        guard mcDropout == 0 || mcDropout >= 2 else {
            throw ValidationError("--mc-dropout takes the number of dropout passes, at least 2 (a variance needs two), or 0 for none: \(mcDropout)")
        }
    }

    func run() throws {
        let input = inputOptions.input
        let outputURL = URL(fileURLWithPath: output)
        Job.run { world in
            let say = rootPrinter(world)
            let started = Date()
            let opened = try InferenceModel.open(URL(fileURLWithPath: model))
            let predictor = try Predictor(model: opened)
            let manifest = predictor.finetuned.manifest
            let columns = try inputOptions.columns(for: opened)
            // Rank 0 reads the table first: a malformed file fails before any work.
            let table = try world.isRoot ? CSVTable(contentsOf: URL(fileURLWithPath: input)) : nil
            let seeds = manifest.seeds.map { String($0) }.joined(separator: ", ")
            say("""
                predict: \(manifest.task.rawValue) model \(model), tasks \(manifest.tasks.joined(separator: ", ")); \
                \(opened.members.count == 1 ? "seed \(seeds)" : "mean of \(opened.members.count) seeds' models (\(seeds))")\
                \(mcDropout > 0 ? ", \(mcDropout) Monte-Carlo dropout passes each" : ""); \
                descriptions \(manifest.descriptions)
                """)

            let molecules = try InferenceInput.preprocessing(
                csv: input, in: outputURL.deletingLastPathComponent(), vocabulary: opened.directory.path,
                smilesColumn: columns.smiles, descriptionColumn: columns.description,
                maxTokens: opened.configuration.text, world: world, report: say)
            defer { if world.isRoot { molecules.removeTemporaryFiles() } }

            let pass = inputOptions.pass(over: molecules, model: opened, world: world)
            let predictions = try inputOptions.matrixProducts.use { try predictor.run(pass, world: world, dropoutSamples: mcDropout) }
            if let predictions, let table {
                let calibration = predictor.finetuned.calibration
                let report = CalibratedPrediction(predictions, kind: manifest.task, calibration: calibration, coverage: coverage)
                if let note = report.note { say("predict: \(note)") } else if let calibration {
                    say("predict: calibration fitted on the \(calibration.fittedOn)" + (manifest.task == .regression ? ", intervals at \(coverage * 100)% coverage" : ""))
                }
                var written = PredictionTable(input: table, taskNames: manifest.tasks, kind: manifest.task, groups: report.suffixes)
                try written.fill(report, input: molecules)
                try written.write(to: outputURL)
            }
            try world.barrier()
            say("""
                predict: \(molecules.rowCount) rows → \(molecules.dataset.count) predicted, \(molecules.rejections.count) without a prediction\
                \(molecules.rejections.isEmpty ? "" : " (reason in the error column)")
                predict: \(String(format: "%.1f", Date().timeIntervalSince(started))) s on \(world.size) rank\(world.size == 1 ? "" : "s"); wrote \(output)
                """)
        }
    }
}
