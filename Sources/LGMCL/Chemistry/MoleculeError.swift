import CRDKit

/// Why a SMILES did not become a ``Molecule``: RDKit's own reason (parser message, valence or
/// kekulization error), or lgmcl's (no atoms, too many atoms).
public struct MoleculeError: Error, CustomStringConvertible, Equatable, Sendable {
    public let reason: String

    public init(reason: String) {
        self.reason = reason
    }

    public var description: String { reason }
}

/// Takes ownership of an error string from the shim.
func takeRDKitMessage(_ message: UnsafeMutablePointer<CChar>?, otherwise fallback: String) -> String {
    guard let message else { return fallback }
    defer { crdkit_free_string(message) }
    let text = String(cString: message)
    return text.isEmpty ? fallback : text
}
