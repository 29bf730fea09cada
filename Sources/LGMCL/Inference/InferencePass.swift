import Distributed
import Foundation

/// One pass over every molecule of a dataset in file order, split across the ranks: global batch
/// k is molecules k·B ..< (k+1)·B, each rank computes a fixed number of values per molecule of its
/// contiguous share, and the shares are gathered in rank order, so rank 0 receives the values of
/// all molecules in file order whatever the rank count.
public struct InferencePass {
    public let dataset: MoleculeDataset
    public let options: BatchOptions
    /// Molecules per global batch (divided evenly across the ranks).
    public let globalBatchSize: Int

    public init(dataset: MoleculeDataset, options: BatchOptions, globalBatchSize: Int) {
        self.dataset = dataset
        self.options = options
        self.globalBatchSize = globalBatchSize
    }

    /// - Parameter compute: `width` values per molecule of a batch, row-major (batch.count × width).
    /// - Returns: on rank 0, dataset.count × width values; nil on the other ranks.
    public func run(world: Communicator, width: Int, _ compute: (MoleculeBatch) throws -> [Float]) throws -> [Float]? {
        let plan = try ShardPlan.sequential(Array(0 ..< dataset.count), globalBatchSize: globalBatchSize,
                                            rank: world.rank, rankCount: world.size)
        let reader = BatchReader(dataset: dataset, plan: plan, options: options)
        var gathered: [Float] = []
        if world.isRoot { gathered.reserveCapacity(dataset.count * width) }
        for _ in 0 ..< plan.batchCount {
            guard let batch = try reader.next() else {
                throw InferenceError(description: "\(dataset.path): the batch reader ended before the pass did")
            }
            // A rank's share of the last, incomplete batch may be empty.
            let values = batch.count == 0 ? [] : try Tape.withoutGradients { try compute(batch) }
            precondition(values.count == batch.count * width, "InferencePass: \(values.count) values for \(batch.count) molecules × \(width)")
            let all = try world.allgatherVariable(values).values
            if world.isRoot { gathered += all }
        }
        return world.isRoot ? gathered : nil
    }
}
