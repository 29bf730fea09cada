import Distributed
import Foundation
import Logging

/// What decides the bits one rank computes: its BLAS kernel, its libm, its build. Read from what
/// the libraries do rather than from environment variables: OpenBLAS picks a kernel for the CPU
/// (or the one `OPENBLAS_CORETYPE` forces, silently falling back when it does not know the name),
/// and glibc picks exp/log/tanh/erf code paths by CPU too. Different kernels round differently, so
/// `--deterministic` (N ranks ≡ 1 rank, exact resume) holds only when every rank computes the
/// same canary.
public struct NumericEnvironment: Codable, Sendable, Equatable {
    public var host: String
    public var lgmclVersion: String
    public var gitCommit: String
    /// `OpenBLAS.coreName`: the kernel family in use, e.g. "Haswell", "Cooperlake".
    public var blasCore: String
    /// `OpenBLAS.configuration`.
    public var blasConfiguration: String
    public var blasThreads: Int
    /// `OPENBLAS_CORETYPE` as this process received it, when set.
    public var requestedCore: String?
    public var cpuModel: String
    /// Hashes of the bits of fixed products through the model's matmul (sgemm) and of the
    /// pointwise kernels the models use (exp, log, tanh, erf, sigmoid, GELU, ELU, softmax, layer
    /// norm) on fixed inputs.
    public var sgemmCanary: String
    public var elementwiseCanary: String

    public var canary: String { "\(sgemmCanary)/\(elementwiseCanary)" }

    /// The kernel OpenBLAS runs, and the one asked for when that differs ("Cooperlake, asked for
    /// SapphireRapids": OpenBLAS falls back without a word when it does not know a name).
    public var kernelDescription: String {
        guard let requestedCore else { return "OpenBLAS \(blasCore)" }
        if requestedCore.caseInsensitiveCompare(blasCore) == .orderedSame { return "OpenBLAS \(blasCore) (OPENBLAS_CORETYPE=\(requestedCore))" }
        return "OpenBLAS \(blasCore) (OPENBLAS_CORETYPE=\(requestedCore) not honoured)"
    }

    /// One line for `info`: everything that decides this rank's numerics.
    public var summary: String {
        "\(kernelDescription), \(blasThreads) BLAS thread\(blasThreads == 1 ? "" : "s"), canary \(canary); "
            + "CPU \(cpuModel); lgmcl \(lgmclVersion) \(BuildInfo.short(gitCommit)) built for \(BuildInfo.targetCPU)"
    }
}

public struct NumericEnvironmentError: Error, CustomStringConvertible {
    public let description: String
}

// MARK: Reading this process

extension NumericEnvironment {
    /// This process's report. Refuses, before any BLAS call, a kernel that needs instructions the
    /// CPU lacks (a core forced by OPENBLAS_CORETYPE on an older node), which would otherwise end
    /// the process with SIGILL at the first product.
    public static func current() throws -> NumericEnvironment {
        let cpu = CPUDescription.read()
        let core = OpenBLAS.coreName
        let requested = ProcessInfo.processInfo.environment["OPENBLAS_CORETYPE"].flatMap { $0.isEmpty ? nil : $0 }
        if let flags = cpu.flags {
            let missing = Self.missingInstructions(core: core, cpuFlags: flags)
            if !missing.isEmpty {
                throw NumericEnvironmentError(description: """
                    OpenBLAS runs its \(core) kernel\(requested.map { " (OPENBLAS_CORETYPE=\($0))" } ?? ""), which needs \
                    \(missing.joined(separator: ", ")), and this CPU (\(cpu.model)) on \(Environment.processorName) lacks it: \
                    unset OPENBLAS_CORETYPE for this node or set a core every node can run (e.g. Sandybridge needs only avx, \
                    Haswell avx2 and fma)
                    """)
            }
        }
        let canaries = Self.canaries()
        return NumericEnvironment(
            host: Environment.processorName, lgmclVersion: LGMCLVersion.string, gitCommit: BuildInfo.gitCommit,
            blasCore: core, blasConfiguration: OpenBLAS.configuration, blasThreads: OpenBLAS.threadCount,
            requestedCore: requested, cpuModel: cpu.model, sgemmCanary: canaries.sgemm, elementwiseCanary: canaries.elementwise)
    }

