import Foundation

/// SIGTERM and SIGUSR1 — what Slurm sends before a time limit (`#SBATCH --signal`) — ask the job
/// to stop at the next step boundary after a checkpoint, instead of dying mid-step.
///
/// The signal is only noted here; ranks agree on stopping through `shouldStop(world:)`, an
/// allreduce at the step boundary, because the signal may reach ranks at different steps.
public enum StopRequest {
    nonisolated(unsafe) static var sources: [DispatchSourceSignal] = []
    static let lock = NSLock()
    nonisolated(unsafe) static var received: Int32 = 0

    /// Installs the handlers (once per process).
    public static func install(signals: [Int32] = [SIGTERM, SIGUSR1]) {
        lock.lock()
        defer { lock.unlock() }
        guard sources.isEmpty else { return }
        for number in signals {
            Glibc.signal(number, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: number, queue: .global())
            source.setEventHandler {
                lock.lock()
                received = number
                lock.unlock()
            }
            source.resume()
            sources.append(source)
        }
    }

    /// The signal this rank received, if any.
    public static var receivedSignal: Int32? {
        lock.lock()
        defer { lock.unlock() }
        return received == 0 ? nil : received
    }

    /// True on every rank when any rank received a stop signal.
    public static func shouldStop(world: Communicator) throws -> Bool {
        try world.allreduce(receivedSignal == nil ? 0 : 1, op: .max) > 0
    }
}
