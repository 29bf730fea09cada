import ArgumentParser
import Distributed
import Foundation
import LGMCL

struct Info: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Print the versions of lgmcl and its native libraries, and one line per rank.",
        discussion: """
            Use it to check an installation and a launch: under `mpirun -np N` every rank prints
            its rank, the world size and its host, so a wrong hostfile or a Slurm launch without
            MPI wiring shows at once.
            """
    )

    func run() throws {
        Job.run { world in
            if world.isRoot {
                print("""
                    lgmcl     \(LGMCLVersion.string)
                    Open MPI  \(NativeLibraries.mpi)
                    HDF5      \(NativeLibraries.hdf5)
                    OpenBLAS  \(NativeLibraries.openBLAS) (threads: \(NativeLibraries.openBLASThreads))
                    RDKit     \(NativeLibraries.rdkit)
                    """)
            }
            // Ranks report in rank order, so the output reads the same on every launch.
            let line = "rank \(world.rank)/\(world.size) on \(Environment.processorName) (pid \(getpid()))"
            let lines = try world.allgather(string: line)
            if world.isRoot { lines.forEach { print($0) } }
        }
    }
}
