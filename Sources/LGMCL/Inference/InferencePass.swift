import Distributed
import Foundation

/// One forward pass over molecules of a dataset (all of them in file order, or the ones given in
/// the order given), split across the ranks: global batch k is molecules k·B ..< (k+1)·B of that
/// list, each rank computes a fixed number of values per molecule of its contiguous share, and the
/// shares are gathered in rank order, so the values come back in the list's order whatever the
/// rank count. Prediction, embedding, fine-tuning's evaluation and pretraining's retrieval check
/// are all such passes.
public struct InferencePass {
    public let dataset: MoleculeDataset
    public let options: BatchOptions
    /// Molecules per global batch (divided evenly across the ranks).
    public let globalBatchSize: Int
    /// Dataset indices of the molecules visited, in the order of the values returned.
    public let molecules: [Int]

    public init(dataset: MoleculeDataset, options: BatchOptions, globalBatchSize: Int, molecules: [Int]? = nil) {
        self.dataset = dataset
        self.options = options
        self.globalBatchSize = globalBatchSize
        self.molecules = molecules ?? Array(0 ..< dataset.count)
    }

    /// - Parameter compute: `width` values per molecule of a batch, row-major (batch.count × width).
    /// - Returns: on rank 0, molecules.count × width values; nil on the other ranks.
    public func run<Value: MPIScalar>(world: Communicator, width: Int,
                                      _ compute: (MoleculeBatch) throws -> [Value]) throws -> [Value]? {
        let values = try pass(world: world, width: width, keep: world.isRoot, compute)
        return world.isRoot ? values : nil
    }

    /// As `run`, with the values on every rank (for decisions all ranks must take alike).
    public func runOnEveryRank<Value: MPIScalar>(world: Communicator, width: Int,
                                                 _ compute: (MoleculeBatch) throws -> [Value]) throws -> [Value] {
        try pass(world: world, width: width, keep: true, compute)
    }

    private func pass<Value: MPIScalar>(world: Communicator, width: Int, keep: Bool,
                                        _ compute: (MoleculeBatch) throws -> [Value]) throws -> [Value] {
        let plan = try ShardPlan.sequential(molecules, globalBatchSize: globalBatchSize, rank: world.rank, rankCount: world.size)
        let reader = BatchReader(dataset: dataset, plan: plan, options: options)
        var gathered: [Value] = []
        if keep { gathered.reserveCapacity(molecules.count * width) }
        for _ in 0 ..< plan.batchCount {
            guard let batch = try reader.next() else {
                throw InferenceError(description: "\(dataset.path): the batch reader ended before the pass did")
            }
            // A rank's share of the last, incomplete batch may be empty.
            let values = batch.count == 0 ? [] : try Tape.withoutGradients { try compute(batch) }
            precondition(values.count == batch.count * width, "InferencePass: \(values.count) values for \(batch.count) molecules × \(width)")
            let all = try world.allgatherVariable(values).values
            if keep { gathered += all }
        }
        return gathered
    }
}
