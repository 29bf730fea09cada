import ArgumentParser
import Distributed
import Foundation
import LGMCL

/// `lgmcl-dist benchmark throughput`: pretraining steps as `pretrain` runs them (the same
/// Pretrainer, options and step), timed, without checkpoints, metrics or evaluation.
///
/// Besides molecules/s and the per-phase time of a step, it measures what the overlap of the
/// gradient allreduce with backward buys: the wait a step still exposes after backward, against
/// the same bucketed allreduces run alone (no backward beside them) after the timed steps.
/// A rank done with backward early also waits for its slower peers there, so the rank average
/// mixes imbalance into the wait; per step, the rank that finished backward last waits only for
/// what backward did not hide. hidden share = 1 − (that rank's wait) / alone.
struct BenchmarkThroughput: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "throughput",
        abstract: "Time pretraining steps: molecules/s, per-phase breakdown, and the share of allreduce hidden by backward.",
        discussion: paragraphs("""
            Weak scaling (same molecules per rank at every rank count):
              mpirun -np 1 lgmcl-dist benchmark throughput --data corpus.h5 --stage text --batch-size-per-rank 32 --json
              mpirun -np 2 lgmcl-dist benchmark throughput --data corpus.h5 --stage text --batch-size-per-rank 32 --json
            With --json the last line is one JSON object (docs/benchmarks-pretrain.md is made from such lines).
            """)
    )

    @OptionGroup var options: PretrainOptions

    @Option(help: "Timed training steps.")
    var steps = 20

    @Option(help: "Steps run before timing starts (first-touch allocations, page cache).")
    var warmupSteps = 2

    @Option(help: "Repetitions of the allreduce-alone measurement.")
    var allreduceRepetitions = 10

    @Option(help: "Directory under which the run keeps its heartbeats and files, in a subdirectory removed at the end (must be shared by all ranks; default: the system's temporary directory).")
    var scratch: String?

    @Flag(help: "End with one JSON line of the results.")
    var json = false

    func validate() throws {
        guard steps > 0, warmupSteps >= 0, allreduceRepetitions > 0 else {
            throw ValidationError("--steps and --allreduce-repetitions must be positive, --warmup-steps not negative")
        }
    }

    func run() throws {
        Job.run { world in
            RankLogHandler.bootstrap(rank: world.rank, size: world.size)
            // A run directory of its own, removed at the end, also inside a given --scratch.
            let base = scratch.map { $0 + "/" } ?? NSTemporaryDirectory()
            let directory = try world.broadcast(string: base + "lgmcl-throughput-\(getpid())-\(UUID().uuidString)")
            var settings = try options.settings(output: directory, ranks: world.size)
            // Only the steps: no diagnostics, held-out retrieval, probes or checkpoints on the way,
            // and progress only at the end (the final weights are written after the timing, then
            // removed with the directory).
            settings.maxSteps = warmupSteps + steps
            settings.diagnostics = 0
            settings.heldOut = 0
            settings.probes = []
            settings.checkpointEvery = Int.max
            settings.logInterval = 86_400
            let measured: Measurement
            switch options.dataParallel.precision {
            case .float32, .bf16Mixed: measured = try measure(Pretrainer<Float>(settings: settings, world: world), settings: settings, world: world)
            case .float64: measured = try measure(Pretrainer<Double>(settings: settings, world: world), settings: settings, world: world)
            }
            try world.barrier()
            if world.isRoot { try? FileManager.default.removeItem(atPath: directory) }
            let hosts = try world.hostNames()
            guard world.isRoot else { return }
            let report = ThroughputReport(settings: settings, precision: options.dataParallel.precision.rawValue, warmupSteps: warmupSteps,
                                          measured: measured, hosts: hosts)
            print(report.text)
            if json {
                let encoder = JSONEncoder()
                encoder.outputFormatting = .sortedKeys
                print(String(decoding: try encoder.encode(report), as: UTF8.self))
            }
        }
    }

    struct Measurement {
        var steps: Int
        var ranks: Int
        var globalBatch: Int
        /// The slowest rank's wall time over the timed steps.
        var seconds: Double
        var finalLoss: Double
        /// Per phase over the timed steps: the rank average, and each rank's.
        var phaseSeconds: [String: Double]
        var phaseSecondsByRank: [[String: Double]]
        var cpuSecondsByRank: [Double]
        /// Per timed step, the smallest wait over the ranks: that of the rank which finished
        /// backward last (mean over steps).
        var slowestRankWaitSeconds: Double
        var allreduceAloneSeconds: Double
        var buckets: Int
        var gradientValues: Int
        var bytesPerValue: Int
        /// The text encoder's useful FLOPs over the timed steps, per rank (0: no text trained).
        var usefulTextFLOPsByRank: [Double]
        /// Each rank's same-run sgemm rate (FLOP/s), measured when text was trained.
        var sgemmRateByRank: [Double]?
        /// Matrix products as executed over the timed steps (padding included), and the time
        /// spent in them, per rank.
        var gemmFLOPsByRank: [Double]
        var gemmSecondsByRank: [Double]
        /// Rank 0's products by shape, most time first.
        var gemmShapes: [GemmProfile.Shape]

        var stepSeconds: Double { seconds / Double(max(steps, 1)) }
        var moleculesPerSecond: Double { Double(steps * globalBatch) / max(seconds, 1e-9) }
    }

    /// What the trainer's step observer sees of the timed steps: from the end of the warm-up
    /// (or the start of the run without one) to the last step.
    final class StepTimer {
        let warmupSteps: Int
        var start = (seconds: 0.0, cpu: 0.0, times: PhaseTimes())
        var end = (seconds: 0.0, cpu: 0.0, times: PhaseTimes())
        var waits: [Double] = []
        var loss = Double.nan
        var usefulTextFLOPs = 0.0
        /// Every matrix product of the timed steps on the training thread.
        let gemm = GemmProfile()

        init(warmupSteps: Int) { self.warmupSteps = warmupSteps }

        func record(_ step: CompletedStep) {
            let now = (seconds: step.seconds, cpu: step.cpuSeconds, times: step.times)
            if step.step == warmupSteps {
                start = now
                GemmProfile.record(into: gemm)
            } else if step.step > warmupSteps {
                end = now
                waits.append(step.allreduceWait)
                loss = step.loss
                usefulTextFLOPs += step.usefulTextFLOPs
            }
        }
    }

    func measure<Scalar>(_ trainer: Pretrainer<Scalar>, settings: PretrainSettings, world: Communicator) throws -> Measurement {
        let timer = StepTimer(warmupSteps: warmupSteps)
        trainer.stepObserver = timer.record
        if warmupSteps == 0 { GemmProfile.record(into: timer.gemm) }
        _ = try trainer.run()
        GemmProfile.record(into: nil)
        let steps = timer.waits.count
        let waits = try world.allgather(timer.waits)
        let slowest = (0 ..< steps).map { s in stride(from: s, to: waits.count, by: steps).map { waits[$0] }.min()! }
        let seconds = try world.allreduce(timer.end.seconds - timer.start.seconds, op: .max)
        let cpu = try world.allgather([timer.end.cpu - timer.start.cpu])
        let timed = zip(timer.end.times.vector, timer.start.times.vector).map { $0 - $1 }
        let phases = PhaseTimes.byRank(gathered: try world.allgather(timed), ranks: world.size)
        let alone = try trainer.gradientSync.allreduceAloneSeconds(repetitions: allreduceRepetitions)
        let layout = trainer.gradientSync.bucketLayout
        let textFLOPs = try world.allgather([timer.usefulTextFLOPs])
        let gemm = try world.allgather([timer.gemm.flops, timer.gemm.seconds])
        // The reference rate of issue 19, on every rank at once (as the ranks trained).
        let sgemm = textFLOPs.contains { $0 > 0 } ? try world.allgather([ModelTiming.sgemmRate()]) : nil
        return Measurement(steps: steps, ranks: world.size, globalBatch: settings.globalBatchSize, seconds: seconds,
                           finalLoss: timer.loss, phaseSeconds: phases.mean, phaseSecondsByRank: phases.ranks, cpuSecondsByRank: cpu,
                           slowestRankWaitSeconds: slowest.reduce(0, +) / Double(max(steps, 1)),
                           allreduceAloneSeconds: alone, buckets: layout.buckets,
                           gradientValues: layout.values, bytesPerValue: MemoryLayout<Scalar>.stride,
                           usefulTextFLOPsByRank: textFLOPs, sgemmRateByRank: sgemm,
                           gemmFLOPsByRank: stride(from: 0, to: gemm.count, by: 2).map { gemm[$0] },
                           gemmSecondsByRank: stride(from: 1, to: gemm.count, by: 2).map { gemm[$0] },
                           gemmShapes: Array(timer.gemm.byShape.prefix(12)))
    }
}

