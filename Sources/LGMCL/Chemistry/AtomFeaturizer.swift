import CRDKit

/// The 57 atom features (docs/design.md, Features), in this order ("one-hot" leaves values outside the list
/// all zero; "one-hot+other" puts them in the last slot). docs/features.md holds the same table.
///
/// | slots | feature | encoding |
/// |---|---|---|
/// | 0–15 | symbol B, C, N, O, F, Si, P, S, Cl, As, Se, Br, Te, I, At, other | one-hot+other |
/// | 16–21 | degree 0–5 (`GetDegree`) | one-hot |
/// | 22 | formal charge | raw value |
/// | 23 | radical electrons | raw value |
/// | 24–29 | hybridization SP, SP2, SP3, SP3D, SP3D2, other | one-hot+other |
/// | 30 | aromatic | 0/1 |
/// | 31–35 | total H 0–4 (`GetTotalNumHs`) | one-hot+other (≥ 4 → 4) |
/// | 36 | in any ring | 0/1 |
/// | 37–40 | in a ring of size 3, 4, 5, 6 | 0/1 each |
/// | 41–44 | chiral tag 0–3 | one-hot |
/// | 45 | mass × 0.01 (`GetMass`) | raw value |
/// | 46–52 | implicit valence 0–6 | one-hot |
/// | 53–56 | H-bond acceptor, donor, acidic, basic (atom in a match of ``pharmacophores``) | 0/1 each |
struct AtomFeaturizer {
    static let count = 57

    /// Atomic numbers of B, C, N, O, F, Si, P, S, Cl, As, Se, Br, Te, I, At.
    static let elements: [Int32] = [5, 6, 7, 8, 9, 14, 15, 16, 17, 33, 34, 35, 52, 53, 85]

    static let hybridizations: [Int32] = [
        Int32(CRDKIT_HYBRIDIZATION_SP), Int32(CRDKIT_HYBRIDIZATION_SP2), Int32(CRDKIT_HYBRIDIZATION_SP3),
        Int32(CRDKIT_HYBRIDIZATION_SP3D), Int32(CRDKIT_HYBRIDIZATION_SP3D2),
    ]

    /// Acceptor, donor, acidic, basic: the SMARTS in docs/features.md (docs/design.md, Features; the pharmacophore definitions
    /// used by the LGM-CL authors' featurizer).
    static let pharmacophores: [SubstructurePattern] = [
        "[$([O,S;H1;v2;!$(*-*=[O,N,P,S])]),$([O,S;H0;v2]),$([O,S;-]),$([N;v3;!$(N-*=[O,N,P,S])]),n&H0&+0,$([o,s;+0;!$([o,s]:n);!$([o,s]:c:n)])]",
        "[$([N;!H0;v3,v4&+1]),$([O,S;H1;+0]),n&H1&+0]",
        "[$([C,S](=[O,S,P])-[O;H1,-1])]",
        "[#7;+,$([N;H2&+0][$([C,a]);!$([C,a](=O))]),$([N;H1&+0]([$([C,a]);!$([C,a](=O))])[$([C,a]);!$([C,a](=O))]),$([N;H0&+0]([C;!$(C(=O))])([C;!$(C(=O))])[C;!$(C(=O))])]",
    ].map(SubstructurePattern.init)

    /// Writes `count` features per atom into `features` (atom-major), which must be zeroed.
    func encode(_ molecule: Molecule, into features: UnsafeMutableBufferPointer<Float>) {
        let atoms = molecule.atomCount
        let facts = molecule.atomFacts

        var roles = [[UInt8]](repeating: [UInt8](repeating: 0, count: atoms), count: 4)
        for (role, pattern) in Self.pharmacophores.enumerated() {
            pattern.markMatches(in: molecule, flags: &roles[role])
        }

        for (atom, fact) in facts.enumerated() {
            let row = UnsafeMutableBufferPointer(rebasing: features[(atom * Self.count)..<((atom + 1) * Self.count)])
            row[Self.elements.firstIndex(of: fact.atomic_number) ?? 15] = 1
            if (0...5).contains(fact.degree) { row[16 + Int(fact.degree)] = 1 }
            row[22] = Float(fact.formal_charge)
            row[23] = Float(fact.radical_electrons)
            row[24 + (Self.hybridizations.firstIndex(of: fact.hybridization) ?? 5)] = 1
            row[30] = Float(fact.is_aromatic)
            row[31 + min(Int(fact.total_hs), 4)] = 1
            row[36] = Float(fact.in_ring)
            for (slot, size) in (3...6).enumerated() where fact.ring_sizes & (1 << size) != 0 {
                row[37 + slot] = 1
            }
            if (0...3).contains(fact.chiral_tag) { row[41 + Int(fact.chiral_tag)] = 1 }
            row[45] = Float(fact.mass * 0.01)
            if (0...6).contains(fact.implicit_valence) { row[46 + Int(fact.implicit_valence)] = 1 }
            for role in 0..<4 { row[53 + role] = Float(roles[role][atom]) }
        }
    }
}
