import CRDKit

/// Bemis–Murcko scaffolds (J. Med. Chem. 1996, 39, 2887), for scaffold splits.
public enum Scaffold {
    /// The scaffold's canonical SMILES, written as RDKit's `MurckoScaffold.MurckoScaffoldSmiles`
    /// writes it (no stereo), "" for an acyclic molecule. `generic` first turns every heavy atom
    /// into carbon and every bond single, as `MurckoScaffold.MakeScaffoldGeneric` does.
    public static func murcko(_ molecule: Molecule, generic: Bool = false) -> String {
        var message: UnsafeMutablePointer<CChar>?
        guard let text = crdkit_mol_murcko_scaffold(molecule.handle, generic ? 1 : 0, &message) else {
            preconditionFailure(takeRDKitMessage(message, otherwise: "RDKit Murcko decomposition failed"))
        }
        defer { crdkit_free_string(text) }
        return String(cString: text)
    }
}
