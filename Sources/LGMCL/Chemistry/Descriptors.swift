import CRDKit

/// The RDKit descriptors that descriptions are built from, each exactly as RDKit's Python API
/// names it.
public struct Descriptors: Sendable, Equatable {
    /// `Descriptors.MolWt`: average molecular weight, implicit hydrogens included (Da).
    public var molWt: Double
    /// `Crippen.MolLogP`: Wildman–Crippen octanol/water logP.
    public var logP: Double
    /// `Descriptors.TPSA`: topological polar surface area from N and O (Å²).
    public var tpsa: Double
    /// `Lipinski.NumHDonors`.
    public var hBondDonors: Int
    /// `Lipinski.NumHAcceptors`.
    public var hBondAcceptors: Int
    /// `Lipinski.NumRotatableBonds` (RDKit's default, strict definition).
    public var rotatableBonds: Int
    /// `Chem.GetFormalCharge`: the sum of the atoms' formal charges.
    public var formalCharge: Int
    /// `rdMolDescriptors.CalcNumAromaticRings` (SSSR rings).
    public var aromaticRings: Int
    /// `Mol.GetNumHeavyAtoms`.
    public var heavyAtoms: Int
    /// `rdMolDescriptors.CalcNumRings` (SSSR).
    public var rings: Int
    /// `rdMolDescriptors.CalcNumAtomStereoCenters`: specified and unspecified tetrahedral centres.
    public var stereocentres: Int

    public init(_ molecule: Molecule) {
        var values = crdkit_descriptors()
        var message: UnsafeMutablePointer<CChar>?
        let status = crdkit_mol_descriptors(molecule.handle, &values, &message)
        precondition(status == 0, takeRDKitMessage(message, otherwise: "RDKit descriptors failed"))
        molWt = values.mol_wt
        logP = values.log_p
        tpsa = values.tpsa
        hBondDonors = Int(values.h_bond_donors)
        hBondAcceptors = Int(values.h_bond_acceptors)
        rotatableBonds = Int(values.rotatable_bonds)
        formalCharge = Int(values.formal_charge)
        aromaticRings = Int(values.aromatic_rings)
        heavyAtoms = Int(values.heavy_atoms)
        rings = Int(values.rings)
        stereocentres = Int(values.stereocentres)
    }
}
