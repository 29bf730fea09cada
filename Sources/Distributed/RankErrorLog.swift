import Foundation

/// A copy of this rank's error output in `LGMCL_RANK_LOGS/rank-R.log`, written by the rank itself.
///
/// What a rank prints on stderr reaches the job log through its launcher, and a launcher that is
/// ending does not pass it on: mpirun, once it has a SIGTERM, reads no rank output while it waits
/// out odls_base_sigkill_timeout, and a launcher killed at the end loses what it held. The lines
/// that say what a stop did ("checkpoint of step N written") are written exactly then. So stderr
/// (fd 2) becomes a pipe whose reader, a thread of this process, writes every chunk to the
/// original stderr and appends it to the file at once: whatever the rank wrote before it was
/// killed is in the file.
public enum RankErrorLog {
    nonisolated(unsafe) static var started = false
    nonisolated(unsafe) static var original: Int32 = -1
    static let drained = DispatchSemaphore(value: 0)

    /// Starts the copy when `LGMCL_RANK_LOGS` names a directory (cluster/lgmcl-launch sets it).
    public static func startIfConfigured(rank: Int, size: Int) throws {
        guard !started, let directory = ProcessInfo.processInfo.environment["LGMCL_RANK_LOGS"], !directory.isEmpty else { return }
        started = true
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        let path = (directory as NSString).appendingPathComponent("rank-\(rank).log")
        let file = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0o644)
        guard file >= 0 else {
            throw LaunchError(description: "LGMCL_RANK_LOGS: cannot open \(path): \(String(cString: strerror(errno)))")
        }
        var ends: [Int32] = [0, 0]
        let original = dup(STDERR_FILENO)
        Self.original = original
        guard original >= 0, pipe(&ends) == 0, dup2(ends[1], STDERR_FILENO) >= 0 else {
            throw LaunchError(description: "LGMCL_RANK_LOGS: cannot redirect stderr: \(String(cString: strerror(errno)))")
        }
        close(ends[1])
        let reader = ends[0]
        let header = "== \(ISO8601DateFormatter().string(from: Date())) rank \(rank)/\(size) pid \(getpid()) on \(Environment.processorName)\n"
        _ = header.withCString { write(file, $0, strlen($0)) }
        let thread = Thread {
            var buffer = [UInt8](repeating: 0, count: 65536)
            while true {
                let count = buffer.withUnsafeMutableBytes { read(reader, $0.baseAddress, $0.count) }
                if count < 0, errno == EINTR { continue }
                guard count > 0 else { drained.signal(); break }
                buffer.withUnsafeBytes { bytes in
                    writeAll(original, bytes.baseAddress!, count)
                    writeAll(file, bytes.baseAddress!, count)
                }
            }
        }
        thread.name = "rank error log"
        thread.start()
        // exit() from anywhere: the last lines (a stop's summary, an error) must not stay in the pipe.
        atexit { RankErrorLog.finish() }
    }

    /// Drains the pipe and puts the original stderr back (before the process ends).
    public static func finish() {
        guard started, original >= 0 else { return }
        let saved = original
        original = -1
        // fd 2 held the pipe's only write end: replacing it ends the reader once it has read all.
        dup2(saved, STDERR_FILENO)
        _ = drained.wait(timeout: .now() + 2)
    }

    static func writeAll(_ descriptor: Int32, _ bytes: UnsafeRawPointer, _ count: Int) {
        var done = 0
        while done < count {
            let n = write(descriptor, bytes + done, count - done)
            if n < 0, errno == EINTR { continue }
            guard n > 0 else { return }  // a closed job log must not stop the file's copy
            done += n
        }
    }
}
