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
    /// mpi-checks, which does not catch it, so the ranks end at once and the job stops promptly.
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
        #expect(result.status == 0, "\(result.output)")
        #expect(seconds < 20, "took \(seconds) s")
        #expect(result.stderr.contains("SIGUSR1 received"), "\(result.output)")
        #expect(result.output.contains("exited on signal 10"), "the ranks did not get SIGUSR1:\n\(result.output)")
        #expect(result.stderr.contains("not a Slurm job, so nothing to requeue"), "\(result.output)")
    }

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
