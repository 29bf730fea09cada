import Foundation

/// What must be true of a downloaded (or copied) file before anything is made from it.
///
/// Servers answer a wrong or expired URL with something that is not the file but looks like
/// success: an HTML page (a login or error page with status 200) or, for a file stored in Git
/// LFS, the few-line pointer GitHub serves in its place. Each is named as what it is, which says
/// more than a checksum mismatch would.
public enum DownloadedContent {
    public static let lfsPointerPrefix = "version https://git-lfs.github.com/spec/v1"

    /// Throws a ``DownloadError`` naming `subject` when the file is a page or pointer, has not
    /// `size` bytes, or does not hash to `sha256` (nil: not checked).
    public static func verify(_ file: URL, subject: String, sha256: String?, size: Int64?) throws {
        let head = try leadingBytes(of: file, count: 512)
        if head.starts(with: Data(lfsPointerPrefix.utf8)) {
            throw DownloadError(subject: subject, reason: "is a Git LFS pointer file, not the file itself (the server stores it in Git LFS and gave the pointer)")
        }
        if isHTML(head) {
            throw DownloadError(subject: subject, reason: "is an HTML page, not the file (an error or sign-in page served in its place)")
        }
        let actualSize = try fileSize(file)
        if let size, actualSize < size {
            throw DownloadError(subject: subject, reason: "truncated: \(actualSize) bytes of the expected \(size)")
        }
        if let size, actualSize != size {
            throw DownloadError(subject: subject, reason: "\(actualSize) bytes, expected \(size)")
        }
        if let sha256 {
            let actual = try SHA256Digest.ofFile(at: file)
            guard actual == sha256.lowercased() else {
                throw DownloadError(subject: subject, reason: "wrong checksum: SHA-256 \(actual), expected \(sha256)")
            }
        }
    }

    static func isHTML(_ head: Data) -> Bool {
        var text = String(decoding: head.prefix(64), as: UTF8.self)
        text = text.trimmingCharacters(in: CharacterSet.whitespacesAndNewlines.union(CharacterSet(charactersIn: "\u{FEFF}")))
        let lowered = text.lowercased()
        return lowered.hasPrefix("<!doctype") || lowered.hasPrefix("<html")
    }

    static func leadingBytes(of file: URL, count: Int) throws -> Data {
        guard let handle = FileHandle(forReadingAtPath: file.path) else {
            throw DownloadError(subject: file.path, reason: "cannot be read")
        }
        defer { try? handle.close() }
        return try handle.read(upToCount: count) ?? Data()
    }

    static func fileSize(_ file: URL) throws -> Int64 {
        let attributes = try FileManager.default.attributesOfItem(atPath: file.path)
        return (attributes[.size] as? NSNumber)?.int64Value ?? 0
    }
}