    /// The instruction-set extensions (as /proc/cpuinfo names them) an OpenBLAS x86-64 kernel
    /// family is built for and `cpuFlags` lacks. Families not listed are not checked.
    static func missingInstructions(core: String, cpuFlags: Set<String>) -> [String] {
        let avx512 = ["avx512f", "avx512cd", "avx512bw", "avx512dq", "avx512vl"]
        let needs: [String: [String]] = [
            "prescott": ["pni"], "core2": ["ssse3"], "penryn": ["sse4_1"], "dunnington": ["sse4_1"],
            "nehalem": ["sse4_2"], "sandybridge": ["avx"], "haswell": ["avx2", "fma"], "zen": ["avx2", "fma"],
            "skylakex": avx512, "cooperlake": avx512 + ["avx512_bf16"],
        ]
        return (needs[core.lowercased()] ?? []).filter { !cpuFlags.contains($0) }
    }

    /// Fixed inputs from SplitMix64 (integer arithmetic, the same everywhere) through the ops the
    /// models call. The shapes cover OpenBLAS's paths that differ by size and layout: a small
    /// product, a square one, and long inner dimensions with either operand transposed (attention
    /// and linear layers' backward), so a difference in K-blocking or in the small-matrix kernels
    /// shows.
    static func canaries() -> (sgemm: String, elementwise: String) {
        var random = SplitMix64(seed: 0x6C67_6D63_6361_6E79)
        func values(_ count: Int, scale: Float) -> [Float] {
            (0 ..< count).map { _ in Float(Int32(truncatingIfNeeded: random.next() >> 32)) * (scale / 2_147_483_648) }
        }
        func tensor(_ shape: [Int], scale: Float = 1) -> Tensor<Float> { Tensor(values(shape.reduce(1, *), scale: scale), shape: shape) }

        func add(_ values: [Float], to digest: SHA256Digest) { values.withUnsafeBytes { digest.add($0) } }
        let products = SHA256Digest()
        for (m, k, n, transposeA, transposeB) in [(5, 3, 7, false, false), (64, 64, 64, false, false),
                                                  (96, 513, 48, false, true), (17, 1200, 33, true, false)] {
            let a = tensor(transposeA ? [k, m] : [m, k]), b = tensor(transposeB ? [n, k] : [k, n])
            add(matmul(a, b, transposeA: transposeA, transposeB: transposeB).scalars, to: products)
        }

        let pointwise = SHA256Digest()
        let x = tensor([64, 128], scale: 12)
        let positive = x.abs() + 1e-3
        for y in [x.exp(), positive.log(), positive.sqrt(), x.tanh(), x.erf(), x.sigmoid(), x.gelu(), x.elu(),
                  x.softmax(axis: -1), layerNorm(x, weight: nil, bias: nil)] {
            add(y.scalars, to: pointwise)
        }
        add(x.scalars.map { Float.log1p(Swift.abs($0)) }, to: pointwise)
        // 16 hex digits tell kernels apart and still read in a log line.
        return (String(products.hex().prefix(16)), String(pointwise.hex().prefix(16)))
    }
}

/// The CPU as Linux describes it: its model name and instruction-set flags (nil where
/// /proc/cpuinfo has no flags line, e.g. on ARM).
struct CPUDescription {
    var model: String
    var flags: Set<String>?

