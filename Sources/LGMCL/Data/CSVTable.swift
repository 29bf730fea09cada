import Foundation

/// A CSV file read whole: the header and every data row as text. Fine-tuning sets and prediction
/// inputs are small (thousands of rows); pretraining corpora are streamed by `preprocess`. Both
/// read through ``CSVInput``, so the same files (gzip-compressed too) and the same rules on
/// quoting, blank lines and ragged rows apply everywhere.
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
        let header: [String]
        var rows: [[String]] = []
        do {
            let input = try CSVInput(path: url.path)
            header = input.header
            while let row = try input.next() { rows.append(row) }
        } catch let error as DatasetError {
            throw CSVTableError(description: error.description)
        } catch {
            throw CSVTableError(description: "\(url.path): \(error)")
        }
        var seen = Set<String>()
        for column in header where !seen.insert(column).inserted {
            throw CSVTableError(description: "\(url.path): column '\(column)' appears twice in the header")
        }
        self.init(header: header, rows: rows, file: url.lastPathComponent)
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
