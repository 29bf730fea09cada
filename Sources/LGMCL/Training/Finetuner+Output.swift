import Foundation

/// What fine-tuning writes (rank 0): the manifest and vocabulary `predict` and `embed` read, each
/// seed's kept weights, and its predictions on every part of the split.
extension Finetuner {
    func writeManifest(_ data: LabelledData, metric: Metric, split: String) throws {
        let manifest = FinetuneManifest(
            model: data.model, task: data.kind, tasks: data.dataset.taskNames, metric: metric,
            seeds: settings.seeds, smilesColumn: data.smilesColumn, descriptions: data.descriptions,
            vocabularySHA256: data.dataset.vocabularySHA256, split: split, pretrained: settings.pretrained,
            settings: settings)
        try directory.writeVocabulary(data.dataset.vocabulary)
        try directory.replace(directory.configuration, withJSON: manifest)
    }

    func saveWeights(_ model: LGMCLModel<Scalar>, seed: UInt64, bestEpoch: Int, preset: String) throws {
        let file = SafeTensors(model.stateDict(),
                               metadata: ["format": "pt", "preset": preset, "seed": String(seed), "best_epoch": String(bestEpoch)])
        try directory.replace(directory.weights(seed: seed), with: file.encoded())
    }

    /// predictions_<part>.csv in the seed's directory: SMILES, the input row, every task's label
    /// and prediction (probability or value in the labels' units).
    func writePredictions(_ user: TaskMatrix, molecules: [Int], part: SplitPart, seed: UInt64, data: LabelledData) throws {
        let table = try predictionTable([user], molecules: molecules, data: data)
        try CSVText.write(try CSVText.render(header: table.header, rows: table.rows[0]), to: directory.predictions(seed: seed, part: part))
    }

    /// predictions_val_epochs.csv: the validation predictions of every epoch run, each row led by
    /// its epoch (from 1, as the log counts), the columns otherwise those of predictions_val.csv.
    func writeValidationEpochs(_ epochs: [TaskMatrix], molecules: [Int], seed: UInt64, data: LabelledData) throws {
        let table = try predictionTable(epochs, molecules: molecules, data: data)
        let rows = table.rows.enumerated().flatMap { epoch, rows in rows.map { [String(epoch + 1)] + $0 } }
        try CSVText.write(try CSVText.render(header: ["epoch"] + table.header, rows: rows), to: directory.validationEpochs(seed: seed))
    }

    /// SMILES, the input row, every task's label and prediction, one row per molecule: one table
    /// of rows per prediction matrix, the SMILES read and the label cells made once.
    private func predictionTable(_ predictions: [TaskMatrix], molecules: [Int],
                                 data: LabelledData) throws -> (header: [String], rows: [[[String]]]) {
        let names = data.dataset.taskNames
        let smiles = try data.dataset.smiles()
        let suffix = data.kind == .classification ? "_probability" : "_prediction"
        let leading = molecules.map { molecule in
            [smiles[molecule], String(data.sourceRows[molecule] + 1)] + (0 ..< names.count).map { t in
                let label = data.labels[molecule, t]
                return label.isNaN ? "" : CSVText.number(label)
            }
        }
        let rows = predictions.map { user in
            leading.enumerated().map { i, cells in cells + (0 ..< names.count).map { t in CSVText.number(user[i, t]) } }
        }
        return (["smiles", "row"] + names + names.map { $0 + suffix }, rows)
    }
}
