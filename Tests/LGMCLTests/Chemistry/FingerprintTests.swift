@testable import LGMCL
import Testing

/// MACCS and ErG against Python RDKit, molecule by molecule (Fixtures/chemistry).
struct FingerprintTests {
    @Test func maccsMatchesRDKit() throws {
        for oracle in ChemistryFixtures.parsed {
            let molecule = try Molecule(smiles: oracle.smiles, options: MoleculeOptions(maxAtoms: 1000))
            let bits = Fingerprint.maccs(molecule)
            #expect(bits.count == 167)
            #expect(bits == oracle.maccs, "\(oracle.testDescription)")
        }
    }

    /// Tolerance: |a − b| ≤ 1e-6 + 1e-6·|b| on the Float32 values; RDKit's Float64 values agree exactly.
    @Test func ergMatchesRDKit() throws {
        var nonzero = 0
        for oracle in ChemistryFixtures.parsed {
            let molecule = try Molecule(smiles: oracle.smiles, options: MoleculeOptions(maxAtoms: 1000))
            let expected = oracle.erg
            #expect(Fingerprint.ergValues(molecule) == expected, "\(oracle.testDescription)")
            let values = Fingerprint.erg(molecule)
            #expect(values.count == 441)
            let worst = zip(values, expected).map { abs(Double($0) - $1) - 1e-6 * abs($1) }.max() ?? 0
            #expect(worst <= 1e-6, "\(oracle.testDescription)")
            nonzero += expected.filter { $0 != 0 }.count
        }
        #expect(nonzero > 10_000)
    }
}
