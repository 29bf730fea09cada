import Foundation

/// Members of .tar.gz archives, read with the system's tar: every Debian machine has it, and
/// upstream archives are plain gzip-compressed POSIX tarballs.
public enum TarArchive {
    public static let tarPath = "/bin/tar"

    /// Writes `member` of `archive` to `destination` (replacing it), byte for byte.
    public static func extract(member: String, of archive: URL, to destination: URL) throws {
        _ = FileManager.default.createFile(atPath: destination.path, contents: nil)
        guard let output = FileHandle(forWritingAtPath: destination.path) else {
            throw DownloadError(subject: destination.path, reason: "cannot be written")
        }
        let errors = Pipe()
        let tar = Process()
        tar.executableURL = URL(fileURLWithPath: tarPath)
        tar.arguments = ["-xzf", archive.path, "-O", member]
        tar.standardOutput = output
        tar.standardError = errors
        do {
            try tar.run()
        } catch {
            try? output.close()
            throw DownloadError(subject: tarPath, reason: "cannot run (\(error.localizedDescription))")
        }
        // Read before waiting: a tar with much to say would otherwise block on a full pipe.
        let message = String(decoding: errors.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        tar.waitUntilExit()
        try? output.close()
        guard tar.terminationStatus == 0 else {
            throw DownloadError(
                subject: archive.path,
                reason: "no member \(member) could be extracted (tar: \(message.trimmingCharacters(in: .whitespacesAndNewlines)))")
        }
    }
}
