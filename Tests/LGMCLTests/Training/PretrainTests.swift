import Foundation
import LGMCL
import Testing
import TestSupport

/// End-to-end pretraining under mpirun on a small real dataset (the first BBBP molecules), tiny
/// preset: N ranks must train the same model as one rank with the same global batch, resume must
/// continue exactly, and failures must end the job promptly.
@Suite(.serialized)
struct PretrainTests {
    static let scratch = scratchDirectory("lgmcl-pretrain-\(getpid())")

    /// 96 molecules of bbbp.csv through `lgmcl-dist preprocess` (once per test process).
    static let dataset: Result<String, Error> = Result {
        let csv = try moleculeNetSlice("bbbp", rows: 96, in: scratch)
        let output = scratch.appendingPathComponent("bbbp-96.h5").path
        let result = try run(productPath("lgmcl-dist"), ["preprocess", "--input", csv.path, "--output", output,
                                                         "--label-columns", "p_np", "--vocab-size", "300"], timeout: 300)
        guard result.status == 0 else { throw TestFailure(description: "preprocess failed:\n\(result.output)") }
        return output
    }

    struct TestFailure: Error, CustomStringConvertible { let description: String }

    func pretrain(_ ranks: Int, _ output: URL, _ extra: [String], environment: [String: String] = [:],
                  timeout: Double = 300) throws -> ProcessResult {
        let data = try Self.dataset.get()
        return try mpirun(ranks, "lgmcl-dist",
                          ["pretrain", "--data", data, "--output", output.path, "--preset", "tiny", "--held-out", "12",
                           "--log-interval", "1000"] + extra,
                          environment: environment, timeout: timeout)
    }

    func directory(_ name: String) -> URL {
        Self.scratch.appendingPathComponent(name + "-" + UUID().uuidString)
    }

    func tensors(_ url: URL) throws -> [String: [Double]] {
        let file = try SafeTensors.read(url)
        var out: [String: [Double]] = [:]
        for name in file.names { out[name] = try file.tensor(name, as: Double.self).scalars }
        return out
    }

    func checkpoint(_ run: URL, stage: String, step: Int) -> URL {
        run.appendingPathComponent("runs/\(stage)/checkpoints/step-" + String(format: "%08d", step) + "/model.safetensors")
    }

    /// |a − b| ≤ atol + rtol·|b| for every element of every tensor; the first violation is reported.
    func expectClose(_ a: [String: [Double]], _ b: [String: [Double]], atol: Double, rtol: Double, _ what: String) {
        #expect(a.keys.sorted() == b.keys.sorted(), "\(what): different tensor names")
        for name in a.keys.sorted() {
            guard let x = a[name], let y = b[name], x.count == y.count else {
                Issue.record("\(what): \(name) missing or of another size")
                continue
            }
            if let i = x.indices.first(where: { abs(x[$0] - y[$0]) > atol + rtol * abs(y[$0]) }) {
                Issue.record("\(what): \(name)[\(i)] = \(x[i]) vs \(y[i]) (atol \(atol), rtol \(rtol))")
            }
        }
    }

    /// First-step reduced gradients and the weights after 5 steps agree for 1, 2 and 3 ranks, with
    /// dropout on and each rank holding different molecules.
    @Test(arguments: ["graph", "text", "joint"])
    func ranksAgreeWithOneRank(stage: String) throws {
        var gradients: [[String: [Double]]] = []
        var weights: [[String: [Double]]] = []
        for ranks in [1, 2, 3] {
            let out = directory("eq-\(stage)-\(ranks)")
            let grads = out.appendingPathComponent("gradients.safetensors")
            let result = try pretrain(ranks, out, ["--stage", stage, "--batch-size", "12", "--max-steps", "5",
                                                   "--precision", "float64", "--save-gradients", grads.path])
            #expect(result.status == 0, "np \(ranks): \(result.output)")
            guard result.status == 0 else { return }
            gradients.append(try tensors(grads))
            weights.append(try tensors(checkpoint(out, stage: stage, step: 5)))
        }
        #expect(gradients[0].values.contains { $0.contains { $0 != 0 } }, "all gradients are zero")
        for k in 1 ..< 3 {
            expectClose(gradients[k], gradients[0], atol: 1e-9, rtol: 1e-7, "\(stage) gradients np \(k + 1) vs np 1")
            expectClose(weights[k], weights[0], atol: 1e-9, rtol: 1e-7, "\(stage) weights after 5 steps np \(k + 1) vs np 1")
        }
    }

