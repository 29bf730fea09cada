import Distributed
import Foundation

/// Where a rank's training time goes, per phase, for the end-of-run breakdown (docs/design.md, Data flow:
/// data loading, forward, backward, waiting for allreduce, optimiser).
public struct PhaseTimes: Sendable {
    public enum Phase: String, CaseIterable, Sendable {
        case data, forward, backward, allreduceWait = "allreduce wait"
        /// The step's small blocking allreduce of the loss (and stop requests).
        case lossAllreduce = "loss allreduce"
        case optimizer, checkpoint, evaluation
    }

    public private(set) var seconds: [Phase: Double] = [:]

    public init() {}

    /// Times `body` as `phase`.
    public mutating func measure<T>(_ phase: Phase, _ body: () throws -> T) rethrows -> T {
        let start = monotonicSeconds()
        defer { seconds[phase, default: 0] += monotonicSeconds() - start }
        return try body()
    }

    public mutating func add(_ phase: Phase, _ duration: Double) {
        seconds[phase, default: 0] += duration
    }

    /// Adds another span's times, phase by phase (one run's steps over several models).
    public mutating func add(_ other: PhaseTimes) {
        for (phase, duration) in other.seconds { add(phase, duration) }
    }

    public var total: Double { seconds.values.reduce(0, +) }

    /// Values in `Phase.allCases` order, for gathering across ranks.
    public var vector: [Double] { Phase.allCases.map { seconds[$0] ?? 0 } }

    /// Gathered `vector`s as seconds by phase name, for each rank and as the mean over the ranks.
    public static func byRank(gathered: [Double], ranks: Int) -> (ranks: [[String: Double]], mean: [String: Double]) {
        let phases = Phase.allCases
        let byRank = (0 ..< ranks).map { r in
            Dictionary(uniqueKeysWithValues: phases.enumerated().map { i, phase in (phase.rawValue, gathered[r * phases.count + i]) })
        }
        let mean = Dictionary(uniqueKeysWithValues: phases.map { phase in
            (phase.rawValue, byRank.map { $0[phase.rawValue] ?? 0 }.reduce(0, +) / Double(ranks))
        })
        return (byRank, mean)
    }

    /// A table with one row per rank (from gathered `vector`s) and one column per phase.
    public static func table(gathered: [Double], ranks: Int) -> String {
        let phases = Phase.allCases
        var lines = ["rank  " + phases.map { pad($0.rawValue, 15) }.joined() + pad("total", 10)]
        for r in 0 ..< ranks {
            let row = Array(gathered[r * phases.count ..< (r + 1) * phases.count])
            let total = row.reduce(0, +)
            let cells = row.map { value in
                pad(String(format: "%8.2fs %3.0f%%", value, total > 0 ? 100 * value / total : 0), 15)
            }
            lines.append(pad("\(r)", 6) + cells.joined() + pad(String(format: "%8.2fs", total), 10))
        }
        return lines.joined(separator: "\n")
    }

    static func pad(_ text: String, _ width: Int) -> String {
        text.count >= width ? text + " " : text + String(repeating: " ", count: width - text.count)
    }
}
