import CCrypto
import Foundation

/// Lower-case hex SHA-256, OpenSSL's, fed in pieces: downloads (Data/Download reads 50 MB
/// archives in blocks), vocabularies, split columns, the numeric canary and replicas' weights all hash through it, and
/// none of them needs its input in one buffer.
public final class SHA256Digest {
    private let context: OpaquePointer

    public init() {
        // Fails only when memory is exhausted, where Swift itself would trap as well.
        guard let context = EVP_MD_CTX_new() else { fatalError("OpenSSL could not allocate a digest context") }
        self.context = context
        EVP_DigestInit_ex(context, EVP_sha256(), nil)
    }

    deinit { EVP_MD_CTX_free(context) }

    public func add(_ bytes: UnsafeRawBufferPointer) {
        EVP_DigestUpdate(context, bytes.baseAddress, bytes.count)
    }

    public func add(_ bytes: some ContiguousBytes) {
        bytes.withUnsafeBytes { add($0) }
    }

    /// The digest of everything added; the object is spent afterwards.
    public func hex() -> String {
        var digest = [UInt8](repeating: 0, count: Int(EVP_MAX_MD_SIZE))
        var length: UInt32 = 0
        EVP_DigestFinal_ex(context, &digest, &length)
        return digest.prefix(Int(length)).map { ($0 < 16 ? "0" : "") + String($0, radix: 16) }.joined()
    }

    public static func of(_ bytes: some ContiguousBytes) -> String {
        let digest = SHA256Digest()
        digest.add(bytes)
        return digest.hex()
    }

}
