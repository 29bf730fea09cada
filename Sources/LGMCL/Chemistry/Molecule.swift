import CRDKit

/// How a SMILES becomes a ``Molecule``.
public struct MoleculeOptions: Sendable, Equatable {
    /// Keep only the largest fragment (RDKit's LargestFragmentChooser: most atoms, then highest
    /// molecular weight), e.g. to drop counter-ions of salts. Off by default: salts are kept as given.
    public var largestFragmentOnly = false
    /// Molecules with more atoms are rejected: global attention costs grow with the square of it.
    public var maxAtoms = 200

    public init(largestFragmentOnly: Bool = false, maxAtoms: Int = 200) {
        self.largestFragmentOnly = largestFragmentOnly
        self.maxAtoms = maxAtoms
    }
}

/// A sanitized RDKit molecule (default sanitization, implicit hydrogens), owned by Swift.
///
/// Not `Sendable`: RDKit caches computed properties inside the molecule, so one molecule is used
/// from one thread at a time (distinct molecules on distinct threads are fine).
public final class Molecule {
    /// The shim's `crdkit_mol *`, freed in `deinit`.
    let handle: OpaquePointer

    public init(smiles: String, options: MoleculeOptions = .init()) throws {
        _ = Molecule.loggingOff
        // A C string ends at the first NUL: parsing what comes before it would silently accept
        // a truncated molecule.
        if smiles.utf8.contains(0) {
            throw MoleculeError(reason: "SMILES contains a NUL character")
        }
        let written = SMILESTokens.atomCount(smiles)
        if written > options.maxAtoms {
            throw MoleculeError(reason: "molecule has \(written) atoms, more than the limit of \(options.maxAtoms)")
        }
        var message: UnsafeMutablePointer<CChar>?
        guard var parsed = crdkit_mol_from_smiles(smiles, &message) else {
            throw MoleculeError(reason: takeRDKitMessage(message, otherwise: "RDKit could not parse the SMILES"))
        }
        if options.largestFragmentOnly, crdkit_mol_num_atoms(parsed) > 0 {
            let largest = crdkit_mol_largest_fragment(parsed, &message)
            crdkit_mol_free(parsed)
            guard let largest else {
                throw MoleculeError(reason: takeRDKitMessage(message, otherwise: "RDKit found no largest fragment"))
            }
            parsed = largest
        }
        let atoms = Int(crdkit_mol_num_atoms(parsed))
        if atoms == 0 {
            crdkit_mol_free(parsed)
            throw MoleculeError(reason: "SMILES has no atoms")
        }
        if atoms > options.maxAtoms {
            crdkit_mol_free(parsed)
            throw MoleculeError(reason: "molecule has \(atoms) atoms, more than the limit of \(options.maxAtoms)")
        }
        var writeMessage: UnsafeMutablePointer<CChar>?
        guard let text = crdkit_mol_to_smiles(parsed, &writeMessage) else {
            crdkit_mol_free(parsed)
            throw MoleculeError(reason: takeRDKitMessage(writeMessage, otherwise: "RDKit could not write SMILES"))
        }
        canonicalSMILES = String(cString: text)
        crdkit_free_string(text)
        handle = parsed
    }

    deinit {
        crdkit_mol_free(handle)
    }

    /// RDKit keeps its log quiet from the first molecule on: a bad row is reported once, by us.
    private static let loggingOff: Void = crdkit_disable_logging()

    /// RDKit's canonical isomeric SMILES, written once at parse time so that a molecule RDKit
    /// cannot write is rejected there rather than failing later.
    public let canonicalSMILES: String

    /// Atoms in RDKit's graph as parsed: heavy atoms plus hydrogens written as atoms ([H], [2H]);
    /// implicit hydrogens are not atoms.
    public var atomCount: Int { Int(crdkit_mol_num_atoms(handle)) }

    public var bondCount: Int { Int(crdkit_mol_num_bonds(handle)) }
}
