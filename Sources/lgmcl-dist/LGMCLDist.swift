import ArgumentParser
import Distributed
import Foundation
import LGMCL

@main
struct LGMCLDist: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "lgmcl-dist",
        abstract: "Local–Global Multimodal Contrastive Learning for molecular properties, data-parallel over MPI.",
        discussion: paragraphs("""
            Launch under MPI to train on many ranks, e.g.
              mpirun -np 4 lgmcl-dist info
            Started without mpirun, lgmcl-dist runs as a world of one rank.
            Set OPENBLAS_NUM_THREADS=1 when running one rank per core.
            """),
        version: LGMCLVersion.string,
        subcommands: [Info.self, Preprocess.self, Pretrain.self, Finetune.self, Hpopt.self, Benchmark.self, Split.self, Embed.self, Predict.self, Explain.self, Datasets.self]
    )

    static func main() {
        Allocator.keepFreedMemory()
        do {
            var command = try parseAsRoot()
            try command.run()
        } catch {
            // Flags and paths are checked while parsing, before MPI starts, so every process of
            // an mpirun or srun job usually finds the same error. The first rank says it at once
            // and its exit ends the job; the others wait to be ended with it, and speak only if
            // they are not, which is when the error is theirs alone (a path missing on one node).
            if let rank = launcherRank, rank != 0 { Thread.sleep(forTimeInterval: 5) }
            exit(withError: error)
        }
    }

    /// This process's rank as its launcher announces it (Open MPI, PMIx, PMI, Slurm), read before
    /// MPI is initialised; nil when started without a launcher.
    static var launcherRank: Int? {
        let environment = ProcessInfo.processInfo.environment
        return ["OMPI_COMM_WORLD_RANK", "PMIX_RANK", "PMI_RANK", "SLURM_PROCID"].lazy.compactMap { environment[$0].flatMap { Int($0) } }.first
    }

    /// The number of ranks the launcher started, read before MPI is initialised: 1 without a
    /// launcher, nil when the launcher does not say (PMIx alone).
    static var launcherSize: Int? {
        let environment = ProcessInfo.processInfo.environment
        guard launcherRank != nil else { return 1 }
        return ["OMPI_COMM_WORLD_SIZE", "PMI_SIZE", "SLURM_NTASKS"].lazy.compactMap { environment[$0].flatMap { Int($0) } }.first
    }
}
