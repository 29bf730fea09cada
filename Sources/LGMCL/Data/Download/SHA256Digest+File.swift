import Foundation

extension SHA256Digest {
    /// A file's digest, read in blocks: a checksum must not hold a whole download in memory.
    public static func ofFile(at url: URL) throws -> String {
        guard let input = FileHandle(forReadingAtPath: url.path) else {
            throw DownloadError(subject: url.path, reason: "cannot be read")
        }
        defer { try? input.close() }
        let digest = SHA256Digest()
        while true {
            let block = try input.read(upToCount: 1 << 20) ?? Data()
            if block.isEmpty { break }
            digest.add(block)
        }
        return digest.hex()
    }
}
