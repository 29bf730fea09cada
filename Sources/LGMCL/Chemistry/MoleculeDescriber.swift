import CRDKit
import Foundation

/// A deterministic English description of a molecule, in the spirit of the LLM-written texts of
/// the LGM-CL paper (identity and core scaffold; physicochemical profile; structural features;
/// medicinal-chemistry notes), built only from RDKit facts.
///
/// Every number in the text is an RDKit value next to its name: heavy atoms, molecular weight,
/// logP, TPSA (two decimals), H-bond donors and acceptors, rotatable bonds, net formal charge,
/// rings, aromatic rings, stereocentres, and "name (count)" for the ring types and functional
/// groups of ``StructuralMotif/all``. Category words (small, lipophilic, polar…) come from fixed
/// thresholds listed in docs/features.md; nothing mentions a prediction task.
public struct MoleculeDescriber: Sendable {
    public init() {}

    public func describe(_ molecule: Molecule) -> String {
        describe(molecule, descriptors: Descriptors(molecule))
    }

    /// The description with descriptors the caller has already computed for `molecule`.
    public func describe(_ molecule: Molecule, descriptors d: Descriptors) -> String {
        let atoms = molecule.atomFacts
        let motifs = StructuralMotif.all.compactMap { motif -> (StructuralMotif, Int)? in
            let count = motif.count(in: molecule)
            return count > 0 ? (motif, count) : nil
        }
        let rings = motifs.filter { $0.0.kind == .ring }
        let groups = motifs.filter { $0.0.kind == .functionalGroup }

        // Identity and core scaffold
        var text = "Identity: a \(sizeClass(d.heavyAtoms)) molecule of \(counted(d.heavyAtoms, "heavy atom")) "
            + "with molecular weight \(twoDecimals(d.molWt)) Da, made of \(elements(atoms)). "
        text += "Core scaffold: \(scaffold(molecule, rings: rings)). "

        // Physicochemical profile
        text += "Profile: \(lipophilicity(d.logP)) (logP \(twoDecimals(d.logP))); "
            + "\(polarity(d.tpsa)) (TPSA \(twoDecimals(d.tpsa)) Å²); "
            + "\(counted(d.hBondDonors, "hydrogen bond donor")) and \(counted(d.hBondAcceptors, "hydrogen bond acceptor")); "
            + "\(flexibility(d.rotatableBonds)) with \(counted(d.rotatableBonds, "rotatable bond")); "
            + "\(chargeState(d.formalCharge, atoms)). "

        // Structural features
        text += "Structure: "
        if d.rings == 0 {
            text += "no rings; "
        } else {
            text += "\(counted(d.rings, "ring")), \(d.aromaticRings) of them aromatic"
            if !rings.isEmpty { text += ", ring types " + named(rings) }
            text += "; "
        }
        text += groups.isEmpty ? "no common functional groups" : "functional groups " + named(groups)
        if let substitution = substitution(molecule) { text += "; \(substitution)" }
        text += "; \(stereochemistry(d.stereocentres, molecule)). "

        // Medicinal-chemistry notes
        text += "Notes: \(lipinski(d)); \(veber(d))."
        return text
    }

    // MARK: Phrases

    private func sizeClass(_ heavyAtoms: Int) -> String {
        switch heavyAtoms {
        case ...12: "small"
        case ...30: "medium-sized"
        case ...50: "large"
        default: "very large"
        }
    }

    private func lipophilicity(_ logP: Double) -> String {
        switch logP {
        case ..<0: "hydrophilic"
        case ..<1: "weakly lipophilic"
        case ..<3: "moderately lipophilic"
        case ..<5: "lipophilic"
        default: "highly lipophilic"
        }
    }

    private func polarity(_ tpsa: Double) -> String {
        switch tpsa {
        case ..<40: "weakly polar"
        case ..<90: "moderately polar"
        case ..<140: "polar"
        default: "highly polar"
        }
    }

    private func flexibility(_ rotatableBonds: Int) -> String {
        switch rotatableBonds {
        case 0: "rigid"
        case ...3: "fairly rigid"
        case ...7: "moderately flexible"
        default: "highly flexible"
        }
    }

    private func chargeState(_ charge: Int, _ atoms: [crdkit_atom_facts]) -> String {
        let signed = charge > 0 ? "+\(charge)" : "\(charge)"
        if charge > 0 { return "a cation (net formal charge \(signed))" }
        if charge < 0 { return "an anion (net formal charge \(signed))" }
        let separated = atoms.contains { $0.formal_charge > 0 } && atoms.contains { $0.formal_charge < 0 }
        return separated ? "charge-separated but neutral overall (net formal charge 0)" : "neutral (net formal charge 0)"
    }

    private func elements(_ atoms: [crdkit_atom_facts]) -> String {
        let present = Set(atoms.map(\.atomic_number))
        var names = Self.elementNames.filter { present.contains($0.number) }.map(\.name)
        if present.contains(where: { number in !Self.elementNames.contains { $0.number == number } }) {
            names.append("other elements")
        }
        return list(names)
    }

