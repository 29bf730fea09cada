import LGMCL
import Testing

/// Descriptors, scaffolds and randomized SMILES against Python RDKit (Fixtures/chemistry).
struct DescriptorTests {
    @Test func descriptorsMatchRDKitExactly() throws {
        for oracle in ChemistryFixtures.parsed {
            let d = Descriptors(try Molecule(smiles: oracle.smiles, options: MoleculeOptions(maxAtoms: 1000)))
            let e = oracle.descriptors
            let got: [String: Double] = [
                "molWt": d.molWt, "logP": d.logP, "tpsa": d.tpsa,
                "hBondDonors": Double(d.hBondDonors), "hBondAcceptors": Double(d.hBondAcceptors),
                "rotatableBonds": Double(d.rotatableBonds), "formalCharge": Double(d.formalCharge),
                "aromaticRings": Double(d.aromaticRings), "heavyAtoms": Double(d.heavyAtoms),
                "rings": Double(d.rings), "stereocentres": Double(d.stereocentres),
            ]
            #expect(Set(got.keys) == Set(e.keys))
            for (name, value) in got {
                #expect(value == e[name], "\(oracle.testDescription): \(name)")
            }
        }
    }

    @Test func murckoScaffoldsMatchRDKit() throws {
        var acyclic = 0
        for oracle in ChemistryFixtures.parsed {
            let molecule = try Molecule(smiles: oracle.smiles, options: MoleculeOptions(maxAtoms: 1000))
            #expect(Scaffold.murcko(molecule) == oracle.scaffold, "\(oracle.testDescription)")
            #expect(Scaffold.murcko(molecule, generic: true) == oracle.genericScaffold, "\(oracle.testDescription)")
            if oracle.scaffold == "" { acyclic += 1 }
        }
        #expect(acyclic > 0)
    }

    @Test func randomizedSMILESAreRDKitsSeededOnesAndReproducible() throws {
        let seeded = ChemistryFixtures.parsed.filter { $0.randomSeed != nil }
        #expect(seeded.count >= 100)
        for oracle in seeded {
            let molecule = try Molecule(smiles: oracle.smiles, options: MoleculeOptions(maxAtoms: 1000))
            // RDKit seed = seed + 1 (see randomizedSMILES).
            let seed = UInt64(oracle.randomSeed! - 1)
            let variants = molecule.randomizedSMILES(count: 3, seed: seed)
            #expect(variants == oracle.randomSMILES, "\(oracle.testDescription)")
            #expect(molecule.randomizedSMILES(count: 3, seed: seed) == variants)
            for variant in variants {
                #expect(try Molecule(smiles: variant, options: MoleculeOptions(maxAtoms: 1000)).canonicalSMILES == oracle.canonical)
            }
        }
    }
}
