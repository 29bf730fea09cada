import Testing

/// Small molecules whose bits follow from the specification by hand. Each case lists every set
/// bit of one section, so a bit set too many fails as surely as one missing.
@Suite struct PubChemSectionTests {
    struct Case: CustomTestStringConvertible, Sendable {
        let smiles: String
        let section: Int  // 1…7, as in the specification
        let bits: [Int]
        let why: String
        var testDescription: String { "\(smiles), section \(section)" }
    }

    static let cases: [Case] = [
        // Section 1: element counts, hydrogens included.
        Case(smiles: "CCO", section: 1, bits: [0, 9, 18], why: "6 H (>= 4), 2 C (>= 2), 1 O (>= 1)"),
        Case(smiles: "ClC(Cl)(Cl)Cl", section: 1, bits: [37, 38, 39], why: "4 Cl; one C is below the first C bit (>= 2)"),
        Case(smiles: "[Na+].[Cl-]", section: 1, bits: [26, 37], why: "Na >= 1, Cl >= 1, no hydrogen"),
        Case(smiles: "[2H]C([2H])([2H])[2H]", section: 1, bits: [0], why: "written deuteriums are hydrogens"),
        Case(smiles: "CCCCCCCCCC", section: 1, bits: [0, 1, 2, 9, 10, 11], why: "22 H (>= 16), 10 C (>= 8)"),
        // Section 2: ESSSR rings.
        Case(smiles: "c1ccccc1", section: 2, bits: [178, 179, 255], why: "one aromatic carbon 6-ring"),
        Case(smiles: "c1ccc2ccccc2c1", section: 2, bits: [178, 179, 185, 186, 248, 249, 255, 257, 259],
             why: "two 6-rings plus the aromatic 10-ring envelope: three aromatic rings"),
        Case(smiles: "c1ccc(cc1)-c1ccccc1", section: 2, bits: [178, 179, 185, 186, 255, 257],
             why: "biphenyl: two rings, no envelope"),
        Case(smiles: "C1=CCCCC1", section: 2, bits: [178, 182], why: "unsaturated non-aromatic carbon 6-ring"),
        Case(smiles: "c1ccncc1", section: 2, bits: [178, 180, 181, 255, 256], why: "aromatic N ring is also a heteroaromatic ring"),
        Case(smiles: "C1CN1", section: 2, bits: [115, 117, 118], why: "saturated nitrogen 3-ring"),
        Case(smiles: "C1CCC2(CC1)CCCC2", section: 2, bits: [143, 144, 178, 179],
             why: "spiro: no path joins the two rings around the shared atom, so no envelope"),
        // Section 3: bonded pairs, hydrogens as atoms.
        Case(smiles: "CCO", section: 3, bits: [283, 284, 286, 308], why: "C-H, C-C, C-O, O-H"),
        Case(smiles: "[Li]C", section: 3, bits: [266, 283], why: "Li-C, C-H"),
        Case(smiles: "ClCBr", section: 3, bits: [283, 294, 297], why: "C-H, C-Cl, C-Br"),
        // Section 4: "~" any bond, ":" aromatic bond; neighbours are distinct atoms.
        Case(smiles: "CCO", section: 4, bits: [344, 346, 352, 366, 374, 406],
             why: "C(~C)(~H), C(~C)(~H)(~O), C(~C)(~O), C(~H)(~O), C(~H)(~H)(~H), O(~C)(~H)"),
        Case(smiles: "c1ccccc1", section: 4, bits: [332, 344, 355, 370, 371, 384],
             why: "C(~C)(~C), C(~C)(~H), C(~C)(:C), C(~H)(:C), C(~H)(:C)(:C), C(:C)(:C)"),
        // Section 5: "-" single or aromatic, "=" double or aromatic, "#" triple.
        Case(smiles: "CC(=O)O", section: 5, bits: [420, 440, 443, 452], why: "C=O, C(-C)(-O)(=O), C(-C)(=O), C(-O)(=O)"),
        Case(smiles: "CC#N", section: 5, bits: [419, 429], why: "C#N, C(#N)(-C)"),
        Case(smiles: "c1ccccc1", section: 5, bits: [416, 434, 441, 446],
             why: "aromatic bonds serve as single and double: C=C, C(-C)(-H)(=C), C(-C)(=C), C(-H)(=C)"),
        // Section 6: paths with explicit hydrogens.
        Case(smiles: "CCO", section: 6, bits: [571], why: "[#1]-C-O-[#1] is the only pattern that fits"),
        Case(smiles: "OCCO", section: 6, bits: [567, 571, 663], why: "O-C-C-O, [#1]-C-O-[#1], O-C-C-O-[#1]"),
        // Section 7: ring patterns; unwritten bonds are single or aromatic, "C" any carbon.
        Case(smiles: "Cc1ccc(O)cc1", section: 7, bits: [714, 777],
             why: "Cc1ccc(O)cc1, and CC1CCC(O)CC1 since an aromatic ring also fits the cyclohexane pattern"),
        Case(smiles: "c1ccc2ccccc2c1", section: 7, bits: [755, 818],
             why: "each fusion carbon is an ortho carbon substituent of the other ring"),
    ]

    @Test(arguments: cases)
    func sectionBits(_ c: Case) throws {
        let bits = try pubchemBits(c.smiles)
        let range = pubchemSections[c.section - 1].bits
        #expect(setBits(bits, in: range) == c.bits, "\(c.why)")
    }

    @Test func fingerprintIsDeterministicAcrossThreads() async throws {
        let smiles = ["c1ccc2ccccc2c1", "CC(=O)Oc1ccccc1C(=O)O", "C1C2CC2C3C1C3", "OCCO"]
        let expected = try smiles.map { try pubchemBits($0) }
        try await withThrowingTaskGroup(of: Bool.self) { group in
            for round in 0..<16 {
                group.addTask {
                    let k = round % smiles.count
                    return try pubchemBits(smiles[k]) == expected[k]
                }
            }
            for try await same in group { #expect(same) }
        }
    }
}