    static func read() -> CPUDescription {
        guard let text = try? String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8) else { return CPUDescription(model: "unknown") }
        func field(_ name: String) -> String? {
            for line in text.split(separator: "\n", omittingEmptySubsequences: true) {
                let parts = line.split(separator: ":", maxSplits: 1)
                if parts.count == 2, parts[0].trimmingCharacters(in: .whitespaces) == name {
                    return parts[1].trimmingCharacters(in: .whitespaces)
                }
            }
            return nil
        }
        return CPUDescription(model: field("model name") ?? field("CPU part").map { "CPU part \($0)" } ?? "unknown",
                              flags: field("flags").map { Set($0.split(separator: " ").map(String.init)) })
    }
}

// MARK: Agreeing across ranks

extension NumericEnvironment {
    /// Ranks that compute the same canary, with the kernels, hosts and CPUs they do it on.
    public struct Group: Codable, Sendable, Equatable {
        public var ranks: [Int]
        public var hosts: [String]
        /// Kernel descriptions, e.g. "OpenBLAS Haswell (OPENBLAS_CORETYPE=Haswell)".
        public var kernels: [String]
        public var cpuModels: [String]
        public var canary: String

        /// "OpenBLAS Haswell (OPENBLAS_CORETYPE=Haswell), canary …": what these ranks compute with.
        public var computation: String { "\(kernels.joined(separator: " / ")), canary \(canary)" }

        /// "ranks 0, 2 on lgmcl-host1, lgmcl-host3: OpenBLAS Haswell (OPENBLAS_CORETYPE=Haswell), canary …, CPU …"
        public var description: String {
            "\(ranks.count == 1 ? "rank" : "ranks") \(rankList(ranks)) on \(hosts.joined(separator: ", ")): "
                + "\(computation), CPU \(cpuModels.joined(separator: " / "))"
        }
    }

    public static func groups(_ reports: [NumericEnvironment]) -> [Group] {
        var groups: [Group] = []
        for (rank, report) in reports.enumerated() {
            guard let i = groups.firstIndex(where: { $0.canary == report.canary }) else {
                groups.append(Group(ranks: [rank], hosts: [report.host], kernels: [report.kernelDescription],
                                    cpuModels: [report.cpuModel], canary: report.canary))
                continue
            }
            groups[i].ranks.append(rank)
            if !groups[i].hosts.contains(report.host) { groups[i].hosts.append(report.host) }
            if !groups[i].kernels.contains(report.kernelDescription) { groups[i].kernels.append(report.kernelDescription) }
            if !groups[i].cpuModels.contains(report.cpuModel) { groups[i].cpuModels.append(report.cpuModel) }
        }
        return groups
    }

    /// Every rank's report, in rank order. A rank whose kernel its CPU cannot run must not end
    /// the job alone with SIGILL: its entry carries the reason instead, for every rank to see.
    public static func gather(across world: Communicator) throws -> [Result<NumericEnvironment, NumericEnvironmentError>] {
        let encoded: String
        do {
            encoded = String(decoding: try JSONEncoder().encode(try current()), as: UTF8.self)
        } catch let error as NumericEnvironmentError {
            encoded = "!" + error.description
        }
        return try world.allgather(string: encoded).map { text in
            guard !text.hasPrefix("!") else { return .failure(NumericEnvironmentError(description: String(text.dropFirst()))) }
            return .success(try JSONDecoder().decode(NumericEnvironment.self, from: Data(text.utf8)))
        }
    }

