import CRDKit

extension Molecule {
    /// `count` randomized (non-canonical) SMILES of this molecule, an augmentation for the text
    /// stage. Reproducible: RDKit's `MolToRandomSmilesVect` with random seed
    /// `seed mod (2³¹ − 1) + 1` (RDKit takes positive 31-bit seeds; 0 would mean "unseeded").
    public func randomizedSMILES(count: Int = 1, seed: UInt64) -> [String] {
        precondition(count >= 0)
        if count == 0 { return [] }
        let rdkitSeed = UInt32(seed % 2_147_483_647) + 1
        var message: UnsafeMutablePointer<CChar>?
        guard let text = crdkit_mol_random_smiles(handle, UInt32(count), rdkitSeed, &message) else {
            preconditionFailure(takeRDKitMessage(message, otherwise: "RDKit random SMILES failed"))
        }
        defer { crdkit_free_string(text) }
        return String(cString: text).split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
    }
}
