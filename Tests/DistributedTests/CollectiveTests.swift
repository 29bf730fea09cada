import Testing
import TestSupport

/// Collectives under real Open MPI, on 1, 2 and 3 ranks (more ranks than cores: oversubscribed).
@Suite(.serialized)
struct CollectiveTests {
    @Test(arguments: ["allreduce", "gather", "broadcast", "split", "nonblocking", "buckets"], [1, 2, 3])
    func collective(name: String, ranks: Int) throws {
        let result = try mpirun(ranks, "mpi-checks", [name], timeout: 60)
        #expect(!result.timedOut, "mpirun -np \(ranks) mpi-checks \(name) timed out")
        #expect(result.status == 0, "exit \(result.status):\n\(result.output)")
        #expect(result.stdout.contains("PASS \(name) on \(ranks) ranks"), "\(result.output)")
    }

    /// One rank throwing ends the whole job promptly, with the thrower's own message.
    @Test func errorOnOneRankEndsTheJob() throws {
        let result = try mpirun(3, "mpi-checks", ["throw"], timeout: 60)
        #expect(!result.timedOut, "the job hung after one rank threw")
        #expect(result.status != 0)
        #expect(result.seconds < 30, "took \(result.seconds) s to end")
        #expect(result.stderr.contains("rank 2/3"), "\(result.output)")
        #expect(result.stderr.contains("deliberate failure on rank 2"), "\(result.output)")
    }
}

/// lgmcl-dist's own start-up checks.
struct LaunchTests {
    @Test func infoWithoutMPIRun() throws {
        let result = try run(productPath("lgmcl-dist"), ["info"], timeout: 60)
        #expect(result.status == 0, "\(result.output)")
        for library in ["Open MPI", "HDF5", "OpenBLAS", "RDKit", "rank 0/1"] {
            #expect(result.stdout.contains(library), "\(result.stdout)")
        }
    }

    @Test func infoUnderMPIRunPrintsEveryRank() throws {
        let result = try mpirun(3, "lgmcl-dist", ["info"], timeout: 60)
        #expect(result.status == 0, "\(result.output)")
        for rank in 0 ..< 3 { #expect(result.stdout.contains("rank \(rank)/3 on "), "\(result.stdout)") }
    }

    /// Slurm tasks started without MPI wiring would each train alone; lgmcl refuses.
    @Test func slurmSingletonTrap() throws {
        let result = try run(productPath("lgmcl-dist"), ["info"], environment: ["SLURM_NTASKS": "4"], timeout: 60)
        #expect(result.status != 0)
        #expect(result.stderr.contains("SLURM_NTASKS=4"), "\(result.stderr)")
        #expect(result.stderr.contains("srun --mpi=pmix"), "\(result.stderr)")
    }
}
