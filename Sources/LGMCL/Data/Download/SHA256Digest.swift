import CCrypto
import Foundation

/// Lower-case hex SHA-256 of a file, read in blocks: the pretraining archive is 50 MB and
/// checksums must not hold a whole download in memory.
public enum SHA256Digest {
    public static func ofFile(at url: URL) throws -> String {
        guard let input = FileHandle(forReadingAtPath: url.path) else {
            throw DownloadError(subject: url.path, reason: "cannot be read")
        }
        defer { try? input.close() }
        guard let context = EVP_MD_CTX_new() else {
            throw DownloadError(subject: url.path, reason: "OpenSSL could not allocate a digest context")
        }
        defer { EVP_MD_CTX_free(context) }
        EVP_DigestInit_ex(context, EVP_sha256(), nil)
        while true {
            let block = try input.read(upToCount: 1 << 20) ?? Data()
            if block.isEmpty { break }
            _ = block.withUnsafeBytes { EVP_DigestUpdate(context, $0.baseAddress, $0.count) }
        }
        var digest = [UInt8](repeating: 0, count: Int(EVP_MAX_MD_SIZE))
        var length: UInt32 = 0
        EVP_DigestFinal_ex(context, &digest, &length)
        return hex(digest.prefix(Int(length)))
    }

    public static func of(_ data: Data) -> String {
        var digest = [UInt8](repeating: 0, count: Int(SHA256_DIGEST_LENGTH))
        _ = data.withUnsafeBytes { SHA256($0.baseAddress?.assumingMemoryBound(to: UInt8.self), $0.count, &digest) }
        return hex(digest[...])
    }

    static func hex(_ bytes: ArraySlice<UInt8>) -> String {
        bytes.map { ($0 < 16 ? "0" : "") + String($0, radix: 16) }.joined()
    }
}
