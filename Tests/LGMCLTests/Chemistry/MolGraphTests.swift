import LGMCL
import Testing

/// Graph features against Python RDKit and the definitions of docs/features.md, molecule by
/// molecule (Fixtures/chemistry, scripts/make_chemistry_fixtures.py).
struct MolGraphTests {
    @Test func featuresMatchTheOracle() throws {
        var checked = 0
        for oracle in ChemistryFixtures.parsed {
            let graph = MolGraph(try Molecule(smiles: oracle.smiles, options: MoleculeOptions(maxAtoms: 1000)))
            let atoms = oracle.atomFeatures
            #expect(graph.atomCount == atoms.count / 57)
            // Float32 storage: the oracle's Float64 values rounded once.
            let atomsMatch = graph.atomFeatures == atoms.map { Float($0) }
            #expect(atomsMatch, "\(oracle.testDescription): first differing atom slot \(firstDifference(graph.atomFeatures, atoms, width: 57))")

            let bonds = oracle.bonds
            #expect(graph.edgeCount == 2 * bonds.count)
            var expectedEdges: [Int32] = []
            var expectedFeatures: [Float] = []
            for (begin, end, features) in bonds {
                expectedEdges += [begin, end, end, begin]
                expectedFeatures += features.map { Float($0) } + features.map { Float($0) }
            }
            #expect(graph.edgeIndex == expectedEdges, "\(oracle.testDescription)")
            #expect(graph.bondFeatures == expectedFeatures,
                    "\(oracle.testDescription): first differing edge slot \(firstDifference(graph.bondFeatures, expectedFeatures.map(Double.init), width: 15))")
            checked += 1
        }
        #expect(checked >= 1000)
    }

    @Test func bondDirectionsAreRDKits() throws {
        // F/C=C/F: the two single bonds carry ENDUPRIGHT (slot 5); the double bond is E (slot 12).
        let graph = MolGraph(try Molecule(smiles: "F/C=C/F"))
        let slots = (0..<graph.edgeCount).map { edge in
            (0..<15).filter { graph.bondFeatures[edge * 15 + $0] != 0 }
        }
        #expect(slots.contains { $0.contains(5) })
        #expect(slots.contains { $0.contains(12) })
    }

    @Test func singleAtomsAndIsolatedAtomsAreGraphs() throws {
        let water = MolGraph(try Molecule(smiles: "O"))
        #expect(water.atomCount == 1 && water.edgeCount == 0 && water.bondFeatures.isEmpty)
        let salt = MolGraph(try Molecule(smiles: "[Na+].[Cl-]"))
        #expect(salt.atomCount == 2 && salt.edgeCount == 0)
        #expect(MolGraph.atomFeatureCount == 57 && MolGraph.bondFeatureCount == 15)
    }
}

/// "(atom, slot): got vs expected" of the first difference, for failure messages.
func firstDifference(_ got: [Float], _ expected: [Double], width: Int) -> String {
    guard got.count == expected.count else { return "count \(got.count) vs \(expected.count)" }
    for i in got.indices where got[i] != Float(expected[i]) {
        return "(\(i / width), \(i % width)): \(got[i]) vs \(expected[i])"
    }
    return "none"
}
