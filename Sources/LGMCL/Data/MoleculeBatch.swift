/// One rank's share of a global batch, laid out for the models: one packed graph, padded token
/// matrices with attention masks, the fingerprint vectors and the labels with a presence mask.
///
/// Index arrays are Int32 (what gather/scatter kernels take); row-major throughout.
public struct MoleculeBatch: Sendable {
    /// Which global batch of the pass this is a share of.
    public let batchIndex: Int
    /// The molecules' indices in the dataset, in batch order: the keyed dropout and the
    /// contrastive losses identify molecules by them.
    public let moleculeIndices: [Int]
    public var count: Int { moleculeIndices.count }

    // Packed graph: the molecules' atoms concatenated, edges renumbered to batch atom indices.
    /// A × 57.
    public var atomFeatures: [Float]
    /// M + 1: molecule m owns atoms atomOffsets[m] ..< atomOffsets[m + 1].
    public var atomOffsets: [Int32]
    /// A: the batch position of each atom's molecule.
    public var atomMolecule: [Int32]
    /// E × 2, batch atom indices; both directions of every bond.
    public var edgeIndex: [Int32]
    /// M + 1: molecule m owns edges edgeOffsets[m] ..< edgeOffsets[m + 1].
    public var edgeOffsets: [Int32]
    /// E × 15.
    public var bondFeatures: [Float]
    public var atomCount: Int { atomMolecule.count }
    public var edgeCount: Int { edgeIndex.count / 2 }

    public var smilesTokens: TokenMatrix
    public var descriptionTokens: TokenMatrix

    /// M × 1489: MACCS (167) ‖ PubChem (881) ‖ ErG (441), as floats.
    public var fingerprints: [Float]

    public let taskCount: Int
    /// M × T; 0 where the label is missing.
    public var labels: [Float]
    /// M × T; 1 where a label is present, 0 where missing.
    public var labelMask: [Float]
}

/// Token sequences of a batch padded to the longest one (at most the configured maximum).
public struct TokenMatrix: Sendable, Equatable {
    public let rows: Int
    /// The padded length L.
    public let length: Int
    /// rows × L token ids, `paddingID` after each sequence's end.
    public var ids: [Int32]
    /// rows × L: 1 for tokens, 0 for padding.
    public var mask: [Float]
    /// Each sequence's unpadded length.
    public var lengths: [Int32]

    /// Pads `sequences` to the longest (capped at `maxLength`). A longer sequence keeps its first
    /// `maxLength − 1` tokens and its last one, so a closing [SEP] survives truncation.
    public init(_ sequences: [ArraySlice<Int32>], maxLength: Int, paddingID: Int32) {
        rows = sequences.count
        length = min(maxLength, sequences.map(\.count).max() ?? 0)
        ids = [Int32](repeating: paddingID, count: rows * length)
        mask = [Float](repeating: 0, count: rows * length)
        lengths = []
        lengths.reserveCapacity(rows)
        for (row, sequence) in sequences.enumerated() {
            let kept: [Int32] = sequence.count <= length || length == 0
                ? Array(sequence.prefix(length))
                : Array(sequence.prefix(length - 1)) + [sequence.last!]
            for (j, id) in kept.enumerated() {
                ids[row * length + j] = id
                mask[row * length + j] = 1
            }
            lengths.append(Int32(kept.count))
        }
    }
}

/// How batches are shaped: the token limits of the model's preset and the padding id.
public struct BatchOptions: Sendable, Equatable {
    public var maxSMILESTokens: Int
    public var maxDescriptionTokens: Int
    public var paddingID: Int32

    public init(maxSMILESTokens: Int, maxDescriptionTokens: Int, paddingID: Int32 = 0) {
        self.maxSMILESTokens = maxSMILESTokens
        self.maxDescriptionTokens = maxDescriptionTokens
        self.paddingID = paddingID
    }
}

