import Foundation
@testable import LGMCL
import Testing

/// Descriptions: every number is the RDKit value it names (Fixtures/chemistry).
struct MoleculeDescriberTests {
    @Test func motifCountsMatchRDKit() throws {
        #expect(Set(StructuralMotif.all.map(\.name)).count == StructuralMotif.all.count)
        for oracle in ChemistryFixtures.parsed {
            let molecule = try Molecule(smiles: oracle.smiles, options: MoleculeOptions(maxAtoms: 1000))
            var counts: [String: Int] = [:]
            for motif in StructuralMotif.all {
                let count = motif.count(in: molecule)
                if count > 0 { counts[motif.name] = count }
            }
            #expect(counts == oracle.motifs, "\(oracle.testDescription)")
        }
    }

    @Test func everyNumberIsTheRDKitValueItNames() throws {
        let describer = MoleculeDescriber()
        var words: [Int] = []
        for oracle in ChemistryFixtures.parsed where (oracle.atomCount ?? 0) <= 200 {
            let molecule = try Molecule(smiles: oracle.smiles)
            let text = describer.describe(molecule)
            #expect(describer.describe(molecule) == text, "deterministic")
            let problems = unexplainedNumbers(in: text, descriptors: oracle.descriptors, motifs: oracle.motifs)
            #expect(problems.isEmpty, "\(oracle.testDescription): \(problems) in \(text)")
            words.append(text.split(separator: " ").count)
        }
        words.sort()
        let median = words[words.count / 2]
        #expect((60...160).contains(median), "median words \(median)")
    }

    @Test func describesARealDrugSensibly() throws {
        // Aspirin: one benzene ring, an ester and a carboxylic acid.
        let text = MoleculeDescriber().describe(try Molecule(smiles: "CC(=O)Oc1ccccc1C(=O)O"))
        #expect(text.contains("benzene (1)"))
        #expect(text.contains("carboxylic acid (1)"))
        #expect(text.contains("ester (1)"))
        #expect(text.contains("13 heavy atoms"))
        #expect(text.contains("molecular weight 180.16 Da"))
        #expect(text.contains("passes Lipinski's rule of five"))
        #expect(!text.lowercased().contains("toxic") && !text.lowercased().contains("activity"))
    }

    /// The numbers of `text` that are not the value their label names, as messages.
    private func unexplainedNumbers(in text: String, descriptors d: [String: Double], motifs: [String: Int]) -> [String] {
        var problems: [String] = []
        var explained: [Range<String.Index>] = []
        func check(_ pattern: String, _ expected: (Substring) -> Double?, decimals: Bool = false) {
            for match in text.matches(of: try! Regex(pattern)) {
                guard let captured = match.output[1].substring, let value = Double(captured) else { continue }
                guard let want = expected(match.output[0].substring!) else {
                    problems.append("unknown label in '\(match.output[0].substring!)'")
                    continue
                }
                // Two decimals: the text rounds the RDKit value.
                let ok = decimals ? abs(value - want) <= 0.005 + 1e-9 : value == want
                if !ok { problems.append("'\(match.output[0].substring!)' but RDKit says \(want)") }
                explained.append(match.output[1].range!)
            }
        }
        check(#"([0-9]+) heavy atoms?"#) { _ in d["heavyAtoms"] }
        check(#"molecular weight (-?[0-9]+\.[0-9]{2}) Da"#, { _ in d["molWt"] }, decimals: true)
        check(#"logP (-?[0-9]+\.[0-9]{2})"#, { _ in d["logP"] }, decimals: true)
        check(#"TPSA (-?[0-9]+\.[0-9]{2}) Å²"#, { _ in d["tpsa"] }, decimals: true)
        check(#"([0-9]+) hydrogen bond donors?"#) { _ in d["hBondDonors"] }
        check(#"([0-9]+) hydrogen bond acceptors?"#) { _ in d["hBondAcceptors"] }
        check(#"([0-9]+) rotatable bonds?"#) { _ in d["rotatableBonds"] }
        check(#"net formal charge ([+-]?[0-9]+)"#) { _ in d["formalCharge"] }
        check(#"([0-9]+) rings?,"#) { _ in d["rings"] }
        check(#"([0-9]+) of them aromatic"#) { _ in d["aromaticRings"] }
        check(#"([0-9]+) stereocentres?"#) { _ in d["stereocentres"] }
        check(#"(?:[a-z ]+) \(([0-9]+)\)"#) { whole in
            let name = String(whole.prefix { $0 != "(" }).trimmingCharacters(in: .whitespaces)
            let key = name.replacingOccurrences(of: "ring types ", with: "")
                .replacingOccurrences(of: "functional groups ", with: "")
            return motifs[key].map(Double.init)
        }
        for number in text.matches(of: #/[0-9]+(\.[0-9]+)?/#) where !explained.contains(where: { $0.overlaps(number.range) }) {
            problems.append("unexplained number '\(number.output.0)'")
        }
        return problems
    }
}
