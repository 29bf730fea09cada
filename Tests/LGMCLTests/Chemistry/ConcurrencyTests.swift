import Dispatch
import Foundation
import LGMCL
import Testing

/// Distinct molecules on distinct threads give the serial results: the shim keeps no unguarded
/// shared state (RDKit's matcher is built thread-safe; the error-log capture and the random
/// SMILES generator are behind locks).
struct ConcurrencyTests {
    private struct Result: Equatable {
        var smiles: String
        var graph: MolGraph?
        var maccs: [UInt8] = []
        var erg: [Float] = []
        var description = ""
        var random: [String] = []
        var error: String?
    }

    private static func featurize(_ smiles: String) -> Result {
        do {
            let molecule = try Molecule(smiles: smiles, options: MoleculeOptions(maxAtoms: 1000))
            return Result(smiles: molecule.canonicalSMILES, graph: MolGraph(molecule), maccs: Fingerprint.maccs(molecule),
                          erg: Fingerprint.erg(molecule), description: MoleculeDescriber().describe(molecule),
                          random: molecule.randomizedSMILES(count: 2, seed: 7))
        } catch {
            return Result(smiles: smiles, error: "\(error)")
        }
    }

    @Test func threadsAgreeWithSerial() {
        // Valid molecules interleaved with syntax and valence errors.
        let inputs = ChemistryFixtures.molecules.prefix(400).map(\.smiles)
        let serial = inputs.map(Self.featurize)
        let box = ResultsBox(count: inputs.count)
        DispatchQueue.concurrentPerform(iterations: 4) { worker in
            for index in stride(from: worker, to: inputs.count, by: 4) {
                box.set(index, Self.featurize(inputs[index]))
            }
        }
        #expect(box.results == serial.map(Optional.some))
        #expect(serial.contains { $0.error != nil })
    }

    private final class ResultsBox: @unchecked Sendable {
        private let lock = NSLock()
        private(set) var results: [Result?]
        init(count: Int) { results = Array(repeating: nil, count: count) }
        func set(_ index: Int, _ result: Result) {
            lock.lock()
            results[index] = result
            lock.unlock()
        }
    }
}
