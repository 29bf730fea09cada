import Foundation

/// A table with a split column added (and the reason for rows that have none), for tools that
/// take a fixed split: what `lgmcl-dist split` writes.
public enum SplitTable {
    public static func write(_ table: CSVTable, splitColumn: String, cells: [String], errors: [String], to url: URL) throws {
        precondition(cells.count == table.rows.count && errors.count == table.rows.count, "SplitTable: one cell per row")
        if table.header.contains(splitColumn) {
            throw CSVTableError(description: "\(table.file) already has a column '\(splitColumn)'; choose another split column name")
        }
        var taken = Set(table.header + [splitColumn])
        let header = table.header + [splitColumn, CSVText.freshColumn("error", taken: &taken)]
        let rows = table.rows.indices.map { table.rows[$0] + [cells[$0], errors[$0]] }
        try CSVText.write(CSVText.render(header: header, rows: rows), to: url)
    }

    /// One cell per table row: the part of the row's molecule (`split` is over `parsed.molecules`),
    /// empty for a row whose SMILES RDKit rejected.
    public static func cells(_ split: DatasetSplit, parsed: ParsedSMILES, rowCount: Int) -> [String] {
        var cells = [String](repeating: "", count: rowCount)
        for (index, part) in split.column().enumerated() { cells[parsed.rows[index]] = part.rawValue }
        return cells
    }
}
