import ArgumentParser

struct Benchmark: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Measure lgmcl's parts on this machine.",
        subcommands: [BenchmarkFeaturize.self, BenchmarkOps.self, BenchmarkReader.self, BenchmarkAllreduce.self, BenchmarkMoleculeNet.self,
                      BenchmarkThroughput.self]
    )
}
