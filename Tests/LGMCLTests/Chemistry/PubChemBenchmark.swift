import Foundation
import LGMCL
import Testing

/// Speed of the PubChem fingerprint, one core, with RDKit's MACCS keys (the same molecules, the
/// same run) as the peer. Off by default: it times, it does not test.
///
///     LGMCL_BENCHMARK=1 swift test -c release -Xswiftc -enable-testing --filter PubChemBenchmark
///
/// Prints a table for docs/pubchem.md.
@Suite struct PubChemBenchmark {
    static let enabled = ProcessInfo.processInfo.environment["LGMCL_BENCHMARK"] != nil

    static func seconds(_ body: () -> Void) -> Double {
        let start = DispatchTime.now().uptimeNanoseconds
        body()
        return Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
    }

    @Test(.enabled(if: enabled)) func moleculesPerSecond() throws {
        let smiles = try PubChemCDKTests.rows().map(\.smiles)
        let molecules = try smiles.map { try Molecule(smiles: $0) }
        _ = Fingerprint.pubchem(molecules[0])  // parses the SMARTS patterns once
        let rounds = 5
        var sink = 0
        let parse = Self.seconds {
            for _ in 0..<rounds { for s in smiles { sink &+= (try? Molecule(smiles: s))?.atomCount ?? 0 } }
        }
        let pubchem = Self.seconds {
            for _ in 0..<rounds { for m in molecules { sink &+= Int(Fingerprint.pubchem(m)[0]) } }
        }
        let maccs = Self.seconds {
            for _ in 0..<rounds { for m in molecules { sink &+= Int(Fingerprint.maccs(m)[0]) } }
        }
        let n = Double(rounds * molecules.count)
        let atoms = Double(molecules.map(\.atomCount).reduce(0, +)) / Double(molecules.count)
        print("PubChem benchmark: \(molecules.count) molecules (mean \(String(format: "%.1f", atoms)) heavy atoms) × \(rounds) rounds, one thread")
        print("| step | ms per molecule | molecules/s per core |")
        print("|---|---|---|")
        for (name, t) in [("parse SMILES (Molecule)", parse), ("PubChem 881 bits", pubchem), ("RDKit MACCS 167 bits (peer)", maccs)] {
            print(String(format: "| %@ | %.3f | %.0f |", name, 1000 * t / n, n / t))
        }
        withExtendedLifetime(sink) {}
    }
}
