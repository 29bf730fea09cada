import Foundation

/// A file on a web server as the catalogue knows it: where it is and, where known, its exact
/// size and SHA-256, so that what arrives is checked before anything is made from it.
public struct RemoteFile: Codable, Equatable, Sendable {
    public var url: String
    /// nil when the catalogue cannot know the bytes (then only the file made from it is checked).
    public var sha256: String?
    public var size: Int64?

    public init(url: String, sha256: String? = nil, size: Int64? = nil) {
        self.url = url
        self.sha256 = sha256
        self.size = size
    }

    /// The name the file has on the server, for messages and staging names.
    public var fileName: String { URL(string: url)?.lastPathComponent ?? url }
}
