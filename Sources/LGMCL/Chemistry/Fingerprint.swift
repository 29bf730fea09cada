import CRDKit

/// Molecular fingerprints, computed by RDKit on the molecule as parsed.
public enum Fingerprint {
    public static let maccsCount = 167
    /// ErG with the settings of docs/design.md, Features: fuzzIncrement 0.3, path lengths 1...21.
    public static let ergFuzzIncrement = 0.3
    public static let ergPathLengths: ClosedRange<UInt32> = 1...21
    public static let ergCount = 441

    /// RDKit's 167 MACCS keys as 0/1 (key 0 is unused by RDKit's layout and always 0).
    public static func maccs(_ molecule: Molecule) -> [UInt8] {
        var bits = [UInt8](repeating: 0, count: maccsCount)
        var message: UnsafeMutablePointer<CChar>?
        let status = bits.withUnsafeMutableBufferPointer { crdkit_mol_maccs(molecule.handle, $0.baseAddress, &message) }
        // RDKit's MACCS matching reads a sanitized molecule and does not throw.
        precondition(status == 0, takeRDKitMessage(message, otherwise: "RDKit MACCS failed"))
        return bits
    }

    /// RDKit's extended reduced graph (ErG) fingerprint: 21 pharmacophore pairs × 21 path lengths.
    public static func erg(_ molecule: Molecule) -> [Float] {
        ergValues(molecule).map { Float($0) }
    }

    /// The ErG values in RDKit's own precision.
    static func ergValues(_ molecule: Molecule) -> [Double] {
        precondition(crdkit_erg_length(ergPathLengths.lowerBound, ergPathLengths.upperBound) == ergCount)
        var values = [Double](repeating: 0, count: ergCount)
        var message: UnsafeMutablePointer<CChar>?
        let status = values.withUnsafeMutableBufferPointer {
            crdkit_mol_erg(molecule.handle, ergFuzzIncrement, ergPathLengths.lowerBound, ergPathLengths.upperBound,
                           $0.baseAddress, &message)
        }
        precondition(status == 0, takeRDKitMessage(message, otherwise: "RDKit ErG failed"))
        return values
    }
}
