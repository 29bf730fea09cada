import ArgumentParser
import CZlib
import Foundation
import LGMCL

struct BenchmarkFeaturize: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "featurize",
        abstract: "Molecules per second per core of the chemistry of a dataset record, with the share of each part.",
        discussion: paragraphs("""
            Reads the first N SMILES of a CSV (or .csv.gz) whose first column holds SMILES, builds a
            vocabulary from them, then featurizes each molecule on one thread: parse, graph,
            MACCS, PubChem, ErG, descriptors, description, SMILES and description tokens, Murcko scaffold.
            """)
    )

    @Option(help: "CSV or CSV.gz, SMILES in the first column, one header row.")
    var input: String

    @Option(help: "How many molecules to featurize.")
    var molecules = 2000

    @Option(help: "Vocabulary size.")
    var vocabSize = 4000

    @Flag(help: "End with one JSON line: molecules_per_second and seconds per part.")
    var json = false

    func validate() throws {
        guard molecules > 0 else { throw ValidationError("--molecules must be positive") }
    }

    func run() throws {
        let smiles = try firstColumn(of: input, rows: molecules)
        let describer = MoleculeDescriber()
        let parsed = smiles.compactMap { try? Molecule(smiles: $0) }
        let vocabulary = Vocabulary.build(smiles: parsed.map(\.canonicalSMILES),
                                          descriptions: parsed.map(describer.describe), size: vocabSize)
        var profile = FeaturizationProfile()
        profile.measure(smiles, tokenizer: Tokenizer(vocabulary: vocabulary), maxTokens: (256, 256))

        print("\(profile.molecules) molecules (\(profile.rejected) rejected) from \(input), RDKit \(RDKit.version), one thread, CPU time")
        let count = Double(max(profile.molecules, 1))
        for part in FeaturizationProfile.parts {
            let seconds = profile.seconds[part] ?? 0
            print(padded(part) + String(format: "%8.1f µs/molecule  %5.1f %%", seconds / count * 1e6, seconds / profile.totalSeconds * 100))
        }
        print(padded("total") + String(format: "%8.1f µs/molecule  → %.0f molecules/s per core",
                                        profile.totalSeconds / count * 1e6, profile.moleculesPerSecond))
        if json {
            let parts = FeaturizationProfile.parts.map { "\"\($0)\": \(profile.seconds[$0] ?? 0)" }.joined(separator: ", ")
            print("{\"molecules\": \(profile.molecules), \"molecules_per_second\": \(profile.moleculesPerSecond), \"seconds\": {\(parts)}}")
        }
    }

    private func padded(_ name: String) -> String {
        "  " + name + String(repeating: " ", count: max(0, 20 - name.count))
    }

    /// The first column of the first `rows` data rows (SMILES columns are never quoted).
    private func firstColumn(of path: String, rows: Int) throws -> [String] {
        guard let file = gzopen(path, "rb") else { throw ValidationError("cannot open \(path)") }
        defer { gzclose(file) }
        var values: [String] = []
        var line = [CChar](repeating: 0, count: 1 << 16)
        var header = true
        while values.count < rows, gzgets(file, &line, Int32(line.count)) != nil {
            let text = String(cString: line).trimmingCharacters(in: .newlines)
            if header {
                header = false
                continue
            }
            values.append(String(text.prefix { $0 != "," }))
        }
        guard !values.isEmpty else { throw ValidationError("\(path) has no data rows") }
        return values
    }
}
