import Foundation

/// What a launched program did.
public struct ProcessResult: Sendable {
    public let status: Int32
    public let stdout: String
    public let stderr: String
    public let timedOut: Bool
    public let seconds: Double

    public var output: String { stdout + stderr }
}

/// Builds products live beside the test bundle: `swift test` builds the executables the test
/// targets depend on into the same directory.
public func productPath(_ name: String) -> String {
    let bundleDirectory = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
    for directory in [bundleDirectory, bundleDirectory.deletingLastPathComponent()] {
        let candidate = directory.appendingPathComponent(name).path
        if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
    }
    return bundleDirectory.appendingPathComponent(name).path
}

/// The repository root, for fixtures and data/.
public let repositoryRoot: URL = URL(fileURLWithPath: #filePath)
    .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

/// The repository's data/ (data/README.md): the MoleculeNet sets, oracles and samples tests read.
/// Only committed files are read, so a fresh clone runs every test.
public let repositoryData: URL = repositoryRoot.appendingPathComponent("data")

/// The header and the first `rows` rows of data/moleculenet/NAME.csv, written to
/// DIRECTORY/NAME-ROWS.csv (the directory is created): a small real input for a command under test.
public func moleculeNetSlice(_ name: String, rows: Int, in directory: URL) throws -> URL {
    try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    let lines = try String(contentsOf: repositoryData.appendingPathComponent("moleculenet/\(name).csv"), encoding: .utf8)
        .split(separator: "\n", omittingEmptySubsequences: false)
    let csv = directory.appendingPathComponent("\(name)-\(rows).csv")
    try (lines.prefix(rows + 1).joined(separator: "\n") + "\n").write(to: csv, atomically: true, encoding: .utf8)
    return csv
}

/// A program started in the background (see `start`): its pid and where its output goes.
public final class LaunchedProcess {
    public let pid: pid_t
    let scratch: URL
    let started: Date
    var exitStatus: Int32?

    init(pid: pid_t, scratch: URL) {
        self.pid = pid
        self.scratch = scratch
        started = Date()
    }

    deinit { try? FileManager.default.removeItem(at: scratch) }

    public var stdout: String { (try? String(contentsOf: scratch.appendingPathComponent("stdout"), encoding: .utf8)) ?? "" }
    public var stderr: String { (try? String(contentsOf: scratch.appendingPathComponent("stderr"), encoding: .utf8)) ?? "" }

    public var isRunning: Bool {
        if exitStatus != nil { return false }
        var status: Int32 = 0
        if waitpid(pid, &status, WNOHANG) == pid {
            exitStatus = decode(status)
            return false
        }
        return true
    }

    public func signal(_ number: Int32) { kill(pid, number) }

    /// Waits up to `timeout` seconds; past it the process tree is ended and the result says so.
    public func wait(timeout: Double) -> ProcessResult {
        let deadline = started.addingTimeInterval(timeout)
        var timedOut = false
        while isRunning {
            if Date() > deadline {
                timedOut = true
                terminateTree(pid)
                var status: Int32 = 0
                waitpid(pid, &status, 0)
                exitStatus = decode(status)
                break
            }
            usleep(20_000)
        }
        return ProcessResult(status: exitStatus ?? -1, stdout: stdout, stderr: stderr,
                             timedOut: timedOut, seconds: Date().timeIntervalSince(started))
    }

    func decode(_ status: Int32) -> Int32 {
        let signal = status & 0x7f
        return signal == 0 ? (status >> 8) & 0xff : 128 + signal
    }
}

/// Starts a program in the background with output to files (a chatty child can never block on
/// a full pipe). It is spawned with an empty signal mask and default handlers: the test runner's
/// threads block signals, and mpirun would inherit that and never forward SIGUSR1 or notice
/// its children.
public func start(
    _ executable: String, _ arguments: [String], environment extra: [String: String] = [:],
    currentDirectory: URL? = nil
) throws -> LaunchedProcess {
    // A test that used MPI in this process (a singleton world) leaves Open MPI's and PMIx's
    // job variables in the environment; a child mpirun inheriting them believes it runs inside
    // that job and fails.
    var environment = ProcessInfo.processInfo.environment.filter { key, _ in
        !["OMPI_", "PMIX_", "OPAL_", "ORTE_"].contains { key.hasPrefix($0) }
    }
    environment["OMPI_ALLOW_RUN_AS_ROOT"] = "1"
    environment["OMPI_ALLOW_RUN_AS_ROOT_CONFIRM"] = "1"
    environment["OPENBLAS_NUM_THREADS"] = "1"
    for (key, value) in extra { environment[key] = value }

    let scratch = FileManager.default.temporaryDirectory.appendingPathComponent("lgmcl-run-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: scratch, withIntermediateDirectories: true)

    var actions = posix_spawn_file_actions_t()
    posix_spawn_file_actions_init(&actions)
    defer { posix_spawn_file_actions_destroy(&actions) }
    posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
    posix_spawn_file_actions_addopen(&actions, 1, scratch.appendingPathComponent("stdout").path, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
    posix_spawn_file_actions_addopen(&actions, 2, scratch.appendingPathComponent("stderr").path, O_WRONLY | O_CREAT | O_TRUNC, 0o644)

    var attributes = posix_spawnattr_t()
    posix_spawnattr_init(&attributes)
    defer { posix_spawnattr_destroy(&attributes) }
    var emptyMask = sigset_t()
    sigemptyset(&emptyMask)
    posix_spawnattr_setsigmask(&attributes, &emptyMask)
    var defaults = sigset_t()
    sigfillset(&defaults)
    posix_spawnattr_setsigdefault(&attributes, &defaults)
    posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF))

    // posix_spawn has no portable chdir action: a shell changes directory, then becomes the program.
    let command = currentDirectory.map { ["/bin/sh", "-c", "cd \"$0\" && exec \"$@\"", $0.path, executable] } ?? [executable]
    let argv = (command + arguments).map { strdup($0) } + [nil]
    let envp = environment.map { strdup("\($0.key)=\($0.value)") } + [nil]
    defer {
        argv.forEach { free($0) }
        envp.forEach { free($0) }
    }
    var pid: pid_t = 0
    let rc = posix_spawn(&pid, command[0], &actions, &attributes, argv, envp)
    guard rc == 0 else {
        throw NSError(domain: "posix_spawn", code: Int(rc), userInfo: [NSLocalizedDescriptionKey: "cannot start \(executable): \(String(cString: strerror(rc)))"])
    }
    return LaunchedProcess(pid: pid, scratch: scratch)
}

/// Runs a program with a deadline; a program still running at the deadline is ended (with its
/// descendants, so mpirun's ranks go too) and reported as timed out, never left to hang CI.
public func run(
    _ executable: String, _ arguments: [String], environment: [String: String] = [:],
    timeout: Double = 120, currentDirectory: URL? = nil
) throws -> ProcessResult {
    try start(executable, arguments, environment: environment, currentDirectory: currentDirectory).wait(timeout: timeout)
}

/// Ends a process and its descendants: SIGTERM first (mpirun then ends its ranks itself), SIGKILL
/// for whatever is left after a grace period.
func terminateTree(_ pid: Int32) {
    let family = [pid] + descendants(of: pid)
    for member in family { kill(member, SIGTERM) }
    let grace = Date().addingTimeInterval(5)
    while Date() < grace, family.contains(where: { kill($0, 0) == 0 && !isZombie($0) }) { usleep(50_000) }
    for member in family + descendants(of: pid) { kill(member, SIGKILL) }
}

/// Waits (up to `timeout` seconds) until `job`'s error output contains `marker`, then sends
/// `signal` to the processes of `product` the job started — its ranks, not mpirun or a wrapper,
/// as `scancel -s USR1` without --batch does — and returns their pids.
public func signalRanks(of job: LaunchedProcess, once marker: String, _ signal: Int32, product: String = "lgmcl-dist",
                        timeout: Double = 120) -> [Int32] {
    let started = Date()
    while job.isRunning, !job.stderr.contains(marker), Date().timeIntervalSince(started) < timeout { usleep(100_000) }
    let ranks = descendants(of: job.pid).filter {
        ((try? String(contentsOfFile: "/proc/\($0)/cmdline", encoding: .utf8)) ?? "").hasPrefix(productPath(product))
    }
    for rank in ranks { kill(rank, signal) }
    return ranks
}

public func descendants(of root: Int32) -> [Int32] {
    var parentOf: [Int32: Int32] = [:]
    for entry in (try? FileManager.default.contentsOfDirectory(atPath: "/proc")) ?? [] {
        guard let pid = Int32(entry),
              let stat = try? String(contentsOfFile: "/proc/\(entry)/stat", encoding: .utf8),
              let close = stat.lastIndex(of: ")") else { continue }
        let fields = stat[stat.index(after: close)...].split(separator: " ")
        if fields.count > 1, let ppid = Int32(fields[1]) { parentOf[pid] = ppid }
    }
    var result: [Int32] = []
    var frontier = [root]
    while let next = frontier.popLast() {
        let children = parentOf.filter { $0.value == next }.map(\.key)
        result += children
        frontier += children
    }
    return result
}

public func isZombie(_ pid: Int32) -> Bool {
    guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
          let close = stat.lastIndex(of: ")") else { return true }
    return stat[stat.index(after: close)...].split(separator: " ").first == "Z"
}

/// The mpirun command line for a build product (oversubscribed: tests use more ranks than cores).
public func mpirunArguments(_ ranks: Int, _ product: String, _ arguments: [String]) -> [String] {
    ["-np", "\(ranks)", "--oversubscribe", "--bind-to", "none", productPath(product)] + arguments
}

/// Runs a build product under `mpirun -np ranks` with a deadline.
public func mpirun(
    _ ranks: Int, _ product: String, _ arguments: [String], environment: [String: String] = [:],
    timeout: Double = 120, currentDirectory: URL? = nil
) throws -> ProcessResult {
    try run("/usr/bin/mpirun", mpirunArguments(ranks, product, arguments),
            environment: environment, timeout: timeout, currentDirectory: currentDirectory)
}
