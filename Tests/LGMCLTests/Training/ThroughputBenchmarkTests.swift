import Foundation
import LGMCL
import Testing
import TestSupport

/// `benchmark throughput --json` under mpirun -np 2: the last line is one JSON object whose
/// numbers are present, positive and consistent with each other (no timing thresholds: speed
/// is for docs/benchmarks-pretrain.md, not for tests).
@Suite(.serialized)
struct ThroughputBenchmarkTests {
    func number(_ object: [String: Any], _ key: String) throws -> Double {
        try #require(object[key] as? Double ?? (object[key] as? Int).map(Double.init), "\(key) missing or not a number")
    }

    @Test(arguments: ["graph", "text"])
    func jsonReportIsComplete(stage: String) throws {
        let data = try PretrainTests.dataset.get()
        let scratch = PretrainTests.scratch.appendingPathComponent("throughput-\(stage)-\(UUID().uuidString)")
        let result = try mpirun(2, "lgmcl-dist", ["benchmark", "throughput", "--data", data, "--stage", stage, "--preset", "tiny",
                                                  "--held-out", "12", "--batch-size", "12", "--steps", "3", "--warmup-steps", "1",
                                                  "--allreduce-repetitions", "2", "--scratch", scratch.path, "--json"],
                                timeout: 300)
        #expect(result.status == 0, "\(result.output)")
        let last = try #require(result.stdout.split(separator: "\n").last, "no output")
        let report = try #require(try JSONSerialization.jsonObject(with: Data(last.utf8)) as? [String: Any], "not a JSON object: \(last)")

        #expect(report["stage"] as? String == stage)
        #expect(report["preset"] as? String == "tiny")
        #expect(try number(report, "ranks") == 2)
        #expect(try number(report, "global_batch") == 12)
        #expect(try number(report, "batch_per_rank") == 6)
        #expect(try number(report, "steps") == 3)
        #expect(try number(report, "warmup_steps") == 1)
        #expect(try number(report, "final_loss").isFinite)

        let rate = try number(report, "molecules_per_second"), stepSeconds = try number(report, "step_seconds")
        let seconds = try number(report, "seconds")
        #expect(rate > 0 && stepSeconds > 0)
        #expect(abs(rate * stepSeconds - 12) <= 1e-6 * 12, "molecules/s × s/step is not the global batch")
        #expect(abs(stepSeconds * 3 - seconds) <= 1e-9 + 1e-9 * seconds)
        #expect(abs(try number(report, "molecules_per_second_per_rank") * 2 - rate) <= 1e-9 * rate)

        // Every rank's phases fit into the step (the step time is the slowest rank's).
        let phaseNames = ["data", "forward", "backward", "allreduce_wait", "loss_allreduce", "optimizer", "other"]
        let byRank = try #require(report["phase_seconds_per_step_by_rank"] as? [[String: Any]])
        #expect(byRank.count == 2)
        for (rank, phases) in byRank.enumerated() {
            let values = try phaseNames.map { try number(phases, $0) }
            #expect(values.allSatisfy { $0 >= 0 }, "rank \(rank): a negative phase time \(values)")
            #expect(try number(phases, "forward") > 0 && number(phases, "backward") > 0 && number(phases, "optimizer") > 0)
            #expect(values.reduce(0, +) <= stepSeconds * (1 + 1e-6) + 1e-6, "rank \(rank): phases \(values) exceed the step \(stepSeconds)")
        }
        let cpu = try #require(report["cpu_seconds_per_step_by_rank"] as? [Double])
        #expect(cpu.count == 2 && cpu.allSatisfy { $0 > 0 })
        // The text encoder's useful work: only when text trains, per rank, against sgemm's rate.
        // Each rank's 6 SMILES and 6 descriptions per step are at least what 12 one-token
        // sequences would cost (the FLOPs grow with every length).
        if stage == "text" {
            let work = try #require(report["text_useful_gflop_per_step_by_rank"] as? [Double])
            let rates = try #require(report["text_useful_gflops_per_cpu_second_by_rank"] as? [Double])
            let sgemm = try #require(report["sgemm_gflops_by_rank"] as? [Double])
            let floor = 2 * Double(Preset.tiny.configuration.text.usefulTrainingFLOPs(lengths: Array(repeating: 1, count: 6))) / 1e9
            #expect(work.count == 2 && work.allSatisfy { $0 > floor }, "\(work) vs at least \(floor)")
            for r in 0 ..< 2 { #expect(abs(rates[r] - work[r] / cpu[r]) <= 1e-9 * rates[r]) }
            #expect(sgemm.count == 2 && sgemm.allSatisfy { $0 > 0 })
        } else {
            #expect(report["text_useful_gflop_per_step_by_rank"] == nil && report["sgemm_gflops_by_rank"] == nil)
        }
        let average = try #require(report["phase_seconds_per_step"] as? [String: Any])
        for name in phaseNames.dropLast() {
            let mean = try byRank.map { try number($0, name) }.reduce(0, +) / 2
            #expect(abs(try number(average, name) - mean) <= 1e-9 + 1e-6 * mean, "\(name): the average is not the ranks' mean")
        }

        let allreduce = try #require(report["allreduce"] as? [String: Any])
        #expect(allreduce["reduction"] as? String == "overlapped")
        #expect(try number(allreduce, "buckets") >= 1)
        #expect(try number(allreduce, "bytes") == 4 * number(report, "parameters"))
        #expect(try number(report, "parameters") > 0)
        let exposed = try number(allreduce, "exposed_seconds_per_step"), alone = try number(allreduce, "alone_seconds_per_step")
        #expect(exposed >= 0 && alone > 0)
        #expect(exposed == (try number(average, "allreduce_wait")))
        // Per step the smallest wait over the ranks, so on average no more than any rank's wait.
        let lastRank = try number(allreduce, "slowest_rank_exposed_seconds_per_step")
        let rankWaits = try byRank.map { try number($0, "allreduce_wait") }
        #expect(lastRank >= 0 && lastRank <= rankWaits.min()! * (1 + 1e-9) + 1e-12, "\(lastRank) vs the ranks' \(rankWaits)")
        #expect(abs(try number(allreduce, "hidden_share") - (1 - lastRank / alone)) <= 1e-12)
        #expect(try number(allreduce, "bucket_mib") == 1)

        // A benchmark leaves no checkpoint, metrics or weights behind.
        let written = (try? FileManager.default.contentsOfDirectory(atPath: scratch.path)) ?? []
        #expect(Set(written).isSubset(of: ["heartbeats"]), "unexpected files: \(written)")
    }
}
