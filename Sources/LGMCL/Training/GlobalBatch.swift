import Distributed

/// Collectives on the tape: the two places where the global batch crosses ranks inside a loss.
extension Tensor where Scalar: MPIScalar {
    /// The rows of every rank's `self`, concatenated in rank order (the global batch order: rank r
    /// holds the r-th share of each global batch).
    ///
    /// Backward: every rank's loss terms touch every gathered row, so the gradient of rank r's
    /// rows is the sum over ranks of their gradients for those rows — a reduce-scatter. Each
    /// rank then holds the full gradient of its own rows, and parameter gradients summed over
    /// ranks (allreduce) equal those of one rank holding the whole batch.
    public func allGatheredRows(_ world: Communicator) throws -> Tensor {
        precondition(rank == 2, "allGatheredRows takes a rows × features matrix, got shape \(shape)")
        let width = shape[1]
        let (values, counts) = try world.allgatherVariable(scalars)
        let total = values.count / Swift.max(width, 1)
        let storage = TensorStorage<Scalar>(values)
        return Tensor.result(shape: [total, width], storage: storage, inputs: [self]) { grad, sink in
            guard let dx = sink[0] else { return }
            do {
                let own = try world.reduceScatter(Array(grad), counts: counts)
                for i in 0 ..< own.count { dx[i] += own[i] }
            } catch {
                // Backward cannot throw; an MPI failure here is fatal for the whole job anyway.
                Job.fail(world, error)
            }
        }
    }
}

/// NT-Xent (SimCLR's normalized temperature-scaled cross-entropy) over the whole global batch,
/// as docs/design.md "Exact losses across ranks" writes it.
///
/// The global batch has M molecules with two views each: 2M unit vectors z. This rank scores its
/// own 2m anchors against all 2M candidates (gathered with gradient) and divides by the global
/// 2M: its share of L. Summing the shares over ranks gives L; summing parameter gradients over
/// ranks gives ∇L, exactly as one rank holding the whole batch.
///
/// - Parameters:
///   - a, b: this rank's m × d embeddings of the two views, row j being the molecule at position
///     (m·rank + j) of the global batch (ranks hold consecutive shares).
public func globalBatchNTXent<S: TensorScalar & MPIScalar>(
    _ a: Tensor<S>, _ b: Tensor<S>, temperature: S, world: Communicator
) throws -> Tensor<S> {
    precondition(a.shape == b.shape && a.rank == 2, "NT-Xent views must be two m × d matrices, got \(a.shape) and \(b.shape)")
    let m = a.shape[0]
    let counts = try world.allgather([m])
    let total = counts.reduce(0, +)
    let first = counts[..<world.rank].reduce(0, +)
    // Candidates: rows 0..<M are view a of the global batch's molecules, rows M..<2M view b.
    let candidates = concatenated([try a.allGatheredRows(world), try b.allGatheredRows(world)], axis: 0)
    let anchors = concatenated([a, b], axis: 0)
    let own = Array(first ..< first + m)
    return ntXentLoss(anchors: anchors, candidates: candidates,
                      selfIndex: own + own.map { $0 + total },
                      positiveIndex: own.map { $0 + total } + own,
                      temperature: temperature, normalizer: 2 * total)
}
