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

/// The repository root, for fixtures and ../shared/data.
public let repositoryRoot: URL = URL(fileURLWithPath: #filePath)
    .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

/// ../shared/data beside the repository (benchmark data; never copied into the repo).
public let sharedData: URL = repositoryRoot.deletingLastPathComponent().appendingPathComponent("shared/data")

/// Runs a program with a deadline; a program still running at the deadline is killed (with its
/// process group, so mpirun's ranks go too) and reported as timed out, never left to hang CI.
public func run(
    _ executable: String, _ arguments: [String], environment extra: [String: String] = [:],
    timeout: Double = 120, currentDirectory: URL? = nil
) throws -> ProcessResult {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: executable)
    process.arguments = arguments
    var environment = ProcessInfo.processInfo.environment
    environment["OMPI_ALLOW_RUN_AS_ROOT"] = "1"
    environment["OMPI_ALLOW_RUN_AS_ROOT_CONFIRM"] = "1"
    environment["OPENBLAS_NUM_THREADS"] = "1"
    for (key, value) in extra { environment[key] = value }
    process.environment = environment
    if let currentDirectory { process.currentDirectoryURL = currentDirectory }

    // Files rather than pipes: a chatty child can never block on a full pipe.
    let scratch = FileManager.default.temporaryDirectory.appendingPathComponent("lgmcl-run-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: scratch, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(at: scratch) }
    let outURL = scratch.appendingPathComponent("stdout")
    let errURL = scratch.appendingPathComponent("stderr")
    FileManager.default.createFile(atPath: outURL.path, contents: nil)
    FileManager.default.createFile(atPath: errURL.path, contents: nil)
    let outHandle = try FileHandle(forWritingTo: outURL)
    let errHandle = try FileHandle(forWritingTo: errURL)
    process.standardOutput = outHandle
    process.standardError = errHandle
    process.standardInput = FileHandle.nullDevice

    let start = Date()
    try process.run()
    let deadline = start.addingTimeInterval(timeout)
    var timedOut = false
    while process.isRunning {
        if Date() > deadline {
            timedOut = true
            terminateTree(process.processIdentifier)
            break
        }
        usleep(20_000)
    }
    process.waitUntilExit()
    try outHandle.close()
    try errHandle.close()
    let stdout = (try? String(contentsOf: outURL, encoding: .utf8)) ?? ""
    let stderr = (try? String(contentsOf: errURL, encoding: .utf8)) ?? ""
    return ProcessResult(status: process.terminationStatus, stdout: stdout, stderr: stderr,
                         timedOut: timedOut, seconds: Date().timeIntervalSince(start))
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

func descendants(of root: Int32) -> [Int32] {
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

func isZombie(_ pid: Int32) -> Bool {
    guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
          let close = stat.lastIndex(of: ")") else { return true }
    return stat[stat.index(after: close)...].split(separator: " ").first == "Z"
}

/// Runs a build product under `mpirun -np ranks` (oversubscribed: tests use more ranks than cores).
public func mpirun(
    _ ranks: Int, _ product: String, _ arguments: [String], environment: [String: String] = [:],
    timeout: Double = 120, currentDirectory: URL? = nil
) throws -> ProcessResult {
    try run("/usr/bin/mpirun",
            ["-np", "\(ranks)", "--oversubscribe", "--bind-to", "none", productPath(product)] + arguments,
            environment: environment, timeout: timeout, currentDirectory: currentDirectory)
}
