/// A contiguous range of a dataset's molecules in memory, structure-of-arrays as in the file;
/// offsets are rebased to the block.
public struct MoleculeBlock: Sendable {
    public let range: Range<Int>
    public let taskCount: Int
    public var atomOffsets: [Int]
    public var atomFeatures: [Float]
    public var edgeOffsets: [Int]
    public var edgeIndex: [Int32]
    public var bondFeatures: [Float]
    public var maccs: [UInt8]
    public var pubchem: [UInt8]
    public var erg: [Float]
    public var smilesOffsets: [Int]
    public var smilesTokens: [Int32]
    public var descriptionOffsets: [Int]
    public var descriptionTokens: [Int32]
    public var labels: [Float]
    /// The strings, only when the block was read with `includeText`.
    public var smiles: [String]?
    public var descriptions: [String]?
    public var sourceRows: [Int64]?
    public var splits: [String]?
    public var scaffolds: [String]?

    public var count: Int { range.count }

    /// The molecule at `index` (an index of the whole dataset, inside `range`).
    public func record(at index: Int) -> MoleculeRecord {
        let i = index - range.lowerBound
        precondition(range.contains(index), "molecule \(index) is not in block \(range)")
        let atoms = atomOffsets[i] ..< atomOffsets[i + 1]
        let edges = edgeOffsets[i] ..< edgeOffsets[i + 1]
        let atomWidth = DatasetSchema.atomFeatureCount, bondWidth = DatasetSchema.bondFeatureCount
        return MoleculeRecord(
            smiles: smiles?[i] ?? "",
            sourceRow: sourceRows?[i] ?? -1,
            atomCount: atoms.count,
            atomFeatures: Array(atomFeatures[atoms.lowerBound * atomWidth ..< atoms.upperBound * atomWidth]),
            edgeIndex: Array(edgeIndex[edges.lowerBound * 2 ..< edges.upperBound * 2]),
            bondFeatures: Array(bondFeatures[edges.lowerBound * bondWidth ..< edges.upperBound * bondWidth]),
            maccs: Array(maccs[i * DatasetSchema.maccsCount ..< (i + 1) * DatasetSchema.maccsCount]),
            pubchem: Array(pubchem[i * DatasetSchema.pubchemCount ..< (i + 1) * DatasetSchema.pubchemCount]),
            erg: Array(erg[i * DatasetSchema.ergCount ..< (i + 1) * DatasetSchema.ergCount]),
            description: descriptions?[i] ?? "",
            smilesTokens: Array(smilesTokens[smilesOffsets[i] ..< smilesOffsets[i + 1]]),
            descriptionTokens: Array(descriptionTokens[descriptionOffsets[i] ..< descriptionOffsets[i + 1]]),
            labels: Array(labels[i * taskCount ..< (i + 1) * taskCount]),
            split: splits?[i],
            scaffold: scaffolds?[i])
    }
}
