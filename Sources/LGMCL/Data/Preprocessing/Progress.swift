import Foundation

/// Progress lines for long runs. Under mpirun no rank has a terminal, so these are plain
/// periodic lines (rows, rate, ETA), not a redrawn bar.
struct Progress {
    let total: Int
    let interval: Double
    let start: Date
    private var lastReport: Date

    init(total: Int, interval: Double, start: Date) {
        self.total = total
        self.interval = interval
        self.start = start
        self.lastReport = start
    }

    /// A line when `interval` seconds have passed since the last one, else nil.
    mutating func update(done: Int, written: Int, rejected: Int, now: Date = Date()) -> String? {
        guard now.timeIntervalSince(lastReport) >= interval, done < total else { return nil }
        lastReport = now
        let elapsed = now.timeIntervalSince(start)
        let rate = Double(done) / max(elapsed, 1e-9)
        let eta = rate > 0 ? Double(total - done) / rate : 0
        let percent = Double(done) / Double(max(total, 1)) * 100
        return "preprocess: \(done)/\(total) rows (\(String(format: "%.1f", percent))%), "
            + "\(Int(rate.rounded())) rows/s, ETA \(Self.duration(eta)); \(written) molecules, \(rejected) rejected"
    }

    static func duration(_ seconds: Double) -> String {
        let s = Int(seconds.rounded())
        if s >= 3600 { return "\(s / 3600)h \(s % 3600 / 60)m" }
        if s >= 60 { return "\(s / 60)m \(s % 60)s" }
        return "\(s)s"
    }
}
