import Foundation
import LGMCL

/// The specification's sections as bit ranges (PubChem Substructure Fingerprint V1.3).
let pubchemSections: [(name: String, bits: Range<Int>)] = [
    ("1 element counts", 0..<115),
    ("2 ESSSR ring counts", 115..<263),
    ("3 atom pairs", 263..<327),
    ("4 atom neighbourhoods", 327..<416),
    ("5 detailed neighbourhoods", 416..<460),
    ("6 simple SMARTS", 460..<713),
    ("7 complex SMARTS", 713..<881),
]

/// The 881 PubChem bits of a SMILES, parsed by `Molecule` as every caller does.
func pubchemBits(_ smiles: String) throws -> [UInt8] {
    Fingerprint.pubchem(try Molecule(smiles: smiles))
}

/// Positions of the set bits within `range`.
func setBits(_ bits: [UInt8], in range: Range<Int> = 0..<881) -> [Int] {
    range.filter { bits[$0] != 0 }
}

/// Bits from hexadecimal digits, most significant bit of each byte first.
func bitsFromHex(_ hex: String, count: Int) -> [UInt8]? {
    var bits: [UInt8] = []
    var digits = hex.makeIterator()
    while let high = digits.next(), let low = digits.next() {
        guard let byte = UInt8(String([high, low]), radix: 16) else { return nil }
        for shift in stride(from: 7, through: 0, by: -1) { bits.append((byte >> UInt8(shift)) & 1) }
    }
    return bits.count >= count ? Array(bits.prefix(count)) : nil
}