extension MoleculeBatch {
    /// Assembles the batch of `molecules` (dataset indices) from blocks that hold them.
    ///
    /// Sizes are summed first and every array is allocated once at its final size: the reader
    /// thread's cost is mostly copying, and growing arrays copies twice.
    init(batchIndex: Int, molecules: [Int], taskCount: Int, options: BatchOptions, block: (Int) -> MoleculeBlock) {
        let atomWidth = DatasetSchema.atomFeatureCount, bondWidth = DatasetSchema.bondFeatureCount
        let maccsWidth = DatasetSchema.maccsCount, pubchemWidth = DatasetSchema.pubchemCount
        let ergWidth = DatasetSchema.ergCount, fingerprintWidth = DatasetSchema.fingerprintCount
        let blocks = molecules.map(block)
        var atomCount = 0, edgeCount = 0
        for (index, b) in zip(molecules, blocks) {
            let i = index - b.range.lowerBound
            atomCount += b.atomOffsets[i + 1] - b.atomOffsets[i]
            edgeCount += b.edgeOffsets[i + 1] - b.edgeOffsets[i]
        }
        var atomFeatures: [Float] = [], atomOffsets: [Int32] = [0], atomMolecule: [Int32] = []
        var edgeIndex: [Int32] = [], edgeOffsets: [Int32] = [0], bondFeatures: [Float] = []
        var labels: [Float] = [], labelMask: [Float] = []
        var smiles: [ArraySlice<Int32>] = [], descriptions: [ArraySlice<Int32>] = []
        atomFeatures.reserveCapacity(atomCount * atomWidth)
        atomOffsets.reserveCapacity(molecules.count + 1)
        atomMolecule.reserveCapacity(atomCount)
        edgeIndex.reserveCapacity(edgeCount * 2)
        edgeOffsets.reserveCapacity(molecules.count + 1)
        bondFeatures.reserveCapacity(edgeCount * bondWidth)
        labels.reserveCapacity(molecules.count * taskCount)
        labelMask.reserveCapacity(molecules.count * taskCount)
        smiles.reserveCapacity(molecules.count)
        descriptions.reserveCapacity(molecules.count)
        var fingerprints = [Float](repeating: 0, count: molecules.count * fingerprintWidth)

        fingerprints.withUnsafeMutableBufferPointer { out in
            for (position, (index, b)) in zip(molecules, blocks).enumerated() {
                let i = index - b.range.lowerBound
                let firstAtom = Int32(atomMolecule.count)
                let atoms = b.atomOffsets[i] ..< b.atomOffsets[i + 1]
                atomFeatures += b.atomFeatures[atoms.lowerBound * atomWidth ..< atoms.upperBound * atomWidth]
                atomMolecule += repeatElement(Int32(position), count: atoms.count)
                atomOffsets.append(Int32(atomMolecule.count))
                let edges = b.edgeOffsets[i] ..< b.edgeOffsets[i + 1]
                for e in edges.lowerBound * 2 ..< edges.upperBound * 2 { edgeIndex.append(b.edgeIndex[e] + firstAtom) }
                bondFeatures += b.bondFeatures[edges.lowerBound * bondWidth ..< edges.upperBound * bondWidth]
                edgeOffsets.append(Int32(edgeIndex.count / 2))

                var slot = position * fingerprintWidth
                b.maccs.withUnsafeBufferPointer { bits in
                    for j in i * maccsWidth ..< (i + 1) * maccsWidth { out[slot] = Float(bits[j]); slot += 1 }
                }
                b.pubchem.withUnsafeBufferPointer { bits in
                    for j in i * pubchemWidth ..< (i + 1) * pubchemWidth { out[slot] = Float(bits[j]); slot += 1 }
                }
                b.erg.withUnsafeBufferPointer { values in
                    for j in i * ergWidth ..< (i + 1) * ergWidth { out[slot] = values[j]; slot += 1 }
                }

                for value in b.labels[i * taskCount ..< (i + 1) * taskCount] {
                    labels.append(value.isNaN ? 0 : value)
                    labelMask.append(value.isNaN ? 0 : 1)
                }
                smiles.append(b.smilesTokens[b.smilesOffsets[i] ..< b.smilesOffsets[i + 1]])
                descriptions.append(b.descriptionTokens[b.descriptionOffsets[i] ..< b.descriptionOffsets[i + 1]])
            }
        }
        self.batchIndex = batchIndex
        self.moleculeIndices = molecules
        self.taskCount = taskCount
        self.atomFeatures = atomFeatures
        self.atomOffsets = atomOffsets
        self.atomMolecule = atomMolecule
        self.edgeIndex = edgeIndex
        self.edgeOffsets = edgeOffsets
        self.bondFeatures = bondFeatures
        self.fingerprints = fingerprints
        self.labels = labels
        self.labelMask = labelMask
        smilesTokens = TokenMatrix(smiles, maxLength: options.maxSMILESTokens, paddingID: options.paddingID)
        descriptionTokens = TokenMatrix(descriptions, maxLength: options.maxDescriptionTokens, paddingID: options.paddingID)
    }
}
