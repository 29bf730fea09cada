import CZlib
import Foundation
import TestSupport
import Testing

/// One molecule of Fixtures/chemistry/molecules.jsonl.gz, written by
/// scripts/make_chemistry_fixtures.py from Debian's python3-rdkit.
struct OracleMolecule: @unchecked Sendable, CustomTestStringConvertible {
    let fields: [String: Any]

    var source: String { fields["source"] as! String }
    var smiles: String { fields["smiles"] as! String }
    var error: String? { fields["error"] as? String }
    var atomCount: Int? { (fields["atom_count"] as? NSNumber)?.intValue }
    var canonical: String? { fields["canonical"] as? String }
    var testDescription: String { "\(source) \(smiles.prefix(60))" }

    /// Dense atomCount × 57 features from the fixture's sparse [slot, value] pairs.
    var atomFeatures: [Double] {
        let atoms = fields["atoms"] as! [[[Any]]]
        var dense = [Double](repeating: 0, count: atoms.count * 57)
        for (atom, pairs) in atoms.enumerated() {
            for pair in pairs { dense[atom * 57 + (pair[0] as! NSNumber).intValue] = exact(pair[1]) }
        }
        return dense
    }

    /// (begin, end, dense 15 features) per bond, in RDKit's bond order.
    var bonds: [(Int32, Int32, [Double])] {
        (fields["bonds"] as! [[Any]]).map { bond in
            var dense = [Double](repeating: 0, count: 15)
            for pair in bond[2] as! [[Any]] { dense[(pair[0] as! NSNumber).intValue] = exact(pair[1]) }
            return ((bond[0] as! NSNumber).int32Value, (bond[1] as! NSNumber).int32Value, dense)
        }
    }

    var maccs: [UInt8] { (fields["maccs"] as! String).utf8.map { $0 == UInt8(ascii: "1") ? 1 : 0 } }

    var erg: [Double] {
        var dense = [Double](repeating: 0, count: 441)
        for pair in fields["erg"] as! [[Any]] { dense[(pair[0] as! NSNumber).intValue] = exact(pair[1]) }
        return dense
    }

    /// Integers as JSON numbers, floats as exact text.
    var descriptors: [String: Double] {
        (fields["descriptors"] as! [String: Any]).mapValues { ($0 as? NSNumber)?.doubleValue ?? exact($0) }
    }
    var smilesTokens: [String]? { fields["smiles_tokens"] as? [String] }
    var motifs: [String: Int] { (fields["motifs"] as! [String: NSNumber]).mapValues(\.intValue) }
    var scaffold: String? { fields["scaffold"] as? String }
    var genericScaffold: String? { fields["generic_scaffold"] as? String }
    var largestFragment: String? { fields["largest_fragment"] as? String }
    var randomSeed: Int? { (fields["random_seed"] as? NSNumber)?.intValue }
    var randomSMILES: [String]? { fields["random_smiles"] as? [String] }
}

/// Floats travel as their shortest round-trip text: Foundation's JSON parser on Linux can be one
/// ulp off, Swift's Double(String) is exact.
func exact(_ text: Any) -> Double {
    Double(text as! String)!
}

enum ChemistryFixtures {
    static let directory = repositoryRoot.appendingPathComponent("Tests/LGMCLTests/Fixtures/chemistry")

    /// The header line: RDKit version and the unparsable rows of tox21.csv.
    static let header: [String: Any] = loaded.header
    static let molecules: [OracleMolecule] = loaded.molecules
    /// Molecules RDKit parsed to at least one atom.
    static var parsed: [OracleMolecule] { molecules.filter { $0.canonical != nil } }

    private static let loaded: (header: [String: Any], molecules: [OracleMolecule]) = {
        let lines = gunzipLines(directory.appendingPathComponent("molecules.jsonl.gz"))
        let objects = lines.map { try! JSONSerialization.jsonObject(with: Data($0.utf8)) as! [String: Any] }
        return (objects[0], objects.dropFirst().map(OracleMolecule.init))
    }()
}

/// The lines of a gzip file, through zlib.
func gunzipLines(_ url: URL) -> [String] {
    guard let file = gzopen(url.path, "rb") else { fatalError("cannot open \(url.path)") }
    defer { gzclose(file) }
    var bytes: [UInt8] = []
    var chunk = [UInt8](repeating: 0, count: 1 << 16)
    while true {
        let read = chunk.withUnsafeMutableBytes { gzread(file, $0.baseAddress, UInt32($0.count)) }
        precondition(read >= 0, "gzip error in \(url.path)")
        if read == 0 { break }
        bytes += chunk[0..<Int(read)]
    }
    return String(decoding: bytes, as: UTF8.self).split(separator: "\n").map(String.init)
}
