import CSV
import Foundation

/// CSV text (RFC 4180 quoting through CSV.swift, "\n" line ends, a final newline) and atomic
/// writing: the file appears whole under its name or not at all.
enum CSVText {
    static func render(header: [String], rows: [[String]]) throws -> Data {
        let stream = OutputStream(toMemory: ())
        let writer = try CSVWriter(stream: stream)
        try writer.write(row: header)
        for row in rows { try writer.write(row: row) }
        writer.stream.close()
        guard var data = stream.property(forKey: .dataWrittenToMemoryStreamKey) as? Data else {
            throw CSVTableError(description: "CSV writer produced no data")
        }
        data.append(UInt8(ascii: "\n"))
        return data
    }

    /// Writes to a temporary name beside `url`, then renames it into place.
    static func write(_ data: Data, to url: URL) throws {
        do {
            try data.write(to: url, options: .atomic)
        } catch {
            throw CSVTableError(description: "\(url.path): cannot write (\(error.localizedDescription))")
        }
    }

    /// `name`, or `name` with "_lgmcl" appended until it clashes with no column in `taken`, so an
    /// added column never shadows an input column.
    static func freshColumn(_ name: String, taken: inout Set<String>) -> String {
        var candidate = name
        while taken.contains(candidate) { candidate += "_lgmcl" }
        taken.insert(candidate)
        return candidate
    }

    /// Shortest text that reads back as the same Float32: model outputs are Float32, and more
    /// digits than that would only be noise.
    static func number(_ value: Double) -> String {
        value.isNaN ? "" : String(Float(value))
    }
}
