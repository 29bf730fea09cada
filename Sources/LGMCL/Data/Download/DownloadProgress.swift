import Foundation

/// The progress line of one transfer: bytes so far, of how many, and the rate. On a terminal
/// the line is redrawn in place; otherwise (logs, CI, tests) a line every few seconds, so a
/// log neither fills with carriage returns nor stays silent during a long download.
struct DownloadProgress {
    let name: String
    let total: Int64?
    /// Bytes already there when this transfer started (a resumed partial file).
    let resumedFrom: Int64
    let start: Date
    let interactive: Bool
    private var lastLine: Date

    init(name: String, total: Int64?, resumedFrom: Int64, interactive: Bool = isatty(2) == 1, start: Date = Date()) {
        self.name = name
        self.total = total
        self.resumedFrom = resumedFrom
        self.interactive = interactive
        self.start = start
        lastLine = start
    }

    /// The line to show now, if one is due.
    mutating func update(received: Int64, now: Date = Date()) -> String? {
        guard now.timeIntervalSince(lastLine) >= (interactive ? 0.25 : 5) else { return nil }
        lastLine = now
        return (interactive ? "\r" : "") + describe(received: received, now: now) + (interactive ? "\u{1B}[K" : "\n")
    }

    /// The closing line once the transfer has ended.
    func finish(received: Int64, now: Date = Date()) -> String {
        (interactive ? "\r" : "") + describe(received: received, now: now) + (interactive ? "\u{1B}[K\n" : "\n")
    }

    func describe(received: Int64, now: Date) -> String {
        let elapsed = max(now.timeIntervalSince(start), 1e-3)
        let rate = Double(received - resumedFrom) / elapsed
        var line = "  \(name): \(Self.bytes(received))"
        if let total, total > 0 {
            line += " of \(Self.bytes(total)) (\(Int(Double(received) / Double(total) * 100))%)"
        }
        line += ", \(Self.bytes(Int64(rate)))/s"
        if resumedFrom > 0 { line += ", resumed at \(Self.bytes(resumedFrom))" }
        return line
    }

    /// Decimal units, as PyPI and browsers show sizes.
    static func bytes(_ count: Int64) -> String {
        let value = Double(count)
        if value >= 1e9 { return String(format: "%.2f GB", value / 1e9) }
        if value >= 1e6 { return String(format: "%.1f MB", value / 1e6) }
        if value >= 1e3 { return String(format: "%.1f kB", value / 1e3) }
        return "\(count) B"
    }
}
