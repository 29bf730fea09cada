import Foundation
@testable import LGMCL
import TestSupport
import Testing

/// ErG does not depend on what was computed on the molecule before it. RDKit caches a topological
/// distance matrix on a molecule (the Murcko scaffold does), and its ErG reduced graph, a copy of
/// the molecule, used to read that stale matrix; Fixtures/chemistry/erg_order.json holds bbbp.csv
/// molecules where Python RDKit itself shows the effect, with the ErG of a freshly parsed molecule
/// (scripts/make_erg_order_fixtures.py).
struct ErGOrderTests {
    struct Case: CustomTestStringConvertible {
        let row: Int
        let smiles: String
        let erg: [Double]
        var testDescription: String { "bbbp.csv row \(row) \(smiles.prefix(50))" }
    }

    static let cases: [Case] = {
        let url = repositoryRoot.appendingPathComponent("Tests/LGMCLTests/Fixtures/chemistry/erg_order.json")
        let document = try! JSONSerialization.jsonObject(with: Data(contentsOf: url)) as! [String: Any]
        return (document["molecules"] as! [[String: Any]]).map { molecule in
            var dense = [Double](repeating: 0, count: Fingerprint.ergCount)
            for pair in molecule["erg"] as! [[Any]] { dense[(pair[0] as! NSNumber).intValue] = exact(pair[1]) }
            return Case(row: (molecule["row"] as! NSNumber).intValue, smiles: molecule["smiles"] as! String, erg: dense)
        }
    }()

    /// Everything else lgmcl computes on a molecule, each a possible leaver of cached properties.
    static let before: [(name: String, compute: (Molecule) -> Void)] = [
        ("graph", { _ = MolGraph($0) }),
        ("MACCS", { _ = Fingerprint.maccs($0) }),
        ("PubChem", { _ = Fingerprint.pubchem($0) }),
        ("descriptors", { _ = Descriptors($0) }),
        ("Murcko scaffold", { _ = Scaffold.murcko($0) }),
        ("generic scaffold", { _ = Scaffold.murcko($0, generic: true) }),
        ("description", { _ = MoleculeDescriber().describe($0) }),
        ("random SMILES", { _ = $0.randomizedSMILES(count: 2, seed: 7) }),
        ("ErG", { _ = Fingerprint.ergValues($0) }),
    ]

    @Test func theFixtureHoldsTheRowsWhereTheEffectWasSeen() {
        #expect(Set(Self.cases.map(\.row)).isSuperset(of: [10, 31, 194]))
        #expect(Self.cases.count > 20)
    }

    @Test(arguments: cases)
    func ergAfterAnyOtherFeatureEqualsRDKitsOnAFreshMolecule(_ oracle: Case) throws {
        #expect(Fingerprint.ergValues(try Molecule(smiles: oracle.smiles)) == oracle.erg, "ErG first")
        for step in Self.before {
            let molecule = try Molecule(smiles: oracle.smiles)
            step.compute(molecule)
            #expect(Fingerprint.ergValues(molecule) == oracle.erg, "ErG after \(step.name)")
        }
        // Everything, in the order preprocess used to avoid, then in reverse.
        for steps in [Self.before, Self.before.reversed()] {
            let molecule = try Molecule(smiles: oracle.smiles)
            for step in steps { step.compute(molecule) }
            #expect(Fingerprint.ergValues(molecule) == oracle.erg, "ErG after all of \(steps.map(\.name))")
        }
    }
}