/// The benchmark's result, as printed and as the JSON line.
struct ThroughputReport: Encodable {
    /// Seconds per step in each phase of the training loop; `other` is the rest of the step
    /// (progress, heartbeats).
    struct Phases: Encodable {
        let data, forward, backward, allreduceWait, lossAllreduce, optimizer, other: Double

        init(_ seconds: [String: Double], steps: Int, stepSeconds: Double) {
            func perStep(_ phase: PhaseTimes.Phase) -> Double { (seconds[phase.rawValue] ?? 0) / Double(max(steps, 1)) }
            data = perStep(.data)
            forward = perStep(.forward)
            backward = perStep(.backward)
            allreduceWait = perStep(.allreduceWait)
            lossAllreduce = perStep(.lossAllreduce)
            optimizer = perStep(.optimizer)
            other = max(0, stepSeconds - (data + forward + backward + allreduceWait + lossAllreduce + optimizer))
        }

        enum CodingKeys: String, CodingKey {
            case data, forward, backward, optimizer, other
            case allreduceWait = "allreduce_wait", lossAllreduce = "loss_allreduce"
        }
    }

    struct Allreduce: Encodable {
        let reduction: String
        let bucketMiB: Double
        let buckets: Int
        let bytes: Int
        /// Wait per step after backward (rank average: includes imbalance between the ranks).
        let exposedSecondsPerStep: Double
        /// Wait per step of the rank that finished backward last: the allreduce not hidden.
        let slowestRankExposedSecondsPerStep: Double
        /// The same bucketed allreduces per step with nothing beside them (rank average).
        let aloneSecondsPerStep: Double
        let hiddenShare: Double

