/// A batch of molecular graphs packed for the graph encoders: atoms of all molecules
/// concatenated, edges in batch-global atom indices (both directions of every bond, as the data
/// store writes them), CSR offsets per molecule. Plain arrays, so the data store and tests fill it
/// directly.
public struct GraphInput: Sendable, Equatable {
    /// A × atomFeatureCount.
    public var atomFeatures: [Float]
    public var atomFeatureCount: Int
    /// E × 2: (source, target) batch atom indices; messages flow source → target.
    public var edgeIndex: [Int32]
    /// E × bondFeatureCount, the features of edge e.
    public var bondFeatures: [Float]
    public var bondFeatureCount: Int
    /// M + 1: molecule m owns atoms atomOffsets[m] ..< atomOffsets[m + 1].
    public var atomOffsets: [Int]
    /// Global (dataset) index of each molecule: the key of its dropout masks.
    public var moleculeIndices: [Int]

    public init(atomFeatures: [Float], atomFeatureCount: Int = 57, edgeIndex: [Int32], bondFeatures: [Float],
                bondFeatureCount: Int = 15, atomOffsets: [Int], moleculeIndices: [Int]? = nil) {
        precondition(atomFeatures.count == (atomOffsets.last ?? 0) * atomFeatureCount,
                     "GraphInput: \(atomFeatures.count) atom feature values for \(atomOffsets.last ?? 0) atoms")
        precondition(edgeIndex.count % 2 == 0 && bondFeatures.count == edgeIndex.count / 2 * bondFeatureCount,
                     "GraphInput: \(edgeIndex.count / 2) edges but \(bondFeatures.count) bond feature values")
        self.atomFeatures = atomFeatures
        self.atomFeatureCount = atomFeatureCount
        self.edgeIndex = edgeIndex
        self.bondFeatures = bondFeatures
        self.bondFeatureCount = bondFeatureCount
        self.atomOffsets = atomOffsets
        self.moleculeIndices = moleculeIndices ?? Array(0..<(atomOffsets.count - 1))
    }

    public var moleculeCount: Int { atomOffsets.count - 1 }
    public var atomCount: Int { atomOffsets.last ?? 0 }
    public var edgeCount: Int { edgeIndex.count / 2 }
    public func source(_ e: Int) -> Int { Int(edgeIndex[2 * e]) }
    public func target(_ e: Int) -> Int { Int(edgeIndex[2 * e + 1]) }

    /// The molecule (batch position) of every atom.
    public var atomMolecule: [Int] {
        var owner = [Int](repeating: 0, count: atomCount)
        for m in 0..<moleculeCount { for a in atomOffsets[m]..<atomOffsets[m + 1] { owner[a] = m } }
        return owner
    }
}

/// Token sequences padded to a common length L, with their masks (1 = token, 0 = padding).
public struct TokenInput: Sendable {
    public var ids: [Int32]
    public var mask: [Float]
    public var rows: Int
    public var length: Int
    /// Global (dataset) index of each row's molecule: the key of its dropout masks.
    public var moleculeIndices: [Int]

    public init(ids: [Int32], mask: [Float], rows: Int, length: Int, moleculeIndices: [Int]? = nil) {
        precondition(ids.count == rows * length && mask.count == rows * length,
                     "TokenInput: \(ids.count) ids and \(mask.count) mask values for \(rows) × \(length)")
        self.ids = ids
        self.mask = mask
        self.rows = rows
        self.length = length
        self.moleculeIndices = moleculeIndices ?? Array(0..<rows)
    }
}

/// Everything the model reads of a batch of molecules: the graphs, both texts and the
/// fingerprints (M × fusion.fingerprintFeatures), for the same molecules in the same order.
public struct ModelInputs: Sendable {
    public var graph: GraphInput
    public var smiles: TokenInput
    public var descriptions: TokenInput
    public var fingerprints: [Float]

    public init(graph: GraphInput, smiles: TokenInput, descriptions: TokenInput, fingerprints: [Float]) {
        self.graph = graph
        self.smiles = smiles
        self.descriptions = descriptions
        self.fingerprints = fingerprints
    }
}

extension LGMCLModel {
    /// Local and global graph vectors through the shared projection head (graph pretraining).
    public func graphEmbeddings(_ inputs: ModelInputs, _ stream: RandomStream? = nil) -> GraphEmbeddings<Scalar> {
        graphEmbeddings(inputs.graph, stream)
    }

    /// SMILES and description vectors through the shared encoder and head (text pretraining).
    public func textEmbeddings(_ inputs: ModelInputs, _ stream: RandomStream? = nil) -> TextEmbeddings<Scalar> {
        textEmbeddings(smiles: inputs.smiles, descriptions: inputs.descriptions, stream)
    }

    /// The fine-tuning model's outputs for the molecules of `inputs`.
    public func predictions(_ inputs: ModelInputs, _ stream: RandomStream? = nil) -> FusedOutputs<Scalar> {
        predictions(graph: inputs.graph, smiles: inputs.smiles, descriptions: inputs.descriptions,
                    fingerprints: inputs.fingerprints, stream)
    }
}