    private func scaffold(_ molecule: Molecule, rings: [(StructuralMotif, Int)]) -> String {
        let smiles = Scaffold.murcko(molecule)
        if smiles.isEmpty { return "none, the molecule is acyclic" }
        var parts: [String] = []
        parts.append(rings.isEmpty ? "rings of uncommon types" : list(rings.map(\.0.name)) + (rings.count == 1 ? " ring" : " rings"))
        if Self.fusedAtom.matchCount(in: molecule) > 0 { parts.append("with fused, bridged or spiro junctions") }
        // A Murcko scaffold keeps ring atoms, the linkers between rings and atoms double-bonded
        // to either; its chain atoms with two or more neighbours are therefore linkers.
        if let core = try? Molecule(smiles: smiles, options: MoleculeOptions(maxAtoms: .max)),
           core.atomFacts.contains(where: { $0.in_ring == 0 && $0.degree >= 2 }) {
            parts.append("joined by linkers")
        }
        return parts.joined(separator: ", ")
    }

    private func substitution(_ molecule: Molecule) -> String? {
        var notes: [String] = []
        if Self.aromaticSubstituent.matchCount(in: molecule) > 0 { notes.append("substituted aromatic rings") }
        if Self.aromaticHalogen.matchCount(in: molecule) > 0 { notes.append("halogens on aromatic rings") }
        return notes.isEmpty ? nil : list(notes)
    }

    private func stereochemistry(_ stereocentres: Int, _ molecule: Molecule) -> String {
        var text: String
        if stereocentres == 0 {
            text = "no tetrahedral stereocentres"
        } else {
            // Chiral tags CW (1) and CCW (2) are centres whose configuration the SMILES specifies.
            let specified = molecule.atomFacts.filter { $0.chiral_tag == 1 || $0.chiral_tag == 2 }.count
            let how = specified == 0 ? "unspecified" : specified >= stereocentres ? "specified" : "partly specified"
            text = "\(counted(stereocentres, "stereocentre")) with \(how) configuration"
        }
        // Bond stereo Z, E, CIS, TRANS (2...5).
        if molecule.bondFacts.contains(where: { (2...5).contains($0.stereo) }) {
            text += " and double bond geometry specified"
        }
        return text
    }

    private func lipinski(_ d: Descriptors) -> String {
        var broken: [String] = []
        if d.molWt > 500 { broken.append("molecular weight") }
        if d.logP > 5 { broken.append("logP") }
        if d.hBondDonors > 5 { broken.append("hydrogen bond donors") }
        if d.hBondAcceptors > 10 { broken.append("hydrogen bond acceptors") }
        return broken.isEmpty ? "passes Lipinski's rule of five" : "breaks Lipinski's rule of five on " + list(broken)
    }

    private func veber(_ d: Descriptors) -> String {
        var failed: [String] = []
        if d.rotatableBonds > 10 { failed.append("rotatable bonds") }
        if d.tpsa > 140 { failed.append("polar surface area") }
        return failed.isEmpty ? "meets Veber's criteria" : "misses Veber's criteria on " + list(failed)
    }

    // MARK: Words

    private func counted(_ n: Int, _ noun: String) -> String {
        "\(n) \(noun)\(n == 1 ? "" : "s")"
    }

    private func named(_ motifs: [(StructuralMotif, Int)]) -> String {
        motifs.map { "\($0.0.name) (\($0.1))" }.joined(separator: ", ")
    }

    private func twoDecimals(_ x: Double) -> String {
        String(format: "%.2f", x)
    }

    private func list(_ words: [String]) -> String {
        switch words.count {
        case 0: ""
        case 1: words[0]
        default: words.dropLast().joined(separator: ", ") + " and " + words.last!
        }
    }

    private static let elementNames: [(number: Int32, name: String)] = [
        (6, "carbon"), (7, "nitrogen"), (8, "oxygen"), (16, "sulfur"), (15, "phosphorus"), (9, "fluorine"),
        (17, "chlorine"), (35, "bromine"), (53, "iodine"), (5, "boron"), (14, "silicon"), (34, "selenium"),
        (33, "arsenic"), (1, "explicit hydrogen"), (11, "sodium"), (19, "potassium"), (3, "lithium"),
        (12, "magnesium"), (20, "calcium"), (30, "zinc"), (26, "iron"), (29, "copper"), (78, "platinum"),
        (80, "mercury"), (50, "tin"),
    ]
    /// Atoms in more than one SSSR ring.
    private static let fusedAtom = SubstructurePattern("[R;!R1]")
    private static let aromaticSubstituent = SubstructurePattern("a-[!#1;!R]")
    private static let aromaticHalogen = SubstructurePattern("a-[F,Cl,Br,I]")
}
