import ArgumentParser
import Distributed
import Foundation
import LGMCL

/// `lgmcl-dist benchmark reader`: how fast each rank's sharded reader delivers training batches.
struct BenchmarkReader: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "reader",
        abstract: "Read a dataset's training batches as pretraining would and report molecules/s per rank.",
        discussion: paragraphs("""
            The first epoch warms the page cache and is not timed; the following epochs are. The
            consumer does nothing with the batches, so the rate is the reader's ceiling; the
            reader thread's CPU time per step (reading blocks, assembling batches) is what it
            costs a training step (it runs beside it). On a shared machine the wall-clock rate
            mostly measures the other jobs; molecules per reader CPU-second does not.
            """)
    )

    @Option(help: "An lgmcl dataset (.h5).")
    var data: String

    @Option(help: "Global batch size (divided evenly across ranks).")
    var batchSize = 128

    @Option(help: "Timed epochs after the warm-up epoch.")
    var epochs = 1

    @Option(help: "Seed of the epoch order.")
    var seed: UInt64 = 0

    @Option(help: "Token limit of the SMILES and description matrices.")
    var maxTokens = 256

    @Flag(help: "End with one JSON line of the results.")
    var json = false

    func run() throws {
        Job.run { world in
            let dataset = try MoleculeDataset(path: data)
            let options = BatchOptions(maxSMILESTokens: maxTokens, maxDescriptionTokens: maxTokens)
            var molecules = 0, steps = 0
            var wall = 0.0, cost = ReaderCost()
            for epoch in 0 ... epochs {
                let plan = try ShardPlan.training(dataset.epochOrder(), seed: seed, epoch: epoch, globalBatchSize: batchSize,
                                                  rank: world.rank, rankCount: world.size)
                let start = Date()
                let reader = BatchReader(dataset: dataset, plan: plan, options: options)
                var count = 0
                while let batch = try reader.next() { count += batch.count }
                guard epoch > 0 else { continue }
                wall += Date().timeIntervalSince(start)
                cost.readSeconds += reader.readerCost.readSeconds
                cost.assembleSeconds += reader.readerCost.assembleSeconds
                molecules += count
                steps += plan.batchCount
            }
            let slowest = try world.allreduce(wall, op: .max)
            let rate = Double(molecules) / max(wall, 1e-9)
            let rates = try world.allgather([rate])
            let cpuRate = Double(molecules) / max(cost.total, 1e-9)
            let cpuRates = try world.allgather([cpuRate])
            guard world.isRoot else { return }
            let perStep = { (seconds: Double) in seconds / Double(max(steps, 1)) * 1000 }
            print("""
                benchmark reader: \(data), \(dataset.count) molecules, global batch \(batchSize) on \(world.size) rank\(world.size == 1 ? "" : "s")
                benchmark reader: \(String(format: "%.0f", rates.min() ?? 0)) molecules/s per rank (slowest rank; \
                \(String(format: "%.0f", Double(molecules * world.size) / max(slowest, 1e-9))) all ranks)
                benchmark reader: reader thread CPU \(String(format: "%.2f", perStep(cost.total))) ms per step of \
                \(batchSize / world.size) molecules (read \(String(format: "%.2f", perStep(cost.readSeconds))), \
                assemble \(String(format: "%.2f", perStep(cost.assembleSeconds)))), \
                \(String(format: "%.0f", cpuRates.min() ?? 0)) molecules per reader CPU-second (slowest rank)
                """)
            if json {
                print("{\"molecules_per_second_per_rank\": \(rates.min() ?? 0), \"ranks\": \(world.size), "
                    + "\"global_batch\": \(batchSize), \"reader_ms_per_step\": \(perStep(cost.total)), "
                    + "\"read_ms_per_step\": \(perStep(cost.readSeconds)), \"assemble_ms_per_step\": \(perStep(cost.assembleSeconds)), "
                    + "\"molecules_per_reader_cpu_second\": \(cpuRates.min() ?? 0), \"molecules\": \(dataset.count)}")
            }
        }
    }
}
