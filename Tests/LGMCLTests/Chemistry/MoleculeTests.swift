import Foundation
@testable import LGMCL
import TestSupport
import Testing

/// Parsing against Python RDKit (Fixtures/chemistry, scripts/make_chemistry_fixtures.py).
struct MoleculeTests {
    @Test func fixturesComeFromTheLinkedRDKit() {
        #expect(ChemistryFixtures.header["rdkit_version"] as? String == RDKit.version)
        #expect(ChemistryFixtures.molecules.count >= 1000)
    }

    @Test func canonicalSMILESAndErrorsMatchRDKit() {
        var mismatches: [String] = []
        for oracle in ChemistryFixtures.molecules {
            let options = MoleculeOptions(maxAtoms: 1000)
            do {
                let molecule = try Molecule(smiles: oracle.smiles, options: options)
                if molecule.canonicalSMILES != oracle.canonical || molecule.atomCount != oracle.atomCount {
                    mismatches.append("\(oracle.testDescription): \(molecule.canonicalSMILES) vs \(oracle.canonical ?? "error")")
                }
            } catch let error as MoleculeError {
                let expected = oracle.error ?? (oracle.atomCount == 0 ? "SMILES has no atoms" : "no error")
                if error.reason != expected {
                    mismatches.append("\(oracle.testDescription): '\(error.reason)' vs '\(expected)'")
                }
            } catch {
                mismatches.append("\(oracle.testDescription): unexpected \(error)")
            }
        }
        #expect(mismatches.isEmpty, "\(mismatches.count) mismatches, first: \(mismatches.prefix(5))")
    }

    @Test func largestFragmentMatchesRDKitsChooser() throws {
        let salts = ChemistryFixtures.parsed.filter { $0.largestFragment != nil }
        #expect(salts.count >= 20)
        for oracle in salts {
            let molecule = try Molecule(smiles: oracle.smiles, options: MoleculeOptions(largestFragmentOnly: true))
            #expect(molecule.canonicalSMILES == oracle.largestFragment, "\(oracle.testDescription)")
            // Salts are kept whole by default.
            #expect(try Molecule(smiles: oracle.smiles).canonicalSMILES == oracle.canonical)
        }
    }

    @Test func atomLimitIsEnforcedWithItsOwnReason() throws {
        let chain = String(repeating: "C", count: 250)
        #expect(throws: MoleculeError(reason: "molecule has 250 atoms, more than the limit of 200")) {
            try Molecule(smiles: chain)
        }
        #expect(try Molecule(smiles: chain, options: MoleculeOptions(maxAtoms: 250)).atomCount == 250)
        #expect(throws: MoleculeError(reason: "molecule has 3 atoms, more than the limit of 2")) {
            try Molecule(smiles: "CCO", options: MoleculeOptions(maxAtoms: 2))
        }
    }

    /// The atoms counted in the text before parsing are RDKit's atoms, for every fixture molecule.
    @Test func writtenAtomCountIsRDKits() {
        for oracle in ChemistryFixtures.molecules where oracle.error == nil {
            #expect(SMILESTokens.atomCount(oracle.smiles) == oracle.atomCount, "\(oracle.testDescription)")
        }
        #expect(SMILESTokens.atomCount("[13CH4] junk C") == 1)
        #expect(SMILESTokens.atomCount("BrCC(Cl)[N+](=O)[O-]") == 7)
    }

    @Test func emptyAndHostileInputIsRejectedWithReasons() throws {
        #expect(throws: MoleculeError(reason: "SMILES has no atoms")) { try Molecule(smiles: "") }
        #expect(throws: MoleculeError(reason: "SMILES contains a NUL character")) { try Molecule(smiles: "CC\u{0}O") }
        #expect(throws: MoleculeError(reason: "Explicit valence for atom # 1 N, 5, is greater than permitted")) {
            try Molecule(smiles: "CN(C)(C)(C)C")
        }
        // 10,000 characters: a valid chain (rejected by size) and fixed pseudo-random junk.
        #expect(throws: MoleculeError(reason: "molecule has 10000 atoms, more than the limit of 200")) {
            try Molecule(smiles: String(repeating: "C", count: 10_000))
        }
        let alphabet = Array("CNOSPFIBrcl()[]=#@+-1234567890%/\\.*Hx~ \t{}")
        var state: UInt64 = 0x9E37_79B9_7F4A_7C15
        for _ in 0..<5 {
            let junk = String((0..<10_000).map { _ in
                state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
                return alphabet[Int(state >> 33) % alphabet.count]
            })
            do {
                _ = try Molecule(smiles: junk)
            } catch let error as MoleculeError {
                #expect(!error.reason.isEmpty)
            }
        }
        // A largest-fragment request on a single-fragment molecule changes nothing.
        #expect(try Molecule(smiles: "[13CH4]", options: MoleculeOptions(largestFragmentOnly: true)).canonicalSMILES == "[13CH4]")
    }

    @Test func everyTox21RowParsesOrFailsAsInRDKitsPython() throws {
        let expected = (ChemistryFixtures.header["tox21_failures"] as! [[String: Any]])
            .map { ($0["row"] as! NSNumber).intValue }
        let text = try String(contentsOf: repositoryData.appendingPathComponent("moleculenet/tox21.csv"), encoding: .utf8)
        var failures: [Int] = []
        var rows = 0
        // Tox21's SMILES column is first and never quoted.
        for (row, line) in text.split(separator: "\n").dropFirst().enumerated() {
            rows += 1
            let smiles = String(line.prefix { $0 != "," })
            do {
                _ = try Molecule(smiles: smiles)
            } catch let error as MoleculeError {
                #expect(!error.reason.isEmpty)
                failures.append(row)
            }
        }
        #expect(rows == 7831)
        #expect(failures == expected)
    }
}
