import Foundation

/// The rejects CSV beside the output: one line per skipped input row (row number counted from 1
/// after the header, the SMILES as given, the reason). Written under a temporary name and
/// renamed by `finish()`, like the dataset.
final class RejectsWriter {
    let path: String
    private let temporaryPath: String
    private let handle: FileHandle
    private(set) var count = 0
    private var finished = false

    init(path: String) throws {
        self.path = path
        let url = URL(fileURLWithPath: path)
        temporaryPath = url.deletingLastPathComponent().appendingPathComponent(".\(url.lastPathComponent).partial-\(getpid())").path
        guard FileManager.default.createFile(atPath: temporaryPath, contents: Data("row,smiles,reason\n".utf8)),
              let handle = FileHandle(forWritingAtPath: temporaryPath) else {
            throw DatasetError(file: path, reason: "cannot create the rejects file")
        }
        handle.seekToEndOfFile()
        self.handle = handle
    }

    deinit { discard() }

    /// Abandons the file: nothing is left on disk.
    func discard() {
        guard !finished else { return }
        try? handle.close()
        try? FileManager.default.removeItem(atPath: temporaryPath)
        finished = true
    }

    func append(row: Int, smiles: String, reason: String) throws {
        let line = [String(row), smiles, reason].map(Self.quoted).joined(separator: ",") + "\n"
        try handle.write(contentsOf: Data(line.utf8))
        count += 1
    }

    func finish() throws {
        try handle.close()
        if FileManager.default.fileExists(atPath: path) { try FileManager.default.removeItem(atPath: path) }
        try FileManager.default.moveItem(atPath: temporaryPath, toPath: path)
        finished = true
    }

    /// RFC 4180 quoting: fields with a comma, quote or line break are quoted, quotes doubled.
    static func quoted(_ field: String) -> String {
        guard field.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" }) else { return field }
        return "\"" + field.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }
}
