import Foundation
@testable import LGMCL
import Testing
import TestSupport

/// What each rank reports about its numerics, and what training does when ranks differ. Ranks
/// with different OpenBLAS kernels are made on one host the way a cluster makes them by accident:
/// each rank's environment asks for another core (mpirun's MPMD form, one `env` per rank).
@Suite(.serialized)
struct NumericEnvironmentTests {
    /// `mpirun -np 1 env K=V… lgmcl-dist ARGS : -np 1 …`, one rank per entry; an empty entry
    /// removes OPENBLAS_CORETYPE from that rank's environment (it may be exported for the test run).
    func mixed(_ ranks: [[String: String]], _ arguments: [String], timeout: Double = 300) throws -> ProcessResult {
        var command: [String] = []
        for (i, variables) in ranks.enumerated() {
            if i > 0 { command.append(":") }
            command += ["-np", "1", "--oversubscribe", "--bind-to", "none", "/usr/bin/env", "-u", "OPENBLAS_CORETYPE"]
            command += variables.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }
            command += [productPath("lgmcl-dist")] + arguments
        }
        return try run("/usr/bin/mpirun", command, timeout: timeout)
    }

    func rankLine(_ output: String, _ rank: Int, of size: Int) -> String? {
        output.split(separator: "\n").map(String.init).first { $0.hasPrefix("rank \(rank)/\(size) on ") }
    }

    func canary(_ line: String?) -> String? {
        guard let line, let start = line.range(of: "canary ") else { return nil }
        return String(line[start.upperBound...].prefix { $0 != ";" })
    }

    @Test func eachRankReportsTheCoreItsEnvironmentAskedFor() throws {
        let result = try mixed([["OPENBLAS_CORETYPE": "Sandybridge"], ["OPENBLAS_CORETYPE": "Haswell"], [:],
                                ["OPENBLAS_CORETYPE": "NoSuchCore"]], ["info"], timeout: 60)
        #expect(result.status == 0, "\(result.output)")
        let lines = (0 ..< 4).map { rankLine(result.stdout, $0, of: 4) }
        #expect(lines[0]?.contains("OpenBLAS Sandybridge (OPENBLAS_CORETYPE=Sandybridge), 1 BLAS thread") == true, "\(result.output)")
        #expect(lines[1]?.contains("OpenBLAS Haswell (OPENBLAS_CORETYPE=Haswell), 1 BLAS thread") == true, "\(result.output)")
        #expect(lines[2]?.contains("OPENBLAS_CORETYPE") == false, "\(result.output)")
        // OpenBLAS falls back silently for a name it does not know; the report says so.
        #expect(lines[3]?.contains("(OPENBLAS_CORETYPE=NoSuchCore not honoured)") == true, "\(result.output)")
        // Sandybridge's kernels have no FMA: its products round differently from Haswell's.
        #expect(canary(lines[0]) != nil && canary(lines[0]) != canary(lines[1]), "\(result.output)")
        #expect(result.stdout.contains("numerics differ across ranks"), "\(result.output)")
        for line in lines {
            #expect(line?.contains("lgmcl \(LGMCLVersion.string) \(BuildInfo.short(BuildInfo.gitCommit)) built for \(BuildInfo.targetCPU)") == true)
        }
    }

    /// A copy of the executable far from its checkout (what a long run or an install uses) still
    /// names the commit `make build` built it from, the checkout's HEAD.
    @Test func aCopiedExecutableNamesTheCommitItWasBuiltFrom() throws {
        let head = try run("/usr/bin/git", ["-C", repositoryRoot.path, "rev-parse", "HEAD"], timeout: 30)
        guard head.status == 0 else { return }   // a source tree without git: nothing to name
        let commit = head.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        #expect(BuildInfo.gitCommit == commit || BuildInfo.gitCommit == commit + "-dirty", "\(BuildInfo.gitCommit) against HEAD \(commit)")
        let elsewhere = scratchDirectory("lgmcl-copied-\(getpid())")
        try FileManager.default.createDirectory(at: elsewhere, withIntermediateDirectories: true)
        let copy = elsewhere.appendingPathComponent("lgmcl-dist")
        // Copied by another process: a descriptor this process holds open for writing would be
        // inherited by children other tests spawn meanwhile, and exec would fail (ETXTBSY).
        let copied = try run("/bin/cp", [productPath("lgmcl-dist"), copy.path], timeout: 60)
        #expect(copied.status == 0, "\(copied.output)")
        let result = try run(copy.path, ["info"], timeout: 60)
        #expect(result.status == 0, "\(result.output)")
        #expect(rankLine(result.stdout, 0, of: 1)?.contains("lgmcl \(LGMCLVersion.string) \(commit.prefix(12))") == true, "\(result.output)")
    }

    /// CTargetCPU's view of the CPU (the compiler's cpuid checks) against Linux's: a haswell build
    /// runs here only if /proc/cpuinfo lists what it was compiled to use.
    @Test func theBuildsTargetIsOneThisCPURuns() throws {
        #expect(["haswell", "x86-64", "default"].contains(BuildInfo.targetCPU))
        #expect(BuildInfo.missingCPUFeatures == "")
        if BuildInfo.targetCPU == "haswell", let flags = CPUDescription.read().flags {
            for feature in ["avx", "avx2", "fma", "bmi1", "bmi2", "f16c", "movbe"] { #expect(flags.contains(feature), "\(feature)") }
        }
    }

    @Test func theCanaryIsTheSameOnEveryCall() throws {
        let a = try NumericEnvironment.current(), b = try NumericEnvironment.current()
        #expect(a == b)
        #expect(a.sgemmCanary.count == 16 && a.elementwiseCanary.count == 16)
    }

    /// The refusal happens before the first step, names both sides and the fix; nothing is trained.
    @Test func deterministicTrainingRefusesRanksThatComputeDifferently() throws {
        let data = try PretrainTests.dataset.get()
        let output = FileManager.default.temporaryDirectory.appendingPathComponent("lgmcl-numerics-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: output) }
        let arguments = ["pretrain", "--data", data, "--output", output.path, "--preset", "tiny", "--stage", "graph",
                         "--batch-size", "12", "--held-out", "12", "--max-steps", "4", "--log-interval", "1000"]
        let refused = try mixed([["OPENBLAS_CORETYPE": "Haswell"], ["OPENBLAS_CORETYPE": "Sandybridge"]],
                                arguments + ["--deterministic"], timeout: 120)
        #expect(refused.status != 0, "\(refused.output)")
        #expect(refused.output.contains("--deterministic needs every rank to compute the same bits"), "\(refused.output)")
        let lines = refused.output.split(separator: "\n").map { $0.trimmingCharacters(in: .whitespaces) }
        #expect(lines.contains { $0.hasPrefix("rank 0 on ") && $0.contains(": OpenBLAS Haswell (OPENBLAS_CORETYPE=Haswell), canary") }, "\(refused.output)")
        #expect(lines.contains { $0.hasPrefix("rank 1 on ") && $0.contains(": OpenBLAS Sandybridge (OPENBLAS_CORETYPE=Sandybridge), canary") }, "\(refused.output)")
        #expect(refused.output.contains("Their BLAS kernels (Haswell vs Sandybridge) round differently"), "\(refused.output)")
        // Only rank 0 explains; the other ranks are ended by its abort before they say anything.
        #expect(refused.output.components(separatedBy: "error:").count == 2, "\(refused.output)")
        #expect(refused.output.contains("Fix: export one OPENBLAS_CORETYPE"), "\(refused.output)")
        #expect(!refused.output.contains("pretrain graph 1/"), "a step ran:\n\(refused.output)")
        #expect(!FileManager.default.fileExists(atPath: output.appendingPathComponent("graph.safetensors").path))

        // Without --deterministic: one warning, and replicas stay identical (the gradients are
        // summed by MPI, the same sums reach every rank).
        let trained = try mixed([["OPENBLAS_CORETYPE": "Haswell"], ["OPENBLAS_CORETYPE": "Sandybridge"]], arguments, timeout: 300)
        #expect(trained.status == 0, "\(trained.output)")
        #expect(trained.output.components(separatedBy: "warning: the ranks compute with 2 different numerics").count == 2, "\(trained.output)")
        #expect(trained.output.contains("replicas: the same weights on all 2 ranks at step 4"), "\(trained.output)")
        #expect(FileManager.default.fileExists(atPath: output.appendingPathComponent("graph.safetensors").path))

        // The checkpoint records both sides; resuming with other numerics says byte-identity is gone.
        let manifest = try JSONDecoder().decode(CheckpointManifest.self, from: Data(contentsOf: output.appendingPathComponent("runs/graph/checkpoints/step-00000004/manifest.json")))
        #expect(manifest.numerics?.count == 2)
        #expect(manifest.numerics?.map(\.ranks) == [[0], [1]])
        let resumed = try mixed([["OPENBLAS_CORETYPE": "Haswell"], ["OPENBLAS_CORETYPE": "Haswell"]],
                                arguments.map { $0 == "4" ? "6" : $0 } + ["--resume"], timeout: 300)
        #expect(resumed.status == 0, "\(resumed.output)")
        #expect(resumed.output.contains("warning: --resume: step-00000004 was written by ranks computing with"), "\(resumed.output)")
        #expect(resumed.output.contains("no longer byte-identical to an uninterrupted run"), "\(resumed.output)")
    }

    /// bfloat16 products are part of a run's numerics: its checkpoint records them, and resuming it
    /// with Float32 products says that byte-identity is gone.
    @Test(.enabled(if: MatrixProducts.bfloat16IsAvailable, "this CPU has no AVX512_BF16"))
    func bfloat16ProductsAreRecordedWithTheCheckpoint() throws {
        let data = try PretrainTests.dataset.get()
        let output = FileManager.default.temporaryDirectory.appendingPathComponent("lgmcl-numerics-bf16-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: output) }
        let arguments = ["pretrain", "--data", data, "--output", output.path, "--preset", "tiny", "--stage", "graph",
                         "--batch-size", "12", "--held-out", "12", "--log-interval", "1000"]
        let trained = try run(productPath("lgmcl-dist"), arguments + ["--max-steps", "2", "--precision", "bf16-mixed"], timeout: 120)
        #expect(trained.status == 0, "\(trained.output)")
        let checkpoint = output.appendingPathComponent("runs/graph/checkpoints/step-00000002")
        let manifest = try JSONDecoder().decode(CheckpointManifest.self, from: Data(contentsOf: checkpoint.appendingPathComponent("manifest.json")))
        let float32 = try NumericEnvironment.current().canary
        #expect(manifest.numerics?.count == 1 && manifest.numerics?.first?.canary != float32, "\(String(describing: manifest.numerics))")
        let settings = try String(contentsOf: checkpoint.appendingPathComponent("settings.json"), encoding: .utf8)
        #expect(settings.contains("\"matrixProducts\" : \"bfloat16\""), "\(settings)")
        let resumed = try run(productPath("lgmcl-dist"), arguments + ["--max-steps", "3", "--resume"], timeout: 120)
        #expect(resumed.status == 0, "\(resumed.output)")
        #expect(resumed.output.contains("no longer byte-identical to an uninterrupted run"), "\(resumed.output)")
    }

    // MARK: The rules, on reports built by hand

    func report(host: String, core: String, canary: String, commit: String = "abc", cpu: String = "CPU A") -> NumericEnvironment {
        NumericEnvironment(host: host, lgmclVersion: "0.1.0", gitCommit: commit, blasCore: core, blasConfiguration: "",
                           blasThreads: 1, requestedCore: nil, cpuModel: cpu, sgemmCanary: canary, elementwiseCanary: "e")
    }

    @Test func ranksGroupByCanaryWhateverTheirCPUOrKernelName() {
        let groups = NumericEnvironment.groups([
            report(host: "a", core: "Haswell", canary: "1"), report(host: "b", core: "Zen", canary: "1", cpu: "CPU B"),
            report(host: "c", core: "Sandybridge", canary: "2"), report(host: "a", core: "Haswell", canary: "1"),
        ])
        #expect(groups.map(\.ranks) == [[0, 1, 3], [2]])
        #expect(groups[0].hosts == ["a", "b"] && groups[0].kernels == ["OpenBLAS Haswell", "OpenBLAS Zen"])
        #expect(groups[0].cpuModels == ["CPU A", "CPU B"])
        #expect(groups[0].description == "ranks 0-1, 3 on a, b: OpenBLAS Haswell / OpenBLAS Zen, canary 1/e, CPU CPU A / CPU B")
    }

    @Test func differentBuildsAreRefusedAlways() {
        let reports = [report(host: "a", core: "Haswell", canary: "1", commit: "abc"),
                       report(host: "b", core: "Haswell", canary: "1", commit: "def")]
        let refusal = NumericEnvironment.differentBuilds(reports)
        #expect(refusal?.contains("lgmcl 0.1.0 abc: rank 0 on a") == true)
        #expect(refusal?.contains("lgmcl 0.1.0 def: rank 1 on b") == true)
        #expect(NumericEnvironment.differentBuilds(Array(repeating: reports[0], count: 3)) == nil)
    }

    @Test func aKernelTheCPUCannotRunIsNamedBeforeItRuns() {
        let haswellCPU: Set<String> = ["sse4_2", "avx", "avx2", "fma"]
        #expect(NumericEnvironment.missingInstructions(core: "SkylakeX", cpuFlags: haswellCPU)
                == ["avx512f", "avx512cd", "avx512bw", "avx512dq", "avx512vl"])
        #expect(NumericEnvironment.missingInstructions(core: "Haswell", cpuFlags: ["avx"]) == ["avx2", "fma"])
        #expect(NumericEnvironment.missingInstructions(core: "Sandybridge", cpuFlags: haswellCPU).isEmpty)
        // Families without an entry are not judged.
        #expect(NumericEnvironment.missingInstructions(core: "Bulldozer", cpuFlags: []).isEmpty)
    }
}
