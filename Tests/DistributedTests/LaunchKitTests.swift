import Foundation
import Testing
import TestSupport

/// cluster/lgmcl-launch and cluster/slurm/pretrain.sbatch, run with mpirun on this machine
/// (Slurm itself is not here: its commands are checked as printed by --dry-run).
@Suite(.serialized)
struct LaunchKitTests {
    static let launcher = repositoryRoot.appendingPathComponent("cluster/lgmcl-launch").path
    static let batchScript = repositoryRoot.appendingPathComponent("cluster/slurm/pretrain.sbatch").path

    /// Every rank starts with one BLAS thread whatever the caller's environment says, and the
    /// run directory records the attempt.
    @Test func launchesEveryRankAndRecordsTheAttempt() throws {
        let scratch = try scratchDirectory()
        defer { try? FileManager.default.removeItem(at: scratch) }
        let runDirectory = scratch.appendingPathComponent("run")
        let result = try run(Self.launcher, [
            "--oversubscribe", "-n", "2", "--run-dir", runDirectory.path,
            "--program", productPath("lgmcl-dist"), "--", "info",
        ], environment: ["OPENBLAS_NUM_THREADS": "4"], timeout: 60)
        #expect(result.status == 0, "\(result.output)")
        #expect(result.stdout.contains("(threads: 1)"), "\(result.stdout)")
        for rank in 0 ..< 2 { #expect(result.stdout.contains("rank \(rank)/2 on "), "\(result.stdout)") }
        let log = try String(contentsOf: runDirectory.appendingPathComponent("launch.log"), encoding: .utf8)
        #expect(log.split(separator: "\n").count == 1 && log.contains("attempt 1"), "\(log)")
    }

    /// pretrain gets the run directory as --output, and --resume once an earlier attempt exists.
    @Test func resumesOnTheSecondAttempt() throws {
        let scratch = try scratchDirectory()
        defer { try? FileManager.default.removeItem(at: scratch) }
        let runDirectory = scratch.appendingPathComponent("run")
        let pretrain = ["--dry-run", "--run-dir", runDirectory.path, "--", "pretrain", "--data", "d.h5"]
        let first = try run(Self.launcher, pretrain, timeout: 30)
        #expect(first.status == 0, "\(first.output)")
        #expect(first.stdout.contains("pretrain --data d.h5 --output \(runDirectory.path)"), "\(first.stdout)")
        #expect(!first.stdout.contains("--resume"), "\(first.stdout)")

        let attempt = try run(Self.launcher, [
            "--oversubscribe", "-n", "1", "--run-dir", runDirectory.path,
            "--program", productPath("lgmcl-dist"), "--", "info",
        ], timeout: 60)
        #expect(attempt.status == 0, "\(attempt.output)")
        let second = try run(Self.launcher, pretrain, timeout: 30)
        #expect(second.stdout.contains("--output \(runDirectory.path) --resume"), "\(second.stdout)")
        let never = try run(Self.launcher, ["--resume", "never"] + pretrain, timeout: 30)
        #expect(!never.stdout.contains("--resume"), "\(never.stdout)")
    }

    /// SIGUSR1 to the wrapper (what `sbatch --signal=B:USR1@…` sends) reaches every rank: here
    /// mpi-checks, which does not catch it, so the ranks end at once and the job stops promptly —
    /// without a stop report, which the wrapper says, exiting non-zero: never a success.
    @Test func forwardsSIGUSR1ToTheRanks() throws {
        let scratch = try scratchDirectory()
        defer { try? FileManager.default.removeItem(at: scratch) }
        let job = try start(Self.launcher, [
            "--oversubscribe", "-n", "2", "--requeue", "--run-dir", scratch.appendingPathComponent("run").path,
            "--program", productPath("mpi-checks"), "--", "loop", "60",
        ])
        let started = Date()
        while job.isRunning, !job.stdout.contains("loop running"), Date().timeIntervalSince(started) < 60 { usleep(100_000) }
        let signalled = Date()
        job.signal(SIGUSR1)
        let result = job.wait(timeout: 90)
        let seconds = Date().timeIntervalSince(signalled)
        #expect(!result.timedOut, "the job did not stop after SIGUSR1:\n\(result.output)")
        #expect(result.status != 0 && result.status != 75, "\(result.output)")
        #expect(seconds < 20, "took \(seconds) s")
        #expect(result.stderr.contains("SIGUSR1 received"), "\(result.output)")
        #expect(result.output.contains("exited on signal 10"), "the ranks did not get SIGUSR1:\n\(result.output)")
        #expect(result.stderr.contains("but the ranks reported no stop"), "\(result.output)")
    }

    /// What `scancel` does to the mpirun variant: SIGTERM to every process of the job (the
    /// wrapper, mpirun, the ranks) while rank 1 is inside a 60 s step. mpirun alone would SIGKILL
    /// the ranks a second later. Rank 0 checkpoints the last completed step at once, the wrapper
    /// ends the launch once the stop grace has passed — long before the slow step could end —
    /// and exits 75 with the stop's last line; the rank's own log says what it did; nothing is
    /// left running or behind.
    @Test func sigtermToTheWholeJobEndsInACheckpointWithinTheGrace() throws {
        let scratch = try scratchDirectory()
        defer { try? FileManager.default.removeItem(at: scratch) }
        let data = try tinyDataset(in: scratch)
        let runDirectory = scratch.appendingPathComponent("run")
        let temporary = scratch.appendingPathComponent("tmp")
        try FileManager.default.createDirectory(at: temporary, withIntermediateDirectories: true)
        let job = try start(Self.launcher, [
            "--oversubscribe", "-n", "2", "--stop-grace", "3", "--run-dir", runDirectory.path,
            "--program", productPath("lgmcl-dist"), "--",
        ] + Self.pretrainArguments(data), environment: ["LGMCL_FAULT": "rank:1,step:4,kind:sleep,seconds:60", "TMPDIR": temporary.path])
        let started = Date()
        while job.isRunning, !job.stderr.contains("sleeps 60"), Date().timeIntervalSince(started) < 90 { usleep(100_000) }
        let family = [job.pid] + descendants(of: job.pid)
        let signalled = Date()
        for member in family { kill(member, SIGTERM) }
        let result = job.wait(timeout: 120)
        let seconds = Date().timeIntervalSince(signalled)
        #expect(!result.timedOut, "\(result.output)")
        #expect(result.status == 75, "\(result.output)")
        // The slow step would end 60 s after it began: ending before shows the bound at work.
        #expect(seconds < 45, "took \(seconds) s")
        let report = try JSONDecoder().decode(StopFile.self, from: Data(contentsOf: runDirectory.appendingPathComponent("stop.json")))
        #expect(report.signal == "SIGTERM" && report.step == 3 && report.lastStep == 40, "\(report)")
        let checkpoint = URL(fileURLWithPath: report.checkpoint ?? "/nonexistent")
        #expect(FileManager.default.fileExists(atPath: checkpoint.appendingPathComponent("manifest.json").path), "\(report)")
        #expect(result.stderr.contains("lgmcl-launch: stopped at step 3 of 40, checkpoint \(checkpoint.path)"), "\(result.output)")
        #expect(result.stderr.contains("not requeued after SIGTERM"), "\(result.output)")
        let rankLog = try String(contentsOf: runDirectory.appendingPathComponent("logs/rank-0.log"), encoding: .utf8)
        #expect(rankLog.contains("SIGTERM received: checkpoint of step 3 written and verified"), "\(rankLog)")
        let checkpoints = (try? FileManager.default.contentsOfDirectory(atPath: checkpoint.deletingLastPathComponent().path)) ?? []
        #expect(!checkpoints.contains { $0.hasPrefix(".tmp-") }, "\(checkpoints)")
        #expect(try FileManager.default.contentsOfDirectory(atPath: temporary.path).isEmpty)
        usleep(500_000)
        // Zombies are done: a killed mpirun's children wait for init to reap them.
        #expect(family.allSatisfy { kill($0, 0) != 0 || isZombie($0) }, "processes of the job are left")
    }

    /// SIGUSR1 to the ranks only (`scancel -s USR1` without --batch): the run still ends 75 with
    /// a checkpoint, and the wrapper, which received nothing itself, treats it as the stop request
    /// it is (outside Slurm: nothing to requeue) instead of as a finished run.
    @Test func sigusr1ToTheRanksOnlyIsAStopNotASuccess() throws {
        let scratch = try scratchDirectory()
        defer { try? FileManager.default.removeItem(at: scratch) }
        let data = try tinyDataset(in: scratch)
        let runDirectory = scratch.appendingPathComponent("run")
        let job = try start(Self.launcher, [
            "--oversubscribe", "-n", "2", "--requeue", "--run-dir", runDirectory.path,
            "--program", productPath("lgmcl-dist"), "--",
        ] + Self.pretrainArguments(data), environment: ["LGMCL_FAULT": "rank:1,step:4,kind:sleep,seconds:5"])
        let ranks = signalRanks(of: job, once: "sleeps 5", SIGUSR1, timeout: 90)
        #expect(ranks.count == 2, "ranks: \(ranks)")
        let result = job.wait(timeout: 120)
        #expect(result.status == 75, "\(result.output)")
        let report = try JSONDecoder().decode(StopFile.self, from: Data(contentsOf: runDirectory.appendingPathComponent("stop.json")))
        #expect(report.signal == "SIGUSR1" && report.step == 3, "\(report)")
        #expect(result.stderr.contains("stopped at step 3 of 40 (SIGUSR1)"), "\(result.output)")
        #expect(result.stderr.contains("SIGUSR1: not a Slurm job, so nothing to requeue"), "\(result.output)")
        #expect(!FileManager.default.fileExists(atPath: runDirectory.appendingPathComponent("graph.safetensors").path))
    }

    static func pretrainArguments(_ data: URL) -> [String] {
        ["pretrain", "--data", data.path, "--stage", "graph", "--preset", "tiny", "--batch-size", "8", "--max-steps", "40",
         "--checkpoint-every", "20", "--log-interval", "1"]
    }

    /// stop.json as the wrapper and people read it.
    struct StopFile: Decodable {
        var signal: String
        var step: Int
        var lastStep: Int
        var checkpoint: String?
    }

    /// 200 MOSES molecules, preprocessed on one rank.
    func tinyDataset(in scratch: URL) throws -> URL {
        let input = scratch.appendingPathComponent("molecules.csv")
        let rows = try gunzipHead(repositoryData.appendingPathComponent("samples/moses_head20k.csv.gz"), lines: 201)
        try rows.write(to: input, atomically: true, encoding: .utf8)
        let output = scratch.appendingPathComponent("molecules.h5")
        let result = try run(productPath("lgmcl-dist"), ["preprocess", "--input", input.path, "--output", output.path, "--vocab-size", "300"],
                             timeout: 120)
        guard result.status == 0 else { throw LaunchKitFailure(description: "preprocess failed: \(result.output)") }
        return output
    }

    func gunzipHead(_ file: URL, lines: Int) throws -> String {
        let result = try run("/bin/bash", ["-c", "gzip -dc \"$0\" | head -n \(lines)", file.path], timeout: 60)
        return result.stdout
    }

    struct LaunchKitFailure: Error, CustomStringConvertible { let description: String }

    /// The batch script's launch inside a (described) Slurm job: srun with PMIx, one rank per
    /// core, the run directory named after the job, HDF5 locking off.
    @Test func batchScriptLaunchesWithSrun() throws {
        let runs = try scratchDirectory()
        defer { try? FileManager.default.removeItem(at: runs) }
        let result = try run("/bin/bash", [Self.batchScript], environment: [
            "LGMCL_DRY_RUN": "1", "LGMCL_DATA": "/project/data.h5", "LGMCL_PRETRAIN_ARGS": "--stage graph --preset small",
            "LGMCL_RUNS": runs.path, "SLURM_JOB_ID": "4242", "SLURM_JOB_NAME": "lgmcl-pretrain", "SLURM_NTASKS": "32",
            "SLURM_SUBMIT_DIR": repositoryRoot.path, "OPENBLAS_CORETYPE": "Haswell",
        ], timeout: 30)
        #expect(result.status == 0, "\(result.output)")
        #expect(result.stdout.contains("srun --mpi=pmix --kill-on-bad-exit=1 --export=ALL --ntasks 32 --cpu-bind=cores "), "\(result.stdout)")
        // srun hands the ranks this environment, the caller's forced kernel with it.
        #expect(result.stdout.contains("OPENBLAS_CORETYPE=Haswell"), "\(result.stdout)")
        #expect(result.stdout.contains("pretrain --data /project/data.h5 --stage graph --preset small --output \(runs.path)/lgmcl-pretrain-4242"),
                "\(result.stdout)")
        #expect(result.stdout.contains("HDF5_USE_FILE_LOCKING=FALSE"), "\(result.stdout)")
        #expect(result.stdout.contains("OPENBLAS_NUM_THREADS=1"), "\(result.stdout)")

        let missing = try run("/bin/bash", [Self.batchScript], environment: ["LGMCL_DRY_RUN": "1"], timeout: 30)
        #expect(missing.status != 0)
        #expect(missing.stderr.contains("set LGMCL_DATA"), "\(missing.stderr)")

        // Submitted from outside the checkout: the error names the way out.
        let elsewhere = try run("/bin/bash", [Self.batchScript], environment: [
            "LGMCL_DRY_RUN": "1", "LGMCL_DATA": "/project/data.h5", "SLURM_SUBMIT_DIR": runs.path, "SLURM_JOB_ID": "4242", "SLURM_NTASKS": "2",
        ], timeout: 30)
        #expect(elsewhere.status != 0)
        #expect(elsewhere.stderr.contains("LGMCL_HOME=/path/to/lgmcl"), "\(elsewhere.stderr)")
        // A job of one task is refused with the shape to give, and the header names no shape
        // (its --ntasks-per-node made `sbatch --ntasks=2` unsatisfiable).
        let single = try run("/bin/bash", [Self.batchScript], environment: [
            "LGMCL_DRY_RUN": "1", "LGMCL_DATA": "/project/data.h5", "SLURM_SUBMIT_DIR": repositoryRoot.path, "SLURM_JOB_ID": "4242", "SLURM_NTASKS": "1",
        ], timeout: 30)
        #expect(single.status != 0)
        #expect(single.stderr.contains("this job has one task"), "\(single.stderr)")
        let header = try String(contentsOfFile: Self.batchScript, encoding: .utf8).split(separator: "\n").filter { $0.hasPrefix("#SBATCH") }
        #expect(!header.contains { $0.contains("--ntasks") || $0.contains("--nodes") }, "\(header)")
    }

