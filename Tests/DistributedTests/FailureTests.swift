import Foundation
import Testing
import TestSupport

/// Failure modes of a training-like loop under mpirun: each must end the job promptly, non-zero,
/// with a message that says what happened — never a hang.
@Suite(.serialized)
struct FailureTests {
    func runDirectory() -> String {
        scratchDirectory("lgmcl-failure-\(UUID().uuidString)").path
    }

    /// A rank that hangs is caught by the other ranks' watchdogs, which name it.
    @Test func hungRankIsCaughtByTheWatchdog() throws {
        let result = try mpirun(3, "mpi-checks", ["steps", "30", "3", runDirectory()],
                                environment: ["LGMCL_FAULT": "rank:1,step:3,kind:hang"], timeout: 60)
        #expect(!result.timedOut)
        #expect(result.status != 0)
        #expect(result.seconds < 30, "took \(result.seconds) s")
        #expect(result.stderr.contains("watchdog: no step completed"), "\(result.output)")
        #expect(result.stderr.contains("phase 'allreduce'"), "\(result.output)")
        #expect(result.stderr.contains(#/Oldest heartbeats: rank 1 on \S+ \(step 3, compute/#), "\(result.output)")
    }

    /// `kill -9` of one rank ends mpirun non-zero within seconds.
    @Test func killedRankEndsTheJob() throws {
        let result = try mpirun(3, "mpi-checks", ["steps", "30", "20", runDirectory()],
                                environment: ["LGMCL_FAULT": "rank:2,step:4,kind:kill"], timeout: 60)
        #expect(!result.timedOut)
        #expect(result.status != 0)
        #expect(result.seconds < 20, "took \(result.seconds) s")
        #expect(!result.stdout.contains("step 10"), "the job went on after a rank was killed")
    }

    /// A NaN on one rank is seen by all through the reduction, and the job stops with a message.
    @Test func nanStopsTheJob() throws {
        let result = try mpirun(2, "mpi-checks", ["steps", "30", "20", runDirectory()],
                                environment: ["LGMCL_FAULT": "rank:1,step:5,kind:nan"], timeout: 60)
        #expect(result.status != 0)
        #expect(result.stderr.contains("non-finite value at step 5"), "\(result.output)")
    }

    @Test func malformedFaultSwitchIsAnError() throws {
        let result = try mpirun(1, "mpi-checks", ["steps", "3", "20", runDirectory()],
                                environment: ["LGMCL_FAULT": "rank:1,kind:explode"], timeout: 60)
        #expect(result.status != 0)
        #expect(result.stderr.contains("LGMCL_FAULT"), "\(result.output)")
    }

    /// SIGUSR1 to mpirun (what Slurm sends before a time limit) is forwarded to the ranks, which
    /// agree to stop at the same step boundary and exit cleanly, with 75 (EX_TEMPFAIL): unfinished.
    @Test func stopSignalEndsAtAStepBoundary() throws {
        let job = try start("/usr/bin/mpirun", mpirunArguments(2, "mpi-checks", ["steps", "200", "20", runDirectory()]))
        let deadline = Date().addingTimeInterval(30)
        while !job.stdout.contains("step 2"), job.isRunning, Date() < deadline { usleep(50_000) }
        job.signal(SIGUSR1)
        let result = job.wait(timeout: 60)
        #expect(result.status == 75, "\(result.output)")
        #expect(result.stdout.contains("by signal"), "\(result.output)")
        #expect(!result.stdout.contains("step 200"), "\(result.output)")
    }
}
