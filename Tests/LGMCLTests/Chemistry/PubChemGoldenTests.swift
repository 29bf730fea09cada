import CSV
import Foundation
import TestSupport
import Testing

/// The nine fingerprints PubChem itself computed (data/oracles/pubchem_golden.csv, from
/// CDK's PubchemFingerprinterTest): every bit must agree.
@Suite struct PubChemGoldenTests {
    struct Golden {
        let smiles: String
        let base64: String
        let bits: [UInt8]
        let note: String
    }

    static func goldens() throws -> [Golden] {
        let url = repositoryData.appendingPathComponent("oracles/pubchem_golden.csv")
        let reader = try CSVReader(stream: InputStream(url: url)!, hasHeaderRow: true)
        var rows: [Golden] = []
        while let row = reader.next() {
            let bits = row[2].map { UInt8($0 == "1" ? 1 : 0) }
            rows.append(Golden(smiles: row[0], base64: row[1], bits: bits, note: row[3]))
        }
        return rows
    }

    @Test func fixtureIsConsistent() throws {
        let rows = try Self.goldens()
        #expect(rows.count == 9)
        for row in rows {
            // PubChem's base64: a 4-byte big-endian bit count, then the bits, first bit in the
            // most significant position.
            let data = try #require(Data(base64Encoded: row.base64))
            #expect(data.prefix(4).reduce(0) { $0 << 8 | Int($1) } == 881)
            let decoded = try #require(bitsFromHex(data.dropFirst(4).map { String(format: "%02x", $0) }.joined(), count: 881))
            #expect(decoded == row.bits, "\(row.smiles): base64 and bit string disagree")
        }
    }

    @Test func matchesPubChemExactly() throws {
        for row in try Self.goldens() {
            let ours = try pubchemBits(row.smiles)
            let differing = (0..<881).filter { ours[$0] != row.bits[$0] }
            #expect(differing.isEmpty, "\(row.smiles) (\(row.note)): bits \(differing) differ from PubChem")
        }
    }
}