        enum CodingKeys: String, CodingKey {
            case reduction, buckets, bytes
            case bucketMiB = "bucket_mib"
            case exposedSecondsPerStep = "exposed_seconds_per_step", aloneSecondsPerStep = "alone_seconds_per_step"
            case slowestRankExposedSecondsPerStep = "slowest_rank_exposed_seconds_per_step"
            case hiddenShare = "hidden_share"
        }
    }

    let benchmark = "throughput"
    let date: String
    let lgmcl: String
    let hosts: [String]
    let loadAverage: [Double]
    let ranks: Int
    let stage: String
    let preset: String
    let precision: String
    let globalBatch: Int
    let batchPerRank: Int
    let warmupSteps: Int
    let steps: Int
    let seconds: Double
    let stepSeconds: Double
    let moleculesPerSecond: Double
    let moleculesPerSecondPerRank: Double
    let parameters: Int
    let finalLoss: Double
    let phaseSecondsPerStep: Phases
    let phaseSecondsPerStepByRank: [Phases]
    /// CPU seconds per step of each rank's process: on a shared machine, wall time over CPU
    /// time shows how much of a core a rank got (MPI's busy polling counts as CPU).
    let cpuSecondsPerStepByRank: [Double]
    /// The text encoder's useful FLOPs per step (issue 19's measure of work: unpadded sequences,
    /// PyTorch's counting), and that work per CPU second of the whole step, per rank; with the
    /// same-run single-thread sgemm rate (2048³, per CPU second) it is held against. Absent
    /// without text.
    let textUsefulGFLOPPerStepByRank: [Double]?
    let textUsefulGFLOPSPerCPUSecondByRank: [Double]?
    let sgemmGFLOPSByRank: [Double]?
    /// Every matrix product as executed (padding included) per step, and the seconds spent in
    /// them (wall time of the gemm calls on the training thread), per rank.
    let gemmGFLOPPerStepByRank: [Double]
    let gemmSecondsPerStepByRank: [Double]
    /// Rank 0's twelve costliest product shapes (C = op(A)·op(B), m × k times k × n) per step.
    let gemmShapes: [GemmShape]
    let allreduce: Allreduce

    struct GemmShape: Encodable {
        let transposes: String
        let m, n, k: Int
        let callsPerStep, gflopPerStep, secondsPerStep, gflops: Double

