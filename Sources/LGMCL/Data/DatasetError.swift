/// A dataset file that cannot be used, or an input that cannot become one: names the file and
/// says what is wrong, with a hint when there is an obvious remedy.
public struct DatasetError: Error, CustomStringConvertible {
    public let file: String
    public let reason: String
    public let hint: String?

    public init(file: String, reason: String, hint: String? = nil) {
        self.file = file
        self.reason = reason
        self.hint = hint
    }

    public var description: String {
        "\(file): \(reason)" + (hint.map { " (hint: \($0))" } ?? "")
    }
}
