import Distributed
import Foundation
import Logging

/// A fine-tuning run ended by a stop signal (SIGTERM, SIGUSR1: a Slurm time limit, `scancel`): the
/// ranks agreed on it at a step, and the run goes on from `report.checkpoint` with `--resume`.
public struct FinetuneStopped: Error, CustomStringConvertible {
    public let report: StopReport
    public var description: String { report.line }
}

/// Stopping on a signal. Rank 0 records in stop.json which checkpoint the run resumes from at once,
/// from the signal's thread (the last epoch's: a launcher may kill the ranks soon after); the ranks
/// finish the next step they agree on, rank 0 checkpoints that step (Finetuner+Checkpoints) and
/// names it in stop.json, and a resumed run goes on inside the epoch from there.
extension Finetuner {
    func watchForStop() {
        guard world.isRoot else { return }
        StopRequest.onSignal { [self] signal in
            stopLock.lock()
            defer { stopLock.unlock() }
            guard var report = stopPoint else { return }
            report.signal = StopRequest.name(signal)
            do {
                try directory.replace(directory.stopReport, withJSON: report)
                logger.info("\(report.signal) received: stopping at the next step; the run resumes from \(report.checkpoint ?? "the start of the seed")")
            } catch {
                logger.error("\(report.signal) received, but stop.json could not be written: \(error)")
            }
        }
    }

    /// Rank 0 notes where a stop now would resume from: the seed's newest checkpoint (nil: the
    /// start of the seed), after `step` of its `lastStep` steps.
    func noteStopPoint(seed: UInt64, step: Int, lastStep: Int, checkpoint: URL?) {
        guard world.isRoot else { return }
        stopLock.withLock { stopPoint = StopReport(signal: "", step: step, lastStep: lastStep, checkpoint: checkpoint?.path) }
    }

    /// The error every rank throws at the step where they agreed to stop; rank 0 writes stop.json.
    func stopped(by signal: Int32) throws -> FinetuneStopped {
        stopLock.lock()
        defer { stopLock.unlock() }
        var report = stopPoint ?? StopReport(signal: "", step: 0, lastStep: 0, checkpoint: nil)
        report.signal = StopRequest.name(signal)
        if world.isRoot { try directory.replace(directory.stopReport, withJSON: report) }
        return FinetuneStopped(report: report)
    }
}
