import CMPI
import Foundation

/// Process-wide MPI state: start-up, versions, and how errors leave the process.
public enum Environment {
    /// Initialises MPI once (funneled: MPI is called from one thread only).
    static func initialize() throws {
        var initialized: Int32 = 0
        try check(MPI_Initialized(&initialized), "MPI_Initialized")
        guard initialized == 0 else { return }
        var provided: Int32 = 0
        try check(MPI_Init_thread(nil, nil, lgmcl_mpi_thread_funneled(), &provided), "MPI_Init_thread")
        if provided < lgmcl_mpi_thread_funneled() {
            throw MPIError(function: "MPI_Init_thread", code: -1,
                           message: "the MPI library does not provide MPI_THREAD_FUNNELED (got level \(provided))")
        }
    }

    public static var isInitialized: Bool {
        var flag: Int32 = 0
        return MPI_Initialized(&flag) == MPI_SUCCESS && flag != 0
    }

    public static var isFinalized: Bool {
        var flag: Int32 = 0
        return MPI_Finalized(&flag) == MPI_SUCCESS && flag != 0
    }

    /// The MPI library's own version line, e.g. "Open MPI v4.1.4, package: Debian OpenMPI, …".
    public static var libraryVersion: String {
        var buffer = [CChar](repeating: 0, count: Int(lgmcl_mpi_max_library_version_string()) + 1)
        var length: Int32 = 0
        guard MPI_Get_library_version(&buffer, &length) == MPI_SUCCESS else { return "unknown" }
        // Open MPI counts the terminating NUL in `length`; stop at the first NUL.
        let bytes = buffer.prefix(Int(length)).prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }
        let text = String(decoding: bytes, as: UTF8.self)
        return text.split(whereSeparator: \.isNewline).first.map(String.init) ?? text
    }

    /// The MPI standard version the library implements, e.g. "3.1".
    public static var standardVersion: String {
        var major: Int32 = 0
        var minor: Int32 = 0
        MPI_Get_version(&major, &minor)
        return "\(major).\(minor)"
    }

    /// This process's host as MPI names it (the system's host name before MPI starts, where MPI
    /// may not be asked).
    public static var processorName: String {
        guard isInitialized, !isFinalized else { return ProcessInfo.processInfo.hostName }
        var buffer = [CChar](repeating: 0, count: Int(lgmcl_mpi_max_processor_name()) + 1)
        var length: Int32 = 0
        guard MPI_Get_processor_name(&buffer, &length) == MPI_SUCCESS else { return ProcessInfo.processInfo.hostName }
        return String(decoding: buffer.prefix(Int(length)).map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    /// Writes `message` to stderr with the rank that says it, and flushes at once: the process
    /// may be killed by mpirun moments later.
    static func printError(_ message: String, rank: Int, size: Int) {
        let prefix = size > 1 ? "lgmcl: rank \(rank)/\(size) on \(processorName): error: " : "lgmcl: error: "
        FileHandle.standardError.write(Data((prefix + message + "\n").utf8))
    }
}

/// The trap of a job started by Slurm (or another launcher) with many tasks but without MPI
/// wiring: every task would believe it is alone and train the whole dataset by itself.
public struct LaunchError: Error, CustomStringConvertible {
    public let description: String
}

/// Runs the body of a distributed command on every rank.
///
/// An error thrown on any rank ends the whole job promptly: that rank prints its message and
/// calls MPI_Abort, which makes mpirun kill the others. Success finalises MPI.
public enum Job {
    public static func run(_ body: (Communicator) throws -> Void) -> Never {
        runWithStatus { world in try body(world); return 0 }
    }

    /// Like `run`, ending with the status `body` returns (pretrain: 75, EX_TEMPFAIL, when a stop
    /// signal ended it early), after a clean MPI_Finalize on every rank. Every rank must return
    /// the same status.
    public static func runWithStatus(_ body: (Communicator) throws -> Int32) -> Never {
        let world = Communicator.world
        do {
            try checkLaunch(worldSize: world.size)
            try RankErrorLog.startIfConfigured(rank: world.rank, size: world.size)
            let status = try body(world)
            try check(MPI_Finalize(), "MPI_Finalize")
            if status != 0, world.size > 1 {
                // mpirun takes the first non-zero exit for a failure and ends the other ranks with
                // SIGTERM and SIGKILL, each after odls_base_sigkill_timeout seconds (the stop grace
                // under cluster/lgmcl-launch), even ranks a moment from exiting by themselves. So
                // every rank returned the same status, the others leave with 0 at once, and rank 0,
                // last, reports it: srun and mpirun both end with it.
                if world.rank != 0 { exit(0) }
                usleep(500_000)
            }
            exit(status)
        } catch {
            fail(world, error)
        }
    }

    /// Ends the job with `error`'s message, from any rank.
    public static func fail(_ world: Communicator, _ error: Error) -> Never {
        let message = "\(error)"
        if world.size == 1 {
            // Alone, a clean shutdown avoids Open MPI's abort banner.
            Environment.printError(message, rank: 0, size: 1)
            MPI_Finalize()
            exit(1)
        }
        world.abort(message: message)
    }

    static func checkLaunch(worldSize: Int) throws {
        let env = ProcessInfo.processInfo.environment
        guard worldSize == 1 else { return }
        for key in ["SLURM_NTASKS", "SLURM_NPROCS"] {
            if let value = env[key], let tasks = Int(value), tasks > 1, env["LGMCL_ALLOW_SINGLETON"] == nil {
                throw LaunchError(description: """
                    \(key)=\(tasks) but MPI sees a world of 1 rank: each task would train alone. \
                    Launch with `srun --mpi=pmix lgmcl-dist …` (Slurm built with PMIx) or \
                    `mpirun -np \(tasks) lgmcl-dist …` inside the allocation; \
                    `srun --mpi=list` shows the MPI plugins your Slurm offers.
                    """)
            }
        }
    }
}
