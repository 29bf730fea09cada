import Foundation
import Testing
import TestSupport

/// The multi-host test (cluster/test-multihost) as part of `make test`: three hosts made of
/// network namespaces, ranks launched into them through Open MPI's rsh agent, TCP over veth links.
/// Needs root and working `ip netns`; elsewhere the suite is skipped and says why on stderr.
@Suite(.serialized, .enabled(if: MultiHost.isAvailable(), "needs root and `ip netns` (see `cluster/test-multihost --check`)"))
struct MultiHostTests {
    /// Each rank runs on a different host, reached by its own address (rank r reports host
    /// r + 1); the collectives give exact results across the hosts, and a 16 MiB allreduce
    /// crosses every veth link. One invocation of the harness: one set of hosts for all.
    @Test func collectivesAcrossHosts() throws {
        let names = ["allreduce", "gather", "broadcast", "nonblocking", "traffic"]
        let result = try MultiHost.run(["info"] + names)
        for name in names { #expect(result.stdout.contains("PASS \(name)"), "\(result.output)") }
        let hosts = result.stdout.split(separator: "\n").compactMap { line -> String? in
            // "PASS info (3 ranks on lgmcl-host1,lgmcl-host2,lgmcl-host3)"
            guard line.hasPrefix("PASS info"), let on = line.range(of: " on ") else { return nil }
            return String(line[on.upperBound...].dropLast())
        }
        #expect(hosts == ["lgmcl-host1,lgmcl-host2,lgmcl-host3"], "\(result.output)")
    }

    /// Losing one host's rank mid-run ends the job promptly and names the rank and the host.
    @Test func losingAHostsRankEndsTheJob() throws {
        let result = try MultiHost.run("kill-ranks")
        #expect(result.stdout.contains("PASS kill-ranks"), "\(result.output)")
        #expect(result.stdout.contains("rank 1"), "\(result.output)")
        #expect(result.stdout.contains("10.77.0.12") || result.stdout.contains("lgmcl-host2"), "\(result.output)")
    }

    /// Losing a whole host (its Open MPI daemon too) ends the job promptly. Open MPI does not
    /// always name the host then (see cluster/test-multihost), so the name is not required.
    @Test func losingAHostEndsTheJob() throws {
        let result = try MultiHost.run("kill-host")
        #expect(result.stdout.contains("PASS kill-host"), "\(result.output)")
    }

    /// SIGUSR1 to cluster/lgmcl-launch (Slurm's warning before a time limit) reaches the ranks
    /// on every host, which stop together at a step boundary; the job ends 75 (unfinished).
    @Test func stopSignalAcrossHosts() throws {
        let result = try MultiHost.run("stop-signal")
        #expect(result.stdout.contains("PASS stop-signal (stopped at step"), "\(result.output)")
    }

    /// A host cut off mid-run: the watchdog ends the ranks with its message, and the launcher
    /// ends mpirun, which would otherwise wait for the lost host's daemon for good.
    @Test func partitionEndsThroughTheWatchdog() throws {
        let result = try MultiHost.run("partition-watchdog")
        #expect(result.stdout.contains("PASS partition-watchdog"), "\(result.output)")
        // Or, when mpirun stalled before relaying the ranks' message, the launcher's stall guard.
        #expect(result.stdout.contains("watchdog: no step completed") || result.stdout.contains("no heartbeat in"),
                "\(result.output)")
    }

    /// `lgmcl-dist preprocess` and `pretrain` across the hosts, in one invocation of the harness
    /// (the cases share the dataset and the undisturbed run): with --deterministic, three hosts
    /// reach the same weights, bit for bit, as three ranks on one host; after a host's rank is
    /// killed, or a partition is ended by the watchdog, a second attempt with --resume reaches
    /// them too.
    @Test func pretrainingAcrossHostsEqualsOneHostAndSurvivesFaults() throws {
        let result = try MultiHost.run(["pretrain-equivalence", "pretrain-kill", "pretrain-partition"])
        #expect(result.stdout.contains("PASS pretrain-equivalence"), "\(result.output)")
        #expect(result.stdout.contains("bit-identical"), "\(result.output)")
        #expect(result.stdout.contains("PASS pretrain-kill"), "\(result.output)")
        #expect(result.stdout.contains("rank 1 with PID"), "\(result.output)")
        #expect(result.stdout.contains("PASS pretrain-partition"), "\(result.output)")
        #expect(result.stdout.contains("reached the undisturbed weights"), "\(result.output)")
    }

    /// Host 2's environment forces an older OpenBLAS kernel (a node of another CPU generation):
    /// the ranks report different kernels and canaries, `--deterministic` refuses before the first
    /// step naming the hosts on each side and the fix, and without it the run completes with the
    /// same weights on every rank.
    @Test func nodesThatComputeDifferentlyAreCaught() throws {
        let result = try MultiHost.run("numerics-mixed")
        #expect(result.stdout.contains("PASS numerics-mixed"), "\(result.output)")
        #expect(result.stdout.contains("--deterministic refused before step 1"), "\(result.output)")
    }
}

enum MultiHost {
    static let script = repositoryRoot.appendingPathComponent("cluster/test-multihost").path
    static let binDirectory = URL(fileURLWithPath: productPath("mpi-checks")).deletingLastPathComponent().path

    static func isAvailable() -> Bool {
        guard let check = try? TestSupport.run(script, ["--check"], timeout: 30) else { return false }
        if check.status != 0 {
            FileHandle.standardError.write(Data("MultiHostTests skipped: \(check.output)".utf8))
        }
        return check.status == 0
    }

    /// Runs cases of the harness; it makes and removes its hosts each time. The deadline covers
    /// waiting up to 600 s for another checkout's run, which holds the machine-wide hosts lock.
    static func run(_ name: String) throws -> ProcessResult { try run([name]) }

    static func run(_ names: [String]) throws -> ProcessResult {
        let result = try TestSupport.run(script, ["--bin", binDirectory] + names, timeout: 900)
        #expect(!result.timedOut, "cluster/test-multihost \(names.joined(separator: " ")) timed out")
        #expect(result.status == 0, "exit \(result.status):\n\(result.output)")
        return result
    }
}
