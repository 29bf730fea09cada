/// One molecule as a dataset stores it: everything `preprocess` computes from one input row.
public struct MoleculeRecord: Equatable, Sendable {
    /// Canonical RDKit SMILES.
    public var smiles: String
    /// 0-based data row (header excluded) of the input file.
    public var sourceRow: Int64
    public var atomCount: Int
    /// atomCount × 57, row-major.
    public var atomFeatures: [Float]
    /// E × 2 molecule-local atom indices, both directions of every bond.
    public var edgeIndex: [Int32]
    /// E × 15, row-major.
    public var bondFeatures: [Float]
    public var maccs: [UInt8]
    public var pubchem: [UInt8]
    public var erg: [Float]
    public var description: String
    public var smilesTokens: [Int32]
    public var descriptionTokens: [Int32]
    /// One value per task, NaN where the label is missing.
    public var labels: [Float]
    /// "train", "val" or "test" when the dataset carries a fixed split.
    public var split: String?
    /// The Bemis–Murcko scaffold (canonical SMILES, "" for an acyclic molecule): what scaffold
    /// splits group by. Nil for records that were not featurized from a molecule.
    public var scaffold: String?

    public init(
        smiles: String, sourceRow: Int64, atomCount: Int, atomFeatures: [Float], edgeIndex: [Int32],
        bondFeatures: [Float], maccs: [UInt8], pubchem: [UInt8], erg: [Float], description: String,
        smilesTokens: [Int32], descriptionTokens: [Int32], labels: [Float], split: String? = nil,
        scaffold: String? = nil
    ) {
        self.smiles = smiles
        self.sourceRow = sourceRow
        self.atomCount = atomCount
        self.atomFeatures = atomFeatures
        self.edgeIndex = edgeIndex
        self.bondFeatures = bondFeatures
        self.maccs = maccs
        self.pubchem = pubchem
        self.erg = erg
        self.description = description
        self.smilesTokens = smilesTokens
        self.descriptionTokens = descriptionTokens
        self.labels = labels
        self.split = split
        self.scaffold = scaffold
    }

    public var edgeCount: Int { edgeIndex.count / 2 }

    /// Equality that treats NaN labels (missing) as equal to each other.
    public static func == (a: MoleculeRecord, b: MoleculeRecord) -> Bool {
        a.smiles == b.smiles && a.sourceRow == b.sourceRow && a.atomCount == b.atomCount
            && a.atomFeatures == b.atomFeatures && a.edgeIndex == b.edgeIndex && a.bondFeatures == b.bondFeatures
            && a.maccs == b.maccs && a.pubchem == b.pubchem && a.erg == b.erg && a.description == b.description
            && a.smilesTokens == b.smilesTokens && a.descriptionTokens == b.descriptionTokens
            && a.labels.count == b.labels.count
            && zip(a.labels, b.labels).allSatisfy { $0 == $1 || ($0.isNaN && $1.isNaN) }
            && a.split == b.split && a.scaffold == b.scaffold
    }
}
