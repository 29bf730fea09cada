import CSV
import Foundation

/// A CSV file read whole: the header and every data row as text. Fine-tuning sets and prediction
/// inputs are small (thousands of rows); pretraining corpora go through `preprocess` instead.
///
/// Rows are named in messages as "FILE row N", N counting data rows from 1 (the header is not a
/// row), which is the row's index + 1 in pandas or a spreadsheet without its header line.
public struct CSVTable: Sendable {
    public let file: String
    public let header: [String]
    public let rows: [[String]]

    public init(header: [String], rows: [[String]], file: String = "table") {
        self.file = file
        self.header = header
        self.rows = rows
    }

    /// Reads `url`; a ragged row, a duplicate column name or an empty file is an error naming the
    /// file and row.
    public init(contentsOf url: URL) throws {
        let name = url.lastPathComponent
        let data: Data
        do { data = try Data(contentsOf: url) } catch {
            throw CSVTableError(description: "\(url.path): cannot read (\(error.localizedDescription))")
        }
        guard var text = String(data: data, encoding: .utf8) else {
            throw CSVTableError(description: "\(url.path): not UTF-8 text")
        }
        if text.hasPrefix("\u{FEFF}") { text.removeFirst() }
        let reader: CSVReader
        do { reader = try CSVReader(string: text, hasHeaderRow: true) } catch {
            throw CSVTableError(description: "\(url.path): not CSV (\(error))")
        }
        guard let header = reader.headerRow, !(header.count == 1 && header[0].isEmpty) else {
            throw CSVTableError(description: "\(url.path): empty file (a header row is needed)")
        }
        var seen = Set<String>()
        for column in header where !seen.insert(column).inserted {
            throw CSVTableError(description: "\(url.path): column '\(column)' appears twice in the header")
        }
        var rows: [[String]] = []
        while let row = reader.next() {
            // A blank line (often the last one) is not a row.
            if row.count == 1, row[0].isEmpty { continue }
            guard row.count == header.count else {
                throw CSVTableError(description: "\(name) row \(rows.count + 1): \(row.count) fields, the header has \(header.count)")
            }
            rows.append(row)
        }
        if let error = reader.error {
            throw CSVTableError(description: "\(url.path): \(error)")
        }
        self.init(header: header, rows: rows, file: name)
    }

    /// The position of `column` in the header, or an error listing the columns there are.
    public func columnIndex(_ column: String) throws -> Int {
        guard let index = header.firstIndex(of: column) else {
            throw CSVTableError(description: "\(file): no column '\(column)' (columns: \(header.joined(separator: ", ")))")
        }
        return index
    }

    public func column(_ column: String) throws -> [String] {
        let index = try columnIndex(column)
        return rows.map { $0[index] }
    }

    /// "FILE row N" for data row `index` (0-based).
    public func describeRow(_ index: Int) -> String { "\(file) row \(index + 1)" }
}

public struct CSVTableError: Error, CustomStringConvertible, Equatable {
    public let description: String

    public init(description: String) { self.description = description }
}
