/// Why a dataset could not be installed: the URL or file at fault, and what was wrong with it.
public struct DownloadError: Error, CustomStringConvertible, Equatable {
    /// A URL, a path, or a dataset name.
    public let subject: String
    public let reason: String

    public init(subject: String, reason: String) {
        self.subject = subject
        self.reason = reason
    }

    public var description: String { "\(subject): \(reason)" }
}
