/// The named ring types and functional groups that descriptions mention, as SMARTS. A motif's
/// count is the number of unique RDKit substructure matches (Python's
/// `len(mol.GetSubstructMatches(query))`). docs/features.md lists the same table, and
/// scripts/make_chemistry_fixtures.py counts it independently for the tests.
struct StructuralMotif: Sendable {
    enum Kind: Sendable { case ring, functionalGroup }

    let name: String
    let kind: Kind
    /// Alternatives whose counts add up (disjoint by construction).
    let patterns: [SubstructurePattern]

    init(_ name: String, _ kind: Kind, _ smarts: String...) {
        self.name = name
        self.kind = kind
        patterns = smarts.map(SubstructurePattern.init)
    }

    func count(in molecule: Molecule) -> Int {
        patterns.reduce(0) { $0 + $1.matchCount(in: molecule) }
    }

    static let all: [StructuralMotif] = [
        // Aromatic rings (aromatic `n` also matches [nH] and substituted ring nitrogens).
        .init("benzene", .ring, "c1ccccc1"),
        .init("pyridine", .ring, "n1ccccc1"),
        .init("pyrimidine", .ring, "n1cnccc1"),
        .init("pyrazine", .ring, "n1ccncc1"),
        .init("pyrrole", .ring, "n1cccc1"),
        .init("imidazole", .ring, "n1cncc1"),
        .init("pyrazole", .ring, "n1nccc1"),
        .init("triazole", .ring, "n1nncc1", "n1cnnc1"),
        .init("tetrazole", .ring, "n1nnnc1"),
        .init("furan", .ring, "o1cccc1"),
        .init("thiophene", .ring, "s1cccc1"),
        .init("oxazole", .ring, "o1cncc1"),
        .init("thiazole", .ring, "s1cncc1"),
        // Aliphatic rings (single bonds between aliphatic atoms).
        .init("cyclopropane", .ring, "C1CC1"),
        .init("cyclobutane", .ring, "C1CCC1"),
        .init("cyclopentane", .ring, "C1CCCC1"),
        .init("cyclohexane", .ring, "C1CCCCC1"),
        .init("pyrrolidine", .ring, "N1CCCC1"),
        .init("piperidine", .ring, "N1CCCCC1"),
        .init("piperazine", .ring, "N1CCNCC1"),
        .init("morpholine", .ring, "N1CCOCC1"),
        .init("tetrahydrofuran", .ring, "O1CCCC1"),
        .init("tetrahydropyran", .ring, "O1CCCCC1"),
        .init("lactam", .ring, "[NX3;R][CX3;R](=O)"),
        .init("lactone", .ring, "[OX2;R][CX3;R](=O)"),
        // Functional groups.
        .init("carboxylic acid", .functionalGroup, "[CX3](=O)[OX2H1]"),
        .init("carboxylate", .functionalGroup, "[CX3](=O)[OX1-]"),
        .init("ester", .functionalGroup, "[#6][CX3](=O)[OX2H0][#6]"),
        .init("amide", .functionalGroup, "[NX3][CX3](=[OX1])[#6]"),
        .init("urea", .functionalGroup, "[NX3][CX3](=[OX1])[NX3]"),
        .init("carbamate", .functionalGroup, "[#7][CX3](=[OX1])[OX2H0][#6]"),
        .init("primary amine", .functionalGroup, "[NX3;H2;+0;!$(N[C,S,P]=[O,S,N])][#6]"),
        .init("secondary amine", .functionalGroup, "[NX3;H1;+0;!$(N[C,S,P]=[O,S,N])]([#6])[#6]"),
        .init("tertiary amine", .functionalGroup, "[NX3;H0;+0;!$(N[C,S,P]=[O,S,N]);!$(N-[#7,#8])]([#6])([#6])[#6]"),
        .init("ammonium", .functionalGroup, "[NX4+]"),
        .init("alcohol", .functionalGroup, "[CX4][OX2H]"),
        .init("phenol", .functionalGroup, "c[OX2H]"),
        .init("ether", .functionalGroup, "[OD2;!R]([#6;!$(C=[O,S,N])])[#6;!$(C=[O,S,N])]"),
        .init("aldehyde", .functionalGroup, "[CX3H1](=O)[#6]"),
        .init("ketone", .functionalGroup, "[#6][CX3](=O)[#6]"),
        .init("imine", .functionalGroup, "[CX3]=[NX2;!R][#6,#1]"),
        .init("nitrile", .functionalGroup, "[CX2]#[NX1]"),
        .init("nitro", .functionalGroup, "[NX3+](=O)[O-]"),
        .init("sulfonamide", .functionalGroup, "[SX4](=O)(=O)[NX3]"),
        .init("sulfone", .functionalGroup, "[#6][SX4](=O)(=O)[#6]"),
        .init("sulfoxide", .functionalGroup, "[#6][SX3](=O)[#6]"),
        .init("thiol", .functionalGroup, "[SX2H]"),
        .init("thioether", .functionalGroup, "[SX2H0;!R]([#6])[#6]"),
        .init("phosphate", .functionalGroup, "[PX4](=O)([OX2])([OX2])[OX2]"),
        .init("alkene", .functionalGroup, "[CX3;!R]=[CX3]"),
        .init("alkyne", .functionalGroup, "[CX2]#[CX2]"),
        .init("fluorine", .functionalGroup, "[F]"),
        .init("chlorine", .functionalGroup, "[Cl]"),
        .init("bromine", .functionalGroup, "[Br]"),
        .init("iodine", .functionalGroup, "[I]"),
    ]
}
