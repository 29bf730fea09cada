import Foundation

/// Where this rank is: the step, the phase within it, and when it got there. Written as a small
/// file per rank into the run directory so that a watchdog on any rank can tell which ranks
/// stopped making progress — without an MPI call, since MPI is what hangs.
public struct HeartbeatRecord: Codable, Sendable {
    public var rank: Int
    /// The rank's process id on its host (what an operator would signal or inspect).
    public var pid: Int32
    /// The host the rank runs on (MPI's processor name), so a report names the machine to look
    /// at; absent in heartbeats written before it was recorded.
    public var host: String?
    public var step: Int
    public var phase: String
    public var time: Double  // seconds since 1970 (comparable across ranks of one host; close across hosts)
    /// Refreshed every second by the watchdog thread itself: stale only when the whole process
    /// is stopped or dead, whereas `time` is stale too when the rank hangs in a loop or a call.
    public var alive: Double

    var onHost: String { host.map { " on \($0)" } ?? "" }
}

/// Ends a rank whose training makes no progress.
///
/// A thread that makes no MPI call checks once a second whether a step completed within
/// `timeout` seconds. If not, it prints the step, the phase and the ranks with the oldest
/// heartbeats, and exits the process non-zero; mpirun then ends the other ranks. A rank stuck in
/// a collective waiting for a dead or stopped peer is exactly that case.
public final class Watchdog: @unchecked Sendable {
    public let timeout: Double
    var checkInterval: Double { min(1, timeout / 4) }
    let directory: URL
    let rank: Int
    let size: Int
    let lock = NSLock()
    var record: HeartbeatRecord
    var lastProgress: Double
    var stopped = false
    var thread: Thread?

    public init(directory: URL, rank: Int, size: Int, timeout: Double) throws {
        self.directory = directory
        self.rank = rank
        self.size = size
        self.timeout = timeout
        let now = Date().timeIntervalSince1970
        record = HeartbeatRecord(rank: rank, pid: getpid(), host: Environment.processorName, step: 0, phase: "start",
                                 time: now, alive: now)
        lastProgress = monotonicSeconds()
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        write(record)
    }

    public func start() {
        let thread = Thread { [weak self] in
            while let self, !self.isStopped {
                Thread.sleep(forTimeInterval: self.checkInterval)
                self.check()
            }
        }
        thread.name = "lgmcl-watchdog"
        thread.start()
        self.thread = thread
    }

    public func stop() {
        lock.lock()
        stopped = true
        lock.unlock()
    }

    var isStopped: Bool {
        lock.lock()
        defer { lock.unlock() }
        return stopped
    }

    /// Records entering `phase` of `step` (and writes this rank's heartbeat file).
    public func enter(_ phase: String, step: Int) {
        lock.lock()
        record.step = step
        record.phase = phase
        record.time = Date().timeIntervalSince1970
        record.alive = record.time
        let snapshot = record
        lock.unlock()
        write(snapshot)
    }

    /// A step completed: the clock for the timeout starts again.
    public func stepCompleted(_ step: Int) {
        lock.lock()
        lastProgress = monotonicSeconds()
        lock.unlock()
        enter("step \(step) done", step: step)
    }

    func check() {
        lock.lock()
        let idle = monotonicSeconds() - lastProgress
        record.alive = Date().timeIntervalSince1970
        let mine = record
        let done = stopped
        lock.unlock()
        guard !done else { return }
        guard idle > timeout else {
            write(mine)
            return
        }
        let now = Date().timeIntervalSince1970
        let others = (0 ..< size).compactMap(read).sorted { $0.time < $1.time }
        let oldest = others.prefix(3).map { "rank \($0.rank)\($0.onHost) (step \($0.step), \($0.phase), \(Int(now - $0.time)) s ago)" }
        let silent = others.filter { now - $0.alive > 3 * checkInterval + 1 }
        let missing = (0 ..< size).filter { r in !others.contains { $0.rank == r } }
        var message = "watchdog: no step completed in \(Int(idle)) s (--collective-timeout \(Int(timeout))); "
        message += "this rank is at step \(mine.step), phase '\(mine.phase)'. "
        if !silent.isEmpty {
            message += "No sign of life (stopped or dead) from " + silent.map { "rank \($0.rank)\($0.onHost) (pid \($0.pid), step \($0.step), \($0.phase))" }.joined(separator: ", ") + ". "
        }
        message += "Oldest heartbeats: \(oldest.joined(separator: ", "))"
        if !missing.isEmpty { message += "; no heartbeat from ranks \(missing)" }
        message += ". A rank is hung, stopped or cut off from the others; ending the job."
        Environment.printError(message, rank: rank, size: size)
        RankErrorLog.finish()  // _exit runs no atexit handler: the message must leave the pipe first
        // exit, not MPI_Abort: the MPI library may be the thing that is stuck.
        _exit(3)
    }

    func url(_ rank: Int) -> URL { directory.appendingPathComponent("rank-\(rank).json") }

    func write(_ record: HeartbeatRecord) {
        guard let data = try? JSONEncoder().encode(record) else { return }
        let temporary = directory.appendingPathComponent(".rank-\(rank).json.tmp")
        if (try? data.write(to: temporary)) != nil { rename(temporary.path, url(rank).path) }
    }

    func read(_ rank: Int) -> HeartbeatRecord? {
        guard let data = try? Data(contentsOf: url(rank)) else { return nil }
        return try? JSONDecoder().decode(HeartbeatRecord.self, from: data)
    }
}
