import CRDKit

/// The 15 bond features (docs/design.md, Features), in this order. docs/features.md holds the same table.
///
/// | slots | feature | encoding |
/// |---|---|---|
/// | 0 | reserved | always 0 |
/// | 1–4 | bond type single, double, triple, aromatic | one-hot |
/// | 5–6 | bond direction ENDUPRIGHT, ENDDOWNRIGHT (RDKit's `GetBondDir`) | one-hot |
/// | 7 | conjugated | 0/1 |
/// | 8 | in ring | 0/1 |
/// | 9–14 | stereo NONE, ANY, Z, E, CIS, TRANS (`GetStereo`) | one-hot |
///
/// The LGM-CL authors' featurizer compares the bond *type* with the direction enums, so their
/// slots 5–6 are always 0; lgmcl encodes the real directions (set on single bonds next to a
/// double bond with / or \ in the SMILES).
struct BondFeaturizer {
    static let count = 15

    static let types: [Int32] = [
        Int32(CRDKIT_BOND_SINGLE), Int32(CRDKIT_BOND_DOUBLE), Int32(CRDKIT_BOND_TRIPLE), Int32(CRDKIT_BOND_AROMATIC),
    ]
    static let directions: [Int32] = [Int32(CRDKIT_BOND_DIR_ENDUPRIGHT), Int32(CRDKIT_BOND_DIR_ENDDOWNRIGHT)]

    /// Writes `count` features of one bond into `row`, which must be zeroed.
    func encode(_ fact: crdkit_bond_facts, into row: UnsafeMutableBufferPointer<Float>) {
        if let type = Self.types.firstIndex(of: fact.bond_type) { row[1 + type] = 1 }
        if let direction = Self.directions.firstIndex(of: fact.direction) { row[5 + direction] = 1 }
        row[7] = Float(fact.is_conjugated)
        row[8] = Float(fact.in_ring)
        if (0...5).contains(fact.stereo) { row[9 + Int(fact.stereo)] = 1 }
    }
}