        enum CodingKeys: String, CodingKey {
            case transposes, m, n, k, gflops
            case callsPerStep = "calls_per_step", gflopPerStep = "gflop_per_step", secondsPerStep = "seconds_per_step"
        }
    }

    enum CodingKeys: String, CodingKey {
        case benchmark, date, lgmcl, hosts, ranks, stage, preset, precision, steps, seconds, parameters, allreduce
        case loadAverage = "load_average", globalBatch = "global_batch", batchPerRank = "batch_per_rank"
        case warmupSteps = "warmup_steps", stepSeconds = "step_seconds", moleculesPerSecond = "molecules_per_second"
        case moleculesPerSecondPerRank = "molecules_per_second_per_rank", finalLoss = "final_loss"
        case phaseSecondsPerStep = "phase_seconds_per_step", phaseSecondsPerStepByRank = "phase_seconds_per_step_by_rank"
        case cpuSecondsPerStepByRank = "cpu_seconds_per_step_by_rank"
        case textUsefulGFLOPPerStepByRank = "text_useful_gflop_per_step_by_rank"
        case textUsefulGFLOPSPerCPUSecondByRank = "text_useful_gflops_per_cpu_second_by_rank"
        case sgemmGFLOPSByRank = "sgemm_gflops_by_rank"
        case gemmGFLOPPerStepByRank = "gemm_gflop_per_step_by_rank", gemmSecondsPerStepByRank = "gemm_seconds_per_step_by_rank"
        case gemmShapes = "gemm_shapes"
    }

    init(settings: PretrainSettings, precision: String, warmupSteps: Int, measured: BenchmarkThroughput.Measurement, hosts: [String]) {
        let summary = measured
        date = ISO8601DateFormatter().string(from: Date())
        lgmcl = LGMCLVersion.string
        self.hosts = hosts
        loadAverage = Self.loadAverage()
        ranks = summary.ranks
        stage = settings.stage.rawValue
        preset = settings.model.preset
        self.precision = precision
        globalBatch = summary.globalBatch
        batchPerRank = summary.globalBatch / summary.ranks
        self.warmupSteps = warmupSteps
        steps = summary.steps
        seconds = summary.seconds
        stepSeconds = summary.stepSeconds
        moleculesPerSecond = summary.moleculesPerSecond
        moleculesPerSecondPerRank = summary.moleculesPerSecond / Double(summary.ranks)
        parameters = measured.gradientValues
        finalLoss = summary.finalLoss
        phaseSecondsPerStep = Phases(summary.phaseSeconds, steps: summary.steps, stepSeconds: summary.stepSeconds)
        phaseSecondsPerStepByRank = summary.phaseSecondsByRank.map { Phases($0, steps: summary.steps, stepSeconds: summary.stepSeconds) }
        cpuSecondsPerStepByRank = summary.cpuSecondsByRank.map { $0 / Double(max(summary.steps, 1)) }
        if measured.usefulTextFLOPsByRank.contains(where: { $0 > 0 }) {
            textUsefulGFLOPPerStepByRank = measured.usefulTextFLOPsByRank.map { $0 / 1e9 / Double(max(summary.steps, 1)) }
            textUsefulGFLOPSPerCPUSecondByRank = zip(measured.usefulTextFLOPsByRank, summary.cpuSecondsByRank).map { $0 / 1e9 / max($1, 1e-9) }
            sgemmGFLOPSByRank = measured.sgemmRateByRank?.map { $0 / 1e9 }
        } else {
            (textUsefulGFLOPPerStepByRank, textUsefulGFLOPSPerCPUSecondByRank, sgemmGFLOPSByRank) = (nil, nil, nil)
        }
        gemmGFLOPPerStepByRank = measured.gemmFLOPsByRank.map { $0 / 1e9 / Double(max(summary.steps, 1)) }
        gemmSecondsPerStepByRank = measured.gemmSecondsByRank.map { $0 / Double(max(summary.steps, 1)) }
        let perStep = 1 / Double(max(summary.steps, 1))
        gemmShapes = measured.gemmShapes.map {
            GemmShape(transposes: ($0.transposeA ? "T" : "N") + ($0.transposeB ? "T" : "N"), m: $0.m, n: $0.n, k: $0.k,
                      callsPerStep: Double($0.calls) * perStep, gflopPerStep: $0.flops / 1e9 * perStep,
                      secondsPerStep: $0.seconds * perStep, gflops: $0.flops / 1e9 / max($0.seconds, 1e-12))
        }
        let exposed = measured.slowestRankWaitSeconds
        allreduce = Allreduce(reduction: settings.deterministic ? "deterministic" : "overlapped", bucketMiB: settings.bucketMiB,
                              buckets: measured.buckets,
                              bytes: measured.gradientValues * measured.bytesPerValue,
                              exposedSecondsPerStep: phaseSecondsPerStep.allreduceWait, slowestRankExposedSecondsPerStep: exposed,
                              aloneSecondsPerStep: measured.allreduceAloneSeconds,
                              hiddenShare: measured.allreduceAloneSeconds > 0 ? 1 - exposed / measured.allreduceAloneSeconds : 0)
    }

