import Foundation
import Logging

/// A swift-log handler that prefixes each line with the rank, so interleaved output of many
/// ranks can be told apart, and writes to stderr unbuffered.
public struct RankLogHandler: LogHandler {
    public var logLevel: Logger.Level = .info
    public var metadata: Logger.Metadata = [:]
    let label: String
    let rank: Int
    let size: Int

    public init(label: String, rank: Int, size: Int) {
        self.label = label
        self.rank = rank
        self.size = size
    }

    public subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    public func log(event: LogEvent) {
        let prefix = size > 1 ? "[\(rank)/\(size)] " : ""
        let merged = metadata.merging(event.metadata ?? [:]) { $1 }
        let extra = merged.isEmpty ? "" : " " + merged.sorted { $0.key < $1.key }.map { "\($0)=\($1)" }.joined(separator: " ")
        let line = "\(prefix)\(event.level == .info ? "" : "\(event.level): ")\(event.message)\(extra)\n"
        FileHandle.standardError.write(Data(line.utf8))
    }

    /// Installs the handler for the process (once, before the first Logger is made).
    public static func bootstrap(rank: Int, size: Int, level: Logger.Level = .info) {
        LoggingSystem.bootstrap { label in
            var handler = RankLogHandler(label: label, rank: rank, size: size)
            handler.logLevel = level
            return handler
        }
    }
}
