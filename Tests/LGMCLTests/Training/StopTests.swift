import Distributed
import Foundation
import LGMCL
import Testing

/// The pieces of the stop path that need no launcher: the slow-step fault the stop tests use, and
/// the stop's last line. The signal paths themselves run end to end in LaunchKitTests, under mpirun,
/// and in cluster/test-slurm under a real Slurm.
struct StopTests {
    @Test func sleepFaultNeedsItsSeconds() throws {
        let fault = try Fault(parsing: "rank:1,step:6,kind:sleep,seconds:2.5")
        #expect(fault.kind == .sleep && fault.seconds == 2.5 && fault.rank == 1 && fault.step == 6)
        #expect(throws: LaunchError.self) { try Fault(parsing: "rank:1,step:6,kind:sleep") }
        #expect(throws: LaunchError.self) { try Fault(parsing: "rank:1,step:6,kind:sleep,seconds:0") }
    }

    /// The fault sleeps its seconds on its rank and step only.
    @Test func sleepFaultSleepsOnlyWhereDue() throws {
        let fault = try Fault(parsing: "rank:0,step:2,kind:sleep,seconds:0.3")
        let start = Date()
        _ = fault.fire(rank: 0, size: 1, step: 1, phase: "step")
        _ = fault.fire(rank: 1, size: 2, step: 2, phase: "step")
        #expect(Date().timeIntervalSince(start) < 0.2)
        _ = fault.fire(rank: 0, size: 1, step: 2, phase: "step")
        #expect(Date().timeIntervalSince(start) >= 0.3)
        let every = try Fault(parsing: "rank:0,step:2,until:4,kind:sleep,seconds:0.1")
        let before = Date()
        for step in 1 ... 6 { _ = every.fire(rank: 0, size: 1, step: step, phase: "step") }
        let slept = Date().timeIntervalSince(before)
        #expect(slept >= 0.3 && slept < 0.5, "\(slept) s")
    }

    @Test func stopLineSaysWhereAndHowToGoOn() {
        let report = StopReport(signal: "SIGUSR1", step: 187, lastStep: 400, checkpoint: "/runs/x/runs/graph/checkpoints/step-00000187")
        #expect(report.line.hasPrefix("stopped at step 187 of 400 (SIGUSR1), checkpoint /runs/x/runs/graph/checkpoints/step-00000187, resume with "))
        #expect(StopReport(signal: "SIGTERM", step: 0, lastStep: 10, checkpoint: nil).line.contains("checkpoint none"))
        #expect(report.line(goingOn: "run it again") == "stopped at step 187 of 400 (SIGUSR1), checkpoint "
                    + "/runs/x/runs/graph/checkpoints/step-00000187, run it again")
    }
}
