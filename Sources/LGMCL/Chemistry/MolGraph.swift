/// A molecule as the graph encoders read it: atoms as nodes, every bond as two directed edges
/// (bond k gives edge 2k = (begin, end) and edge 2k+1 = (end, begin), same features).
/// Row-major flat arrays; atom indices are RDKit's, local to the molecule.
public struct MolGraph: Sendable, Equatable {
    public static let atomFeatureCount = AtomFeaturizer.count
    public static let bondFeatureCount = BondFeaturizer.count

    public var atomCount: Int
    /// atomCount × 57, see docs/features.md.
    public var atomFeatures: [Float]
    /// edgeCount × 2: (source, target).
    public var edgeIndex: [Int32]
    /// edgeCount × 15, see docs/features.md.
    public var bondFeatures: [Float]

    public var edgeCount: Int { edgeIndex.count / 2 }

    public init(_ molecule: Molecule) {
        atomCount = molecule.atomCount
        atomFeatures = [Float](unsafeUninitializedCapacity: atomCount * Self.atomFeatureCount) { buffer, initialized in
            buffer.initialize(repeating: 0)
            AtomFeaturizer().encode(molecule, into: buffer)
            initialized = buffer.count
        }

        let bonds = BondFeaturizer()
        let facts = molecule.bondFacts
        edgeIndex = []
        edgeIndex.reserveCapacity(4 * facts.count)
        for fact in facts {
            edgeIndex += [fact.begin_atom, fact.end_atom, fact.end_atom, fact.begin_atom]
        }
        bondFeatures = [Float](unsafeUninitializedCapacity: 2 * facts.count * Self.bondFeatureCount) { buffer, initialized in
            buffer.initialize(repeating: 0)
            let width = Self.bondFeatureCount
            for (bond, fact) in facts.enumerated() {
                let forward = UnsafeMutableBufferPointer(rebasing: buffer[(2 * bond * width)..<((2 * bond + 1) * width)])
                bonds.encode(fact, into: forward)
                let backward = UnsafeMutableBufferPointer(rebasing: buffer[((2 * bond + 1) * width)..<((2 * bond + 2) * width)])
                _ = backward.initialize(fromContentsOf: forward)
            }
            initialized = buffer.count
        }
    }
}
