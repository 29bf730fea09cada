import CRDKit

extension Molecule {
    /// RDKit's per-atom values, in atom order.
    var atomFacts: [crdkit_atom_facts] {
        var facts = [crdkit_atom_facts](repeating: crdkit_atom_facts(), count: atomCount)
        var message: UnsafeMutablePointer<CChar>?
        let status = facts.withUnsafeMutableBufferPointer { crdkit_mol_atom_facts(handle, $0.baseAddress, &message) }
        // Reading atom properties of a sanitized molecule does not throw in RDKit.
        precondition(status == 0, takeRDKitMessage(message, otherwise: "RDKit failed to read atoms"))
        return facts
    }

    /// RDKit's per-bond values, in bond order.
    var bondFacts: [crdkit_bond_facts] {
        var facts = [crdkit_bond_facts](repeating: crdkit_bond_facts(), count: bondCount)
        var message: UnsafeMutablePointer<CChar>?
        let status = facts.withUnsafeMutableBufferPointer { crdkit_mol_bond_facts(handle, $0.baseAddress, &message) }
        precondition(status == 0, takeRDKitMessage(message, otherwise: "RDKit failed to read bonds"))
        return facts
    }
}