    /// Diagnostics before the first step, at each checkpoint, at the epoch's end and at the end,
    /// in their ranges, the same on 1 and 2 ranks (the pass gathers each molecule's row from the
    /// rank that computed it), and a plot that parses.
    @Test func diagnosticsAreLoggedAtEveryEvaluationAndPlotted() throws {
        var logged: [[[String: Double]]] = []
        for ranks in [1, 2] {
            let out = directory("diagnostics-\(ranks)")
            // 96 molecules: 19 held out for diagnostics, 77 trained on: 4 steps of 16 per epoch.
            let result = try pretrain(ranks, out, ["--stage", "joint", "--batch-size", "16", "--max-steps", "6",
                                                   "--checkpoint-every", "3", "--precision", "float64"])
            #expect(result.status == 0, "np \(ranks): \(result.output)")
            guard result.status == 0 else { return }
            #expect(result.stderr.contains("diagnostics at step 0 (19 held-out molecules): graph alignment"), "\(result.output)")
            let lines = try String(contentsOf: out.appendingPathComponent("metrics-joint.jsonl"), encoding: .utf8).split(separator: "\n")
            let events = lines.compactMap { try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any] }
                .filter { $0["event"] as? String == "diagnostics" }
                .map { $0.compactMapValues { ($0 as? NSNumber)?.doubleValue } }
            #expect(events.map { $0["step"] ?? -1 } == [0, 3, 4, 6], "diagnosed steps")
            for event in events {
                #expect(event["diagnostics_count"] == 19)
                for view in ["local", "global", "smiles", "description"] {
                    let uniformity = event["uniformity_\(view)"] ?? .nan, rank = event["effective_rank_\(view)"] ?? .nan
                    #expect(uniformity <= 0 && uniformity >= -4, "uniformity of \(view): \(uniformity)")
                    #expect(rank >= 1 && rank <= 32, "effective rank of \(view) (width 32): \(rank)")
                }
                for pair in ["graph", "text"] {
                    let alignment = event["alignment_\(pair)"] ?? .nan
                    #expect(alignment >= 0 && alignment <= 4, "alignment of \(pair): \(alignment)")
                }
            }
            logged.append(events)
            let svg = try Data(contentsOf: out.appendingPathComponent("diagnostics-joint.svg"))
            // Alignment of 2 pairs, uniformity and effective rank of 4 views, retrieval after epoch 0.
            #expect(String(decoding: svg, as: UTF8.self).components(separatedBy: "<polyline").count - 1 == 11)
        }
        guard logged.count == 2 else { return }
        for (one, two) in zip(logged[0], logged[1]) {
            for (key, value) in one where key != "epoch" {
                let other = two[key] ?? .nan
                #expect(abs(value - other) <= 1e-6 * max(1, abs(value)), "\(key) at step \(one["step"] ?? -1): 1 rank \(value), 2 ranks \(other)")
            }
        }
    }

    /// --probe: the probe sets featurized once into OUTPUT/probes, probed before the first step,
    /// every --probe-every steps and at the end, with a test metric per set in its range.
    @Test func probesAreFittedBeforeTrainingAtTheirCadenceAndAtTheEnd() throws {
        let out = directory("probe")
        let lines = try String(contentsOf: repositoryData.appendingPathComponent("moleculenet/esol.csv"), encoding: .utf8)
            .split(separator: "\n")
        try FileManager.default.createDirectory(at: out, withIntermediateDirectories: true)
        let esol = out.appendingPathComponent("esol-200.csv")
        try (lines.prefix(201).joined(separator: "\n") + "\n").write(to: esol, atomically: true, encoding: .utf8)
        let result = try pretrain(2, out, ["--stage", "graph", "--batch-size", "16", "--max-steps", "5", "--checkpoint-every", "2",
                                           "--probe", esol.path, "--probe-every", "4"])
        #expect(result.status == 0, "\(result.output)")
        guard result.status == 0 else { return }
        #expect(FileManager.default.fileExists(atPath: out.appendingPathComponent("probes/esol-200.h5").path))
        #expect(result.stderr.contains("probe at step 0 (linear, frozen encoders, mean of 3 scaffold splits): esol-200 test rmse"),
                "\(result.output)")
        let events = try String(contentsOf: out.appendingPathComponent("metrics-graph.jsonl"), encoding: .utf8).split(separator: "\n")
            .compactMap { try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any] }
            .filter { $0["event"] as? String == "probe" }
        #expect(events.map { ($0["step"] as? NSNumber)?.intValue ?? -1 } == [0, 4, 5], "probed steps")
        for event in events {
            let rmse = (event["probe_esol-200_test_rmse"] as? NSNumber)?.doubleValue ?? .nan
            // ESOL's log-solubilities span about 13 units: a linear probe lands well inside that.
            #expect(rmse > 0 && rmse < 5, "test RMSE \(rmse)")
        }
    }

    /// --lr-schedule cosine --lr-warmup 2 over 6 steps: each step's logged learning rate is the
    /// schedule's (linear warm-up, then half a cosine to 0 at step 6), and 3 + 3 resumed steps
    /// equal 6 straight ones bit for bit (the schedule follows the step, which resume restores).
    @Test func aCosineScheduleIsFollowedAndResumesExactly() throws {
        let common = ["--stage", "graph", "--batch-size", "8", "--checkpoint-every", "3", "--lr", "0.001",
                      "--lr-schedule", "cosine", "--lr-warmup", "2"]
        let straight = directory("cosine-straight"), split = directory("cosine-split")
        for (out, steps) in [(straight, "6"), (split, "3")] {
            let result = try pretrain(2, out, common + ["--max-steps", steps])
            #expect(result.status == 0, "\(result.output)")
        }
        let resumed = try pretrain(2, split, common + ["--max-steps", "6", "--resume"])
        #expect(resumed.status == 0, "\(resumed.output)")
        #expect(try tensors(checkpoint(split, stage: "graph", step: 6)) == tensors(checkpoint(straight, stage: "graph", step: 6)),
                "3 + 3 resumed steps differ from 6 straight steps under the cosine schedule")
        let rates = try String(contentsOf: straight.appendingPathComponent("metrics-graph.jsonl"), encoding: .utf8).split(separator: "\n")
            .compactMap { try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any] }
            .filter { $0["event"] as? String == "step" }
            .map { ($0["learning_rate"] as? NSNumber)?.doubleValue ?? .nan }
        // Steps 1, 2 warm up to 1e-3; steps 3…6 decay over 4 steps: 1e-3 · (1 + cos(π k/4)) / 2.
        let expected = [0.0005, 0.001] + (0 ..< 4).map { 0.001 * 0.5 * (1 + cos(Double.pi * Double($0) / 4)) }
        #expect(rates.count == 6 && zip(rates, expected).allSatisfy { abs($0 - $1) < 1e-15 }, "\(rates) vs \(expected)")
    }

    /// Augmented graph views (--mask-atoms, --delete-bonds, --remove-subgraph) keep N ranks ≡ 1 rank and change
    /// what is trained (the views are keyed by molecule, not by rank or batch position).
    @Test func augmentedViewsKeepRanksEqualToOneRank() throws {
        var weights: [[String: [Double]]] = []
        let views = ["--mask-atoms", "0.25", "--delete-bonds", "0.1,0.3", "--remove-subgraph", "0.2,0"]
        for (ranks, views) in [(1, views), (2, views), (2, [])] {
            let out = directory("augmented-\(ranks)-\(views.count)")
            let result = try pretrain(ranks, out, ["--stage", "graph", "--batch-size", "12", "--max-steps", "4",
                                                   "--precision", "float64"] + views)
            #expect(result.status == 0, "np \(ranks): \(result.output)")
            guard result.status == 0 else { return }
            weights.append(try tensors(checkpoint(out, stage: "graph", step: 4)))
        }
        expectClose(weights[1], weights[0], atol: 1e-9, rtol: 1e-7, "augmented graph weights after 4 steps, np 2 vs np 1")
        #expect(weights[1] != weights[2], "the augmentations changed nothing")
    }

    /// The positive control `--stage graph-self`: refused without views; N ranks ≡ 1 rank and
    /// 3 + 3 resumed steps ≡ 6 straight; it trains and writes only the local encoder and the graph
    /// head; its diagnostics compare the unaltered graph with one fixed view; fine-tuning and
    /// `embed` take its local encoder and say the rest is not pretrained.
    @Test func graphSelfTrainsTheLocalEncoderAgainstItself() throws {
        let refused = try pretrain(1, directory("self-refused"), ["--stage", "graph-self", "--batch-size", "12", "--max-steps", "1"])
        #expect(refused.status != 0 && refused.stderr.contains("--stage graph-self compares two views"), "\(refused.output)")

        let common = ["--stage", "graph-self", "--batch-size", "12", "--precision", "float64", "--checkpoint-every", "3",
                      "--mask-atoms", "0.25", "--delete-bonds", "0.25"]
        let one = directory("self-1"), two = directory("self-2"), split = directory("self-split")
        for (ranks, out, steps) in [(1, one, "6"), (2, two, "6"), (2, split, "3")] {
            let result = try pretrain(ranks, out, common + ["--max-steps", steps])
            #expect(result.status == 0, "np \(ranks): \(result.output)")
            guard result.status == 0 else { return }
        }
        let resumed = try pretrain(2, split, common + ["--max-steps", "6", "--resume"])
        #expect(resumed.status == 0, "\(resumed.output)")
        let weights = try tensors(checkpoint(two, stage: "graph-self", step: 6))
        #expect(try tensors(checkpoint(split, stage: "graph-self", step: 6)) == weights, "3 + 3 resumed steps differ from 6 straight")
        expectClose(weights, try tensors(checkpoint(one, stage: "graph-self", step: 6)), atol: 1e-9, rtol: 1e-7,
                    "graph-self weights after 6 steps, np 2 vs np 1")

        // Only AttentiveFP and the graph head move; the graph transformer keeps its initial values.
        let initial = try tensors(checkpoint(split, stage: "graph-self", step: 3))
        let written = try tensors(two.appendingPathComponent("graph-self.safetensors"))
        #expect(!written.isEmpty && written.keys.allSatisfy { $0.hasPrefix("AttentiveFP.") || $0.hasPrefix("projection_head.") },
                "graph-self.safetensors holds \(written.keys.sorted().prefix(3))…")
        #expect(written.keys.contains { initial[$0] != written[$0] }, "nothing was trained")
        #expect(weights.filter { $0.key.hasPrefix("GT.") }.allSatisfy { initial[$0.key] == $0.value }, "the graph transformer moved")
        #expect(!FileManager.default.fileExists(atPath: two.appendingPathComponent("vocab.txt").path))

        let events = try String(contentsOf: two.appendingPathComponent("metrics-graph-self.jsonl"), encoding: .utf8).split(separator: "\n")
            .compactMap { try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any] }
            .filter { $0["event"] as? String == "diagnostics" }
            .map { $0.compactMapValues { ($0 as? NSNumber)?.doubleValue } }
        #expect(events.map { $0["step"] ?? -1 } == [0, 3, 6], "diagnosed steps")
        for event in events {
            let alignment = event["alignment_local"] ?? .nan, rank = event["effective_rank_local"] ?? .nan
            // A fixed view of each graph differs from the graph: the two sides never coincide.
            #expect(alignment > 0 && alignment <= 4, "alignment of the unaltered graph and its view: \(alignment)")
            #expect(rank >= 1 && rank <= 32 && event["effective_rank_local_view"] != nil, "effective rank \(rank)")
        }

        let data = try Self.dataset.get()
        let finetuned = directory("self-finetuned")
        let finetune = try mpirun(2, "lgmcl-dist", ["finetune", "--data", data, "--output", finetuned.path, "--pretrained", two.path,
                                                    "--epochs", "1", "--seeds", "0", "--batch-size", "16", "--log-interval", "1000"],
                                  timeout: 300)
        #expect(finetune.status == 0 && finetune.stderr.contains("only AttentiveFP pretrained (graph-self.safetensors)"),
                "\(finetune.output)")
        let embedded = directory("self-embed").appendingPathExtension("csv")
        let global = try mpirun(1, "lgmcl-dist", ["embed", "--model", two.path, "--input", data, "--output", embedded.path,
                                                  "--views", "global"], timeout: 120)
        #expect(global.status != 0 && global.stderr.contains("no 'global' view"), "\(global.output)")
    }

    /// 20 steps straight equal 10 steps plus 10 resumed, bit for bit on the same rank count;
    /// resumed on another rank count, they equal a straight run on that count within tolerance.
    @Test func resumeContinuesExactly() throws {
        let common = ["--stage", "graph", "--batch-size", "6", "--checkpoint-every", "10"]
        let straight2 = directory("straight2"), straight3 = directory("straight3"), split = directory("split"), moved = directory("moved")
        for (ranks, out, steps) in [(2, straight2, "20"), (3, straight3, "20"), (2, split, "10"), (2, moved, "10")] {
            let result = try pretrain(ranks, out, common + ["--max-steps", steps])
            #expect(result.status == 0, "\(result.output)")
        }
        let resumed = try pretrain(2, split, common + ["--max-steps", "20", "--resume"])
        #expect(resumed.status == 0, "\(resumed.output)")
        #expect(resumed.stderr.contains("resumed from step-00000010"), "\(resumed.output)")
        #expect(try tensors(checkpoint(split, stage: "graph", step: 20)) == tensors(checkpoint(straight2, stage: "graph", step: 20)),
                "2 ranks: 10 + 10 resumed steps differ from 20 straight steps")
        let movedResult = try pretrain(3, moved, common + ["--max-steps", "20", "--resume"])
        #expect(movedResult.status == 0, "\(movedResult.output)")
        expectClose(try tensors(checkpoint(moved, stage: "graph", step: 20)), try tensors(checkpoint(straight3, stage: "graph", step: 20)),
                    atol: 1e-5, rtol: 1e-4, "10 steps on 2 ranks + 10 on 3 vs 20 on 3")
    }

    /// A rank killed while rank 0 writes a checkpoint, again and again: --resume only ever
    /// accepts a complete checkpoint, and the run finishes.
    @Test func killDuringCheckpointWriteNeverLeavesABadCheckpoint() throws {
        let out = directory("torn")
        let common = ["--stage", "graph", "--batch-size", "6", "--checkpoint-every", "2", "--max-steps", "8"]
        for step in [2, 4] {
            let killed = try pretrain(2, out, common + ["--resume"],
                                      environment: ["LGMCL_FAULT": "rank:0,step:\(step),kind:kill,phase:checkpoint"], timeout: 120)
            #expect(killed.status != 0, "the job survived a kill at step \(step)")
            #expect(!killed.timedOut)
        }
        let finished = try pretrain(2, out, common + ["--resume"])
        #expect(finished.status == 0, "\(finished.output)")
        #expect(finished.stderr.contains("resumed from step-00000002"), "\(finished.output)")
        let store = CheckpointStore(runDirectory: out.appendingPathComponent("runs/graph"))
        #expect(store.newest()?.manifest.position.step == 8)
    }

    /// kill -9 of one rank mid-run ends mpirun non-zero within seconds; the newest checkpoint loads.
    @Test func killedRankEndsTheRun() throws {
        let out = directory("killed")
        let result = try pretrain(2, out, ["--stage", "graph", "--batch-size", "6", "--checkpoint-every", "3", "--max-steps", "40"],
                                  environment: ["LGMCL_FAULT": "rank:1,step:7,kind:kill"], timeout: 120)
        #expect(result.status != 0)
        #expect(result.seconds < 60)
        let newest = CheckpointStore(runDirectory: out.appendingPathComponent("runs/graph")).newest()
        #expect(newest?.manifest.position.step == 6)
        if let newest { #expect((try? SafeTensors.read(newest.directory.appendingPathComponent("model.safetensors"))) != nil) }
    }

    /// A rank stopped with SIGSTOP hangs the collectives; the watchdog ends the job and says where.
    @Test func stoppedRankIsCaughtByTheWatchdog() throws {
        let data = try Self.dataset.get()
        let out = directory("stopped")
        let job = try start("/usr/bin/mpirun", mpirunArguments(2, "lgmcl-dist", [
            "pretrain", "--data", data, "--output", out.path, "--preset", "tiny", "--held-out", "12", "--stage", "graph",
            "--batch-size", "6", "--max-steps", "100000", "--checkpoint-every", "100000", "--collective-timeout", "4"]))
        let heartbeat = out.appendingPathComponent("heartbeats/rank-1.json")
        let deadline = Date().addingTimeInterval(60)
        while job.isRunning, Date() < deadline,
              (try? String(contentsOf: heartbeat, encoding: .utf8))?.contains("\"step\":3") != true { usleep(100_000) }
        let rank1 = try #require(try? JSONDecoder().decode(HeartbeatIdentity.self, from: Data(contentsOf: heartbeat)))
        kill(rank1.pid, SIGSTOP)
        let result = job.wait(timeout: 60)
        kill(rank1.pid, SIGKILL)
        #expect(!result.timedOut, "the job hung")
        #expect(result.status != 0)
        #expect(result.stderr.contains("watchdog: no step completed"), "\(result.output)")
        #expect(result.stderr.contains("No sign of life (stopped or dead) from rank 1 on \(rank1.host) (pid \(rank1.pid)"),
                "\(result.output)")
    }

    struct HeartbeatIdentity: Decodable {
        let pid: Int32
        let host: String
    }

    @Test func nanLossStopsTheRun() throws {
        let out = directory("nan")
        let result = try pretrain(2, out, ["--stage", "graph", "--batch-size", "6", "--max-steps", "10"],
                                  environment: ["LGMCL_FAULT": "rank:1,step:3,kind:nan"], timeout: 120)
        #expect(result.status != 0)
        #expect(result.stderr.contains("the loss became nan at step 3"), "\(result.output)")
    }
}
