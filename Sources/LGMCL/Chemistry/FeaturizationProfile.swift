#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Where the time of featurizing molecules goes: every chemistry part `preprocess` computes for
/// a record, timed separately on one thread (`lgmcl-dist benchmark featurize`). Times are the
/// thread's CPU time, so other processes on a shared machine do not inflate them: molecules per
/// second per core.
public struct FeaturizationProfile: Sendable {
    /// The parts, in the order a record computes them.
    public static let parts = [
        "parse", "graph", "maccs", "pubchem", "erg", "descriptors", "description", "smiles tokens",
        "description tokens", "scaffold",
    ]

    public private(set) var seconds: [String: Double] = [:]
    public private(set) var molecules = 0
    /// SMILES that did not become molecules (parse time still counts).
    public private(set) var rejected = 0

    public init() {}

    public var totalSeconds: Double { seconds.values.reduce(0, +) }
    public var moleculesPerSecond: Double { totalSeconds > 0 ? Double(molecules) / totalSeconds : 0 }

    /// Featurizes every SMILES with `tokenizer`'s vocabulary and adds up the time of each part.
    public mutating func measure(_ smiles: [String], tokenizer: Tokenizer, maxTokens: (smiles: Int, description: Int)) {
        let describer = MoleculeDescriber()
        for text in smiles {
            guard let molecule = time("parse", { try? Molecule(smiles: text) }) else {
                rejected += 1
                continue
            }
            molecules += 1
            _ = time("graph") { MolGraph(molecule) }
            _ = time("maccs") { Fingerprint.maccs(molecule) }
            _ = time("pubchem") { Fingerprint.pubchem(molecule) }
            _ = time("erg") { Fingerprint.erg(molecule) }
            let descriptors = time("descriptors") { Descriptors(molecule) }
            let description = time("description") { describer.describe(molecule, descriptors: descriptors) }
            _ = time("smiles tokens") { tokenizer.encode(smiles: molecule.canonicalSMILES, maxLength: maxTokens.smiles) }
            _ = time("description tokens") { tokenizer.encode(text: description, maxLength: maxTokens.description) }
            _ = time("scaffold") { Scaffold.murcko(molecule) }
        }
    }

    private mutating func time<T>(_ part: String, _ body: () -> T) -> T {
        let start = threadCPUSeconds()
        let result = body()
        seconds[part, default: 0] += threadCPUSeconds() - start
        return result
    }
}
