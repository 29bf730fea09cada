import CRDKit

/// A compiled RDKit SMARTS query.
///
/// `@unchecked Sendable`: the query molecule is never modified after compilation, and RDKit's
/// substructure matcher only reads it (Debian's RDKit is built thread-safe for matching).
final class SubstructurePattern: @unchecked Sendable {
    let smarts: String
    private let handle: OpaquePointer

    /// Compiles a SMARTS that is part of lgmcl itself; a typo there is a programming error.
    init(_ smarts: String) {
        var message: UnsafeMutablePointer<CChar>?
        guard let handle = crdkit_pattern_from_smarts(smarts, &message) else {
            preconditionFailure(takeRDKitMessage(message, otherwise: "RDKit rejected SMARTS \(smarts)"))
        }
        self.smarts = smarts
        self.handle = handle
    }

    deinit {
        crdkit_pattern_free(handle)
    }

    /// Sets `flags[atom] = 1` for every atom in a match; returns the number of matches.
    @discardableResult
    func markMatches(in molecule: Molecule, flags: inout [UInt8]) -> Int {
        precondition(flags.count >= molecule.atomCount)
        var message: UnsafeMutablePointer<CChar>?
        let found = flags.withUnsafeMutableBufferPointer {
            crdkit_mol_mark_matches(molecule.handle, handle, $0.baseAddress, &message)
        }
        return checkedCount(found, message)
    }

    /// Unique matches, as Python's `len(mol.GetSubstructMatches(pattern))` counts them.
    func matchCount(in molecule: Molecule) -> Int {
        var message: UnsafeMutablePointer<CChar>?
        return checkedCount(crdkit_mol_count_matches(molecule.handle, handle, &message), message)
    }

    private func checkedCount(_ count: Int32, _ message: UnsafeMutablePointer<CChar>?) -> Int {
        // Matching a valid query against a sanitized molecule does not throw in RDKit.
        precondition(count >= 0, takeRDKitMessage(message, otherwise: "RDKit substructure match failed"))
        return Int(count)
    }
}
