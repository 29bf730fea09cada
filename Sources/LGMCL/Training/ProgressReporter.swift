import Foundation

/// Progress of a long run on rank 0: a live line when stderr is a terminal, periodic plain lines
/// otherwise (under mpirun no rank has a terminal, and a bar that redraws with `\r` would end
/// up as one endless line in a log file).
public struct ProgressReporter {
    public let total: Int
    public let interval: Double
    let label: String
    let quietWhenShort: Bool
    let isTerminal = isatty(STDERR_FILENO) != 0
    let started: Date
    var lastPrint: Date
    var printed = false
    /// Units done before this reporter started (a resumed run's steps): rates and ETAs count only
    /// what this process did, or a resume at step 180 would report 180 steps in its first second.
    let startingAt: Int

    /// - Parameter quietWhenShort: the first line comes only after `interval` seconds, and the
    ///   last only if a first came, for passes that are often short (fine-tuning epochs, which
    ///   end with a summary line of their own).
    public init(label: String, total: Int, interval: Double = 10, quietWhenShort: Bool = false, startingAt: Int = 0) {
        self.label = label
        self.startingAt = startingAt
        self.total = total
        self.interval = interval
        self.quietWhenShort = quietWhenShort
        started = Date()
        lastPrint = quietWhenShort ? started : .distantPast
    }

    /// Reports `done` of `total` units plus free text (loss, rate…); prints only every
    /// `interval` seconds on plain output, and at the end.
    public mutating func update(_ done: Int, unit: String, detail: String = "") {
        let now = Date()
        let finished = done >= total
        if finished {
            guard printed || !quietWhenShort else { return }
        } else {
            let wait = isTerminal && (printed || !quietWhenShort) ? 0.2 : interval
            guard now.timeIntervalSince(lastPrint) >= wait else { return }
        }
        lastPrint = now
        printed = true
        let elapsed = now.timeIntervalSince(started)
        let rate = elapsed > 0 ? Double(max(0, done - startingAt)) / elapsed : 0
        let eta = rate > 0 ? Double(total - done) / rate : 0
        let percent = total > 0 ? 100 * Double(done) / Double(total) : 100
        var line = String(format: "%@ %d/%d %@ (%.0f%%) %.1f %@/s ETA %@", label, done, total, unit, percent, rate, unit,
                          Self.duration(eta))
        if !detail.isEmpty { line += "  " + detail }
        if isTerminal {
            FileHandle.standardError.write(Data(("\r\u{1B}[K" + line + (finished ? "\n" : "")).utf8))
        } else {
            FileHandle.standardError.write(Data((line + "\n").utf8))
        }
    }

    public static func duration(_ seconds: Double) -> String {
        let s = Int(seconds.rounded())
        return s >= 3600 ? String(format: "%dh%02dm", s / 3600, (s % 3600) / 60)
            : s >= 60 ? String(format: "%dm%02ds", s / 60, s % 60) : "\(s)s"
    }
}

/// Metrics as JSON lines (one object per line), appended as training goes, for plots and tools.
public final class MetricsLog {
    let handle: FileHandle

    public init(url: URL, append: Bool) throws {
        if !append || !FileManager.default.fileExists(atPath: url.path) {
            FileManager.default.createFile(atPath: url.path, contents: nil)
        }
        handle = try FileHandle(forWritingTo: url)
        handle.seekToEndOfFile()
    }

    deinit { try? handle.close() }

    public func write(_ fields: [String: Double], event: String) {
        var object: [String: Any] = fields
        object["event"] = event
        if let data = try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys]) {
            handle.write(data + Data("\n".utf8))
        }
    }
}