    /// The 1, 5 and 15 minute load averages (Linux), so a result says how busy the machine was.
    static func loadAverage() -> [Double] {
        guard let text = try? String(contentsOfFile: "/proc/loadavg", encoding: .utf8) else { return [] }
        return text.split(separator: " ").prefix(3).compactMap { Double($0) }
    }

    var text: String {
        let p = phaseSecondsPerStep
        func ms(_ s: Double) -> String { String(format: "%.1f ms", s * 1000) }
        return """
            benchmark throughput: \(stage) stage, \(preset) preset, \(ranks) rank\(ranks == 1 ? "" : "s") on \(hosts.joined(separator: ", ")), \
            global batch \(globalBatch) (\(batchPerRank) per rank), \(steps) timed steps after \(warmupSteps) warm-up
            benchmark throughput: \(String(format: "%.1f", moleculesPerSecond)) molecules/s (\(String(format: "%.1f", moleculesPerSecondPerRank)) per rank), \
            \(ms(stepSeconds)) per step, CPU per step by rank \(cpuSecondsPerStepByRank.map(ms).joined(separator: ", "))
            benchmark throughput: per step (rank average): data \(ms(p.data)), forward \(ms(p.forward)), backward \(ms(p.backward)), \
            allreduce wait \(ms(p.allreduceWait)), loss allreduce \(ms(p.lossAllreduce)), optimizer \(ms(p.optimizer)), other \(ms(p.other))
            benchmark throughput: allreduce of \(allreduce.bytes) bytes in \(allreduce.buckets) bucket(s): exposed per step \(ms(allreduce.slowestRankExposedSecondsPerStep)) \
            on the rank last out of backward (\(ms(allreduce.exposedSecondsPerStep)) rank average), alone \(ms(allreduce.aloneSecondsPerStep)), hidden share \(String(format: "%.0f%%", 100 * allreduce.hiddenShare)); \
            load average \(loadAverage.map { String(format: "%.2f", $0) }.joined(separator: " "))
            """ + gemmWork + textWork
    }

    /// Matrix products as executed, rank by rank: their rate and their share of the step.
    private var gemmWork: String {
        let ranks = gemmGFLOPPerStepByRank.indices.map { r in
            let seconds = gemmSecondsPerStepByRank[r]
            return String(format: "%.1f GFLOP per step in %.0f ms (%.1f GFLOP/s, %.0f%% of the step)", gemmGFLOPPerStepByRank[r],
                          1000 * seconds, gemmGFLOPPerStepByRank[r] / max(seconds, 1e-9), 100 * seconds / max(stepSeconds, 1e-9))
        }
        return "\nbenchmark throughput: matrix products as executed (padding included) by rank: " + ranks.joined(separator: "; ")
    }

    /// The text encoder's useful work against the same-run sgemm rate, rank by rank.
    private var textWork: String {
        guard let work = textUsefulGFLOPPerStepByRank, let rates = textUsefulGFLOPSPerCPUSecondByRank else { return "" }
        let ranks = work.indices.map { r in
            let sgemm = sgemmGFLOPSByRank.map { String(format: ", %.0f%% of sgemm's %.1f GFLOP/s", 100 * rates[r] / $0[r], $0[r]) } ?? ""
            return String(format: "%.1f GFLOP per step, %.1f GFLOP/s per CPU second", work[r], rates[r]) + sgemm
        }
        return "\nbenchmark throughput: text encoder's useful work (unpadded, PyTorch's counting) by rank: " + ranks.joined(separator: "; ")
    }
}
