import Foundation

/// SIGTERM and SIGUSR1 — what Slurm sends before a time limit (`#SBATCH --signal`), on `scancel`,
/// and what srun, mpirun and cluster/lgmcl-launch forward — ask the job to stop with a checkpoint,
/// instead of dying mid-step.
///
/// The signal is noted here, and handed to the handler a trainer registered (`onSignal`): rank 0
/// writes the checkpoint of the last completed step at once, because a launcher may kill the rank
/// long before a slow step ends (mpirun SIGKILLs its ranks `odls_base_sigkill_timeout` seconds
/// after forwarding a SIGTERM; Slurm, KillWait seconds after its own). Ranks agree on stopping
/// through the step's loss allreduce, which carries `receivedSignal`, because the signal may reach
/// ranks at different steps.
public enum StopRequest {
    nonisolated(unsafe) static var sources: [DispatchSourceSignal] = []
    static let lock = NSLock()
    nonisolated(unsafe) static var received: Int32 = 0
    nonisolated(unsafe) static var handler: (@Sendable (Int32) -> Void)?
    nonisolated(unsafe) static var handled = false

    /// Installs the handlers (once per process).
    public static func install(signals: [Int32] = [SIGTERM, SIGUSR1]) {
        lock.lock()
        defer { lock.unlock() }
        guard sources.isEmpty else { return }
        for number in signals {
            Glibc.signal(number, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: number, queue: .global())
            source.setEventHandler { note(number) }
            source.resume()
            sources.append(source)
        }
    }

    /// Records `number` (SIGTERM outranks SIGUSR1: a cancel is not undone by a later warning) and
    /// runs the registered handler once, on this signal queue's thread, not the training thread.
    static func note(_ number: Int32) {
        lock.lock()
        if received != SIGTERM { received = number }
        let run = handled ? nil : handler
        if run != nil { handled = true }
        lock.unlock()
        run?(number)
    }

    /// `body` runs once, on another thread, when the first stop signal arrives; at once when one
    /// has arrived already. Replaces an earlier registration that has not run.
    public static func onSignal(_ body: @escaping @Sendable (Int32) -> Void) {
        lock.lock()
        handler = body
        let pending = received != 0 && !handled ? received : 0
        if pending != 0 { handled = true }
        lock.unlock()
        if pending != 0 { DispatchQueue.global().async { body(pending) } }
    }

    /// The signal this rank received, if any.
    public static var receivedSignal: Int32? {
        lock.lock()
        defer { lock.unlock() }
        return received == 0 ? nil : received
    }

    /// The signal's name as launchers and logs spell it.
    public static func name(_ number: Int32) -> String {
        switch number {
        case SIGTERM: return "SIGTERM"
        case SIGUSR1: return "SIGUSR1"
        default: return "signal \(number)"
        }
    }

    /// True on every rank when any rank received a stop signal.
    public static func shouldStop(world: Communicator) throws -> Bool {
        try world.allreduce(receivedSignal == nil ? 0 : 1, op: .max) > 0
    }
}