    /// Every rank's report, gathered in rank order, after checking that the ranks can train one
    /// model together: the same lgmcl build always; the same canary when `deterministic` (else a
    /// warning line through `log`, rank 0 only). Collective: every rank calls it.
    public static func agree(across world: Communicator, deterministic: Bool,
                             logger: Logger = .silent) throws -> [NumericEnvironment] {
        let gathered = try gather(across: world)
        let reports = gathered.compactMap { try? $0.get() }
        let groups = Self.groups(reports)
        let unreadable = gathered.indices.first { (try? gathered[$0].get()) == nil }.map { rank in
            "rank \(rank): " + (gathered[rank].failureDescription ?? "")
        }
        if let refusal = unreadable ?? differentBuilds(reports) ?? (groups.count > 1 && deterministic ? mismatchMessage(groups) : nil) {
            // Every rank reached the same verdict from the same reports. Rank 0 alone says it:
            // the first rank to abort ends the others, and could cut rank 0's message short.
            guard world.isRoot else {
                sleep(30)
                throw NumericEnvironmentError(description: "the ranks cannot train together (rank 0 says why)")
            }
            throw NumericEnvironmentError(description: refusal)
        }
        if groups.count > 1 {
            if world.isRoot {
                let kinds = groups.map { "\($0.kernels.joined(separator: "/")) on \($0.hosts.joined(separator: ","))" }.joined(separator: " vs ")
                logger.warning("the ranks compute with \(groups.count) different numerics (\(kinds)): training works, but results depend on which ranks ran where (--deterministic refuses this; `lgmcl-dist info` shows each rank)")
            }
        } else if world.isRoot, let only = groups.first, only.cpuModels.count > 1 {
            logger.info("numerics: \(only.cpuModels.count) CPU models (\(only.cpuModels.joined(separator: " / "))) compute the same canary \(only.canary)")
        }
        return reports
    }

    /// Why ranks of different lgmcl builds cannot train together, naming them; nil when they agree.
    static func differentBuilds(_ reports: [NumericEnvironment]) -> String? {
        var builds: [String: [Int]] = [:]
        for (rank, report) in reports.enumerated() { builds["\(report.lgmclVersion) \(report.gitCommit)", default: []].append(rank) }
        guard builds.count > 1 else { return nil }
        let lines = builds.sorted { $0.value[0] < $1.value[0] }.map { build, ranks in
            "  lgmcl \(build): \(ranks.count == 1 ? "rank" : "ranks") \(rankList(ranks)) on "
                + Array(Set(ranks.map { reports[$0].host })).sorted().joined(separator: ", ")
        }
        return """
            the ranks run different lgmcl builds:
            \(lines.joined(separator: "\n"))
            Install one build on every node (the same commit), then launch again.
            """
    }

    /// The refusal of `--deterministic`: who computes what, why it matters, and the fix.
    static func mismatchMessage(_ groups: [Group]) -> String {
        // "OpenBLAS Haswell (OPENBLAS_CORETYPE=Haswell)" → "Haswell": the groups above give the details.
        let kernels = groups.map { $0.kernels.map { $0.split(separator: " ")[1] }.joined(separator: "/") }
        let why = Set(kernels).count > 1
            ? "Their BLAS kernels (\(kernels.joined(separator: " vs "))) round differently"
            : "They run the same BLAS kernel, but their libm or kernels still round differently (CPUs: \(Set(groups.flatMap(\.cpuModels)).sorted().joined(separator: " / ")))"
        return """
            --deterministic needs every rank to compute the same bits, and these ranks do not:
            \(groups.map { "  " + $0.description }.joined(separator: "\n"))
            \(why), so the weights would differ from a run on one host and a resumed run would not be byte-identical.
            Fix: export one OPENBLAS_CORETYPE that every node's CPU can run (e.g. OPENBLAS_CORETYPE=Haswell, or \
            Sandybridge for CPUs without AVX2) before cluster/lgmcl-launch, which passes it to every rank \
            (plain mpirun: add -x OPENBLAS_CORETYPE); or run on nodes of one CPU type; or drop --deterministic.
            """
    }
}

extension Result {
    var failureDescription: String? {
        if case .failure(let error) = self { return "\(error)" }
        return nil
    }
}

/// "0-2, 5" for [0, 1, 2, 5].
func rankList(_ ranks: [Int]) -> String {
    var parts: [String] = []
    var i = 0
    while i < ranks.count {
        var j = i
        while j + 1 < ranks.count, ranks[j + 1] == ranks[j] + 1 { j += 1 }
        parts.append(j > i ? "\(ranks[i])-\(ranks[j])" : "\(ranks[i])")
        i = j + 1
    }
    return parts.joined(separator: ", ")
}
