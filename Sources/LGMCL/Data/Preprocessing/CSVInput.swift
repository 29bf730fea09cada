import CSV
import Foundation

/// A CSV (or gzip-compressed CSV) with a header row, read row by row with proper quoting.
///
/// Rows are numbered from 1 after the header (what error messages and the rejects file call
/// "row"); a row with a different number of fields than the header is an error, as is a file
/// with no header.
final class CSVInput {
    let path: String
    let header: [String]
    private let reader: CSVReader
    /// The number of the row `next()` returned last.
    private(set) var rowNumber = 0

    init(path: String) throws {
        self.path = path
        guard FileManager.default.fileExists(atPath: path) else {
            throw DatasetError(file: path, reason: "no such file")
        }
        let stream = GzipInputStream(path: path)
        do {
            reader = try CSVReader(stream: stream, codecType: UTF8.self, hasHeaderRow: true)
        } catch CSVError.cannotReadHeaderRow {
            if let error = stream.streamError { throw error }
            throw DatasetError(file: path, reason: "empty file: no header row")
        } catch {
            throw stream.streamError ?? DatasetError(file: path, reason: "cannot read: \(error)")
        }
        if let error = stream.streamError { throw error }
        header = (reader.headerRow ?? []).map { $0.trimmingCharacters(in: .whitespaces) }
        if header.isEmpty || header == [""] {
            throw DatasetError(file: path, reason: "empty file: no header row")
        }
        self.stream = stream
    }

    private let stream: GzipInputStream

    /// The index of a header column, or an error listing the columns there are.
    func column(_ name: String, role: String) throws -> Int {
        guard let index = header.firstIndex(of: name) else {
            throw DatasetError(
                file: path,
                reason: "no \(role) column '\(name)'; the header has \(header.map { "'\($0)'" }.joined(separator: ", "))",
                hint: role == "SMILES" ? "name it with --smiles-column" : nil)
        }
        return index
    }

    private func read() throws -> [String]? {
        let row = reader.next()
        // A failing stream ends the row being read early: the failure, not the cut row, is news.
        if let error = stream.streamError ?? (row == nil ? reader.error : nil) { throw error }
        return row
    }

    /// The next row, nil at the end of the file.
    func next() throws -> [String]? {
        guard let row = try read() else { return nil }
        rowNumber += 1
        if row == [""] {
            // Blank lines at the very end are the end of the file; elsewhere they are an error.
            while let following = try read() {
                if following != [""] { throw DatasetError(file: path, reason: "row \(rowNumber) is blank") }
            }
            return nil
        }
        guard row.count == header.count else {
            throw DatasetError(file: path, reason: "row \(rowNumber) has \(row.count) fields, the header has \(header.count)")
        }
        return row
    }
}