    /// mpirun passes only OMPI_* to other nodes: the launcher names every OPENBLAS_*, OMP_* and
    /// LGMCL_* variable the caller set, so ranks there get them unchanged.
    @Test func mpirunLaunchForwardsTheCallersBLASAndLGMCLVariables() throws {
        let runs = try scratchDirectory()
        defer { try? FileManager.default.removeItem(at: runs) }
        let result = try run(repositoryRoot.appendingPathComponent("cluster/lgmcl-launch").path,
                             ["--dry-run", "--launcher", "mpirun", "-n", "4", "--run-dir", runs.path, "--", "info"],
                             environment: ["OPENBLAS_CORETYPE": "Sandybridge", "OPENBLAS_L2_SIZE": "512", "OMP_NUM_THREADS": "1",
                                           "LGMCL_FAULT": "", "LGMCL_EXAMPLE": "kept"], timeout: 30)
        #expect(result.status == 0, "\(result.output)")
        let command = result.stdout.split(separator: "\n").last.map(String.init) ?? ""
        for name in ["OPENBLAS_CORETYPE", "OPENBLAS_L2_SIZE", "OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "LGMCL_FAULT", "LGMCL_EXAMPLE", "HDF5_USE_FILE_LOCKING"] {
            #expect(command.contains("-x \(name) "), "no -x \(name) in: \(command)")
        }
        #expect(result.stdout.contains("OPENBLAS_CORETYPE=Sandybridge") && result.stdout.contains("LGMCL_EXAMPLE=kept"), "\(result.stdout)")
    }

    func scratchDirectory() throws -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("lgmcl-launchkit-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }
}
