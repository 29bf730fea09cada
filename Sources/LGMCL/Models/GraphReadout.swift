/// How a graph encoder turns its atom vectors into one molecule vector.
public enum GraphReadout: String, Codable, Sendable, CaseIterable {
    /// The authors': the mean over the molecule's atoms. Two molecules that repeat the same
    /// environments in different numbers (PCB congeners, longer alkyl chains) get the same vector.
    case mean
    /// chemprop's default aggregation (`NormAggregation`): the sum over the atoms divided by 100,
    /// so the vector counts environments while staying near the mean's scale for drug-sized molecules.
    case norm

    /// The molecule vectors (M × width) of `atoms` (A × width), molecule m being rows
    /// offsets[m] ..< offsets[m + 1].
    func callAsFunction<Scalar: TensorScalar>(_ atoms: Tensor<Scalar>, offsets: [Int]) -> Tensor<Scalar> {
        switch self {
        case .mean: atoms.segmentMean(offsets: offsets)
        case .norm: atoms.segmentSum(offsets: offsets) * Scalar(0.01)
        }
    }
}
