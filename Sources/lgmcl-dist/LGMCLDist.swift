import ArgumentParser
import Distributed
import LGMCL

@main
struct LGMCLDist: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "lgmcl-dist",
        abstract: "Local–Global Multimodal Contrastive Learning for molecular properties, data-parallel over MPI.",
        discussion: """
            Launch under MPI to train on many ranks, e.g.
              mpirun -np 4 lgmcl-dist info
            Started without mpirun, lgmcl-dist runs as a world of one rank.
            Set OPENBLAS_NUM_THREADS=1 when running one rank per core.
            """,
        version: LGMCLVersion.string,
        subcommands: [Info.self, Preprocess.self, Pretrain.self, Finetune.self, Benchmark.self, Split.self, Embed.self, Predict.self, Datasets.self]
    )

    static func main() {
        Allocator.keepFreedMemory()
        main(nil)
    }
}
