import Foundation

/// What `predict` writes: the input table with every column kept, one output row per input row
/// in the same order, the prediction columns, and an error column with the reason for rows that
/// could not be predicted (their prediction cells empty). Rows are never dropped, so the output
/// lines up with the input row for row.
public struct PredictionTable {
    public let input: CSVTable
    /// `<task>_probability` (classification) or `<task>_prediction` (regression), one per task.
    public let predictionColumns: [String]
    /// `<task>_unc` per task when the prediction comes with an uncertainty (chemprop's name): the
    /// variance among several seeds' predictions, over Monte-Carlo dropout passes, or of a
    /// mean–variance head; empty otherwise.
    public let uncertaintyColumns: [String]
    public let errorColumn: String
    private var predictions: [[Double]?]
    private var uncertainties: [[Double]?]
    private var errors: [String?]

    public init(input: CSVTable, taskNames: [String], kind: TaskKind, withUncertainty: Bool = false) {
        self.input = input
        let suffix = kind == .classification ? "_probability" : "_prediction"
        var taken = Set(input.header)
        predictionColumns = taskNames.map { CSVText.freshColumn($0 + suffix, taken: &taken) }
        uncertaintyColumns = withUncertainty ? taskNames.map { CSVText.freshColumn($0 + "_unc", taken: &taken) } : []
        errorColumn = CSVText.freshColumn("error", taken: &taken)
        predictions = Array(repeating: nil, count: input.rows.count)
        uncertainties = Array(repeating: nil, count: input.rows.count)
        errors = Array(repeating: nil, count: input.rows.count)
    }

    /// Probabilities, or values in the targets' units (de-standardized), of data row `row`.
    public mutating func setPrediction(row: Int, values: [Double], uncertainties: [Double]? = nil) {
        precondition(values.count == predictionColumns.count, "PredictionTable: \(values.count) values for \(predictionColumns.count) tasks")
        precondition((uncertainties?.count ?? 0) == uncertaintyColumns.count,
                     "PredictionTable: \(uncertainties?.count ?? 0) uncertainties for \(uncertaintyColumns.count) columns")
        predictions[row] = values
        self.uncertainties[row] = uncertainties
    }

    /// Why data row `row` has no prediction (e.g. RDKit's reason for rejecting its SMILES).
    public mutating func setError(row: Int, reason: String) {
        errors[row] = reason
    }

    public var failedRows: Int { errors.lazy.filter { $0 != nil }.count }

    public func csvData() throws -> Data {
        var rows: [[String]] = []
        rows.reserveCapacity(input.rows.count)
        for (index, cells) in input.rows.enumerated() {
            if let error = errors[index] {
                rows.append(cells + Array(repeating: "", count: predictionColumns.count + uncertaintyColumns.count) + [error])
            } else if let values = predictions[index] {
                rows.append(cells + values.map(CSVText.number) + (uncertainties[index] ?? []).map(CSVText.number) + [""])
            } else {
                throw CSVTableError(description: "\(input.describeRow(index)): neither a prediction nor an error was recorded")
            }
        }
        return try CSVText.render(header: input.header + predictionColumns + uncertaintyColumns + [errorColumn], rows: rows)
    }

    /// Writes the table to `url` through a temporary file and a rename.
    public func write(to url: URL) throws {
        try CSVText.write(csvData(), to: url)
    }
}
