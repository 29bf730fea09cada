import Distributed
import Foundation
import Logging

/// What a pretraining run stopped by a signal leaves in `RunDirectory.stopReport`, for the
/// launcher (requeue or not, and its last line) and for people: the checkpoint a resume starts from.
public struct StopReport: Codable, Sendable, Equatable {
    /// SIGTERM or SIGUSR1, as the ranks agreed on it (SIGTERM wins).
    public var signal: String
    /// The last completed step, the one checkpointed; `lastStep` is where the run would have ended.
    public var step: Int
    public var lastStep: Int
    /// The verified checkpoint directory; nil when the stop came before the first step.
    public var checkpoint: String?
    /// Seconds from this rank's signal to the verified checkpoint (nil: the signal reached other
    /// ranks only, and rank 0 wrote it at the step boundary).
    public var secondsToCheckpoint: Double?

    public init(signal: String, step: Int, lastStep: Int, checkpoint: String?, secondsToCheckpoint: Double? = nil) {
        self.signal = signal
        self.step = step
        self.lastStep = lastStep
        self.checkpoint = checkpoint
        self.secondsToCheckpoint = secondsToCheckpoint
    }

    /// How a stopped run goes on, unless its command resumes in its own way.
    public static let resumeAdvice = "resume with the same command and --resume (cluster/lgmcl-launch with the same --run-dir adds it)"

    /// The run's last line: what happened and how to go on.
    public var line: String { line(goingOn: Self.resumeAdvice) }

    /// The last line of a command that goes on in its own way (e.g. one that always resumes).
    public func line(goingOn: String) -> String {
        "stopped at step \(step) of \(lastStep) (\(signal)), checkpoint \(checkpoint ?? "none (no step completed)"), \(goingOn)"
    }
}

extension Pretrainer {
    /// Rank 0, from the signal's thread: the checkpoint of the last completed step, written now
    /// rather than after the step in flight (which may take minutes with the paper preset, longer
    /// than a launcher waits). The replicas hold that step's weights until the optimiser runs,
    /// which waits for `stateLock`; and on a stop the ranks skip it (skipsOptimizerOnStop).
    func watchForStop(lastStep: Int) {
        guard world.isRoot else { return }
        StopRequest.onSignal { [self] signal in
            do {
                if let report = try checkpointForStop(signal: signal, lastStep: lastStep, timed: true) {
                    let seconds = String(format: "%.2f", report.secondsToCheckpoint ?? 0)
                    logger.info("\(report.signal) received: checkpoint of step \(report.step) written and verified \(seconds) s after the signal (the step in flight is dropped; the ranks stop at its end)")
                }
            } catch {
                logger.error("\(StopRequest.name(signal)) received, but the stop checkpoint failed: \(error)")
            }
        }
    }

    /// Writes (unless written already) and verifies the checkpoint of the last completed step,
    /// then the stop report; nil when training had ended before the signal. `timed`: called as
    /// the signal arrives, so the report's secondsToCheckpoint is the signal-to-checkpoint time.
    @discardableResult
    func checkpointForStop(signal: Int32, lastStep: Int, timed: Bool = false) throws -> StopReport? {
        step.stateLock.lock()
        defer { step.stateLock.unlock() }
        guard !trainingEnded else { return nil }
        let started = monotonicSeconds()
        var checkpoint: String?
        if position.step > 0 {
            if checkpointedStep != position.step {
                try saveCheckpoint()
                checkpointedStep = position.step
            }
            checkpoint = try store.verify(store.directory.appendingPathComponent(store.name(step: position.step))).directory.path
        }
        var report = StopReport(signal: StopRequest.name(signal), step: position.step, lastStep: lastStep, checkpoint: checkpoint)
        if timed { report.secondsToCheckpoint = monotonicSeconds() - started }
        if let previous = stopReport {
            // The first verified checkpoint after the signal is what the timing is about; a later
            // one (the signal came after this rank's share of the stop allreduce) only moves the step.
            report.secondsToCheckpoint = previous.secondsToCheckpoint ?? report.secondsToCheckpoint
            if previous.signal == "SIGTERM" { report.signal = previous.signal }
        }
        try directory.replace(directory.stopReport, withJSON: report)
        stopReport = report
        return report
    }
}
