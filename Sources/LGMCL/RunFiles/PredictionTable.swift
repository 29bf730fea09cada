import Foundation

/// What `predict` writes: the input table with every column kept, one output row per input row
/// in the same order, the prediction columns, and an error column with the reason for rows that
/// could not be predicted (their prediction cells empty). Rows are never dropped, so the output
/// lines up with the input row for row.
public struct PredictionTable {
    public let input: CSVTable
    /// `<task>_probability` (classification) or `<task>_prediction` (regression), one per task.
    public let predictionColumns: [String]
    /// Further groups of one column per task, in the order of `suffixes` given at creation, e.g.
    /// `<task>_unc` (chemprop's name for the uncertainty), `<task>_lower` and `<task>_upper`.
    public let groupColumns: [[String]]
    public let errorColumn: String
    private var values: [[Double]?]
    private var errors: [String?]

    public init(input: CSVTable, taskNames: [String], kind: TaskKind, groups suffixes: [String] = []) {
        self.input = input
        let suffix = kind == .classification ? "_probability" : "_prediction"
        var taken = Set(input.header)
        predictionColumns = taskNames.map { CSVText.freshColumn($0 + suffix, taken: &taken) }
        groupColumns = suffixes.map { group in taskNames.map { CSVText.freshColumn($0 + group, taken: &taken) } }
        errorColumn = CSVText.freshColumn("error", taken: &taken)
        values = Array(repeating: nil, count: input.rows.count)
        errors = Array(repeating: nil, count: input.rows.count)
    }

    var width: Int { predictionColumns.count * (1 + groupColumns.count) }

    /// Data row `row`'s predictions (probabilities, or values in the targets' units), then each
    /// group's values, task by task; NaN leaves a cell empty.
    public mutating func setPrediction(row: Int, values: [Double]) {
        precondition(values.count == width, "PredictionTable: \(values.count) values for \(width) columns")
        self.values[row] = values
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
                rows.append(cells + Array(repeating: "", count: width) + [error])
            } else if let values = values[index] {
                rows.append(cells + values.map { $0.isNaN ? "" : CSVText.number($0) } + [""])
            } else {
                throw CSVTableError(description: "\(input.describeRow(index)): neither a prediction nor an error was recorded")
            }
        }
        return try CSVText.render(header: input.header + predictionColumns + groupColumns.flatMap { $0 } + [errorColumn], rows: rows)
    }

    /// Writes the table to `url` through a temporary file and a rename.
    public func write(to url: URL) throws {
        try CSVText.write(csvData(), to: url)
    }
}
