import Foundation

/// Which columns of a table are labels, and their values.
public enum LabelColumns {
    /// The label columns: `given` when the user named them (each must exist, none may be the
    /// SMILES column), otherwise every column except the SMILES column and `excluded` ones
    /// (description, split column).
    public static func select(in table: CSVTable, smilesColumn: String, given: [String]?,
                              excluded: [String] = []) throws -> [String] {
        _ = try table.columnIndex(smilesColumn)
        if let given {
            guard !given.isEmpty else { throw CSVTableError(description: "\(table.file): the list of label columns is empty") }
            var seen = Set<String>()
            for column in given {
                _ = try table.columnIndex(column)
                if column == smilesColumn {
                    throw CSVTableError(description: "\(table.file): '\(column)' is the SMILES column and cannot be a label")
                }
                if !seen.insert(column).inserted {
                    throw CSVTableError(description: "\(table.file): label column '\(column)' is named twice")
                }
            }
            return given
        }
        let labels = table.header.filter { $0 != smilesColumn && !excluded.contains($0) }
        guard !labels.isEmpty else {
            throw CSVTableError(description: "\(table.file): no label columns (only \(table.header.joined(separator: ", ")))")
        }
        return labels
    }

    /// The labels of `columns`, one row per table row: empty cells (and `nan`, as pandas writes a
    /// missing value) are missing; anything else must be a number.
    public static func values(in table: CSVTable, columns: [String]) throws -> TaskMatrix {
        let indices = try columns.map { try table.columnIndex($0) }
        var matrix = TaskMatrix(rows: table.rows.count, tasks: columns.count)
        for (row, cells) in table.rows.enumerated() {
            for (task, column) in indices.enumerated() {
                let cell = cells[column].trimmingCharacters(in: .whitespaces)
                if cell.isEmpty || cell.lowercased() == "nan" { continue }
                guard let value = Double(cell), value.isFinite else {
                    throw CSVTableError(description: "\(table.describeRow(row)): label column '\(columns[task])' holds '\(cells[column])', which is not a number")
                }
                matrix[row, task] = value
            }
        }
        return matrix
    }
}
