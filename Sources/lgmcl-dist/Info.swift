import ArgumentParser
import Distributed
import Foundation
import LGMCL

struct Info: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Print the versions of lgmcl and its native libraries, and one line per rank.",
        discussion: paragraphs("""
            Use it to check an installation and a launch: under `mpirun -np N` every rank prints
            its rank, the world size and its host, so a wrong hostfile or a Slurm launch without
            MPI wiring shows at once. With --preset, also the parameter counts per component of
            that model preset.

            Each rank also reports what decides the bits it computes: the OpenBLAS kernel it runs
            (and OPENBLAS_CORETYPE when set), its BLAS threads, a numeric canary (hashes of fixed
            sgemm products and of the model's pointwise functions: exp, log, tanh, erf, …), its
            CPU model and the lgmcl build. Ranks with different canaries train correctly but not
            bit-identically to one host: pretrain and finetune refuse --deterministic then, and
            always refuse ranks that run different lgmcl builds (docs/cluster.md).
            """)
    )

    @Option(help: "A model preset (tiny, small, paper) whose parameter counts per component to print.")
    var preset: Preset?

    func run() throws {
        Job.run { world in
            if world.isRoot {
                print("""
                    lgmcl     \(LGMCLVersion.string)
                    Open MPI  \(Environment.libraryVersion)
                    HDF5      \(HDF5.version)
                    OpenBLAS  \(OpenBLAS.configuration) (threads: \(OpenBLAS.threadCount))
                    RDKit     \(RDKit.version)
                    """)
                if let preset { print(Self.parameterTable(preset)) }
            }
            // Ranks report in rank order, so the output reads the same on every launch. A rank
            // whose report fails (a kernel its CPU cannot run) still prints why.
            let reports = try NumericEnvironment.gather(across: world)
            let numerics: String
            switch reports[world.rank] {
            case .success(let report): numerics = report.summary
            case .failure(let error): numerics = "error: \(error)"
            }
            let line = "rank \(world.rank)/\(world.size) on \(Environment.processorName) (pid \(getpid())): \(numerics)"
            let lines = try world.allgather(string: line)
            if world.isRoot {
                lines.forEach { print($0) }
                let groups = NumericEnvironment.groups(reports.compactMap { try? $0.get() })
                if groups.count > 1 {
                    print("numerics differ across ranks (--deterministic would refuse):\n" + groups.map { "  " + $0.description }.joined(separator: "\n"))
                }
            }
        }
    }

    /// One line per component of the preset's model (text embeddings at the preset's default
    /// vocabulary size; the real one comes from the data).
    static func parameterTable(_ preset: Preset) -> String {
        let configuration = preset.configuration
        let counts = LGMCLModel<Float>(configuration).parameterCounts
        let width = counts.map(\.component.count).max() ?? 0
        var lines = ["model preset \(preset.rawValue): parameters per component (vocabulary \(configuration.text.vocabularySize))"]
        for (component, count) in counts {
            lines.append("  " + component.padding(toLength: width, withPad: " ", startingAt: 0) + "  "
                         + String(repeating: " ", count: max(0, 12 - grouped(count).count)) + grouped(count))
        }
        let total = counts.reduce(0) { $0 + $1.count }
        lines.append("  " + "total".padding(toLength: width, withPad: " ", startingAt: 0) + "  "
                     + String(repeating: " ", count: max(0, 12 - grouped(total).count)) + grouped(total))
        return lines.joined(separator: "\n")
    }

    private static func grouped(_ n: Int) -> String {
        let digits = Array(String(n))
        return String(digits.enumerated().flatMap { i, c in (i > 0 && (digits.count - i) % 3 == 0) ? [",", c] : [c] })
    }
}

extension Preset: ExpressibleByArgument {}
