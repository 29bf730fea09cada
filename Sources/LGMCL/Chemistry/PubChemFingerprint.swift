import CRDKit

extension Fingerprint {
    public static let pubchemCount = Int(CRDKIT_PUBCHEM_BITS)

    /// PubChem's 881 substructure keys as 0/1, in the order of PubChem's specification
    /// (Substructure Fingerprint V1.3): element counts, ESSSR ring counts, atom pairs, atom
    /// neighbourhoods, detailed neighbourhoods, SMARTS patterns. Hydrogens count as atoms.
    /// Agrees bit for bit with PubChem's own fingerprints; see docs/pubchem.md.
    public static func pubchem(_ molecule: Molecule) -> [UInt8] {
        var bits = [UInt8](repeating: 0, count: pubchemCount)
        var message: UnsafeMutablePointer<CChar>?
        let status = bits.withUnsafeMutableBufferPointer {
            crdkit_pubchem_fingerprint(molecule.handle, $0.baseAddress, &message)
        }
        // Adding hydrogens and matching the precompiled patterns on a sanitized molecule do not
        // throw; a failure here is a bug, not bad input.
        precondition(status == 0, takeRDKitMessage(message, otherwise: "PubChem fingerprint failed"))
        return bits
    }
}
