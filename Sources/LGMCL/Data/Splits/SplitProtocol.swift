/// The evaluation protocols (docs/design.md, Evaluation protocols): how the molecules of a labelled dataset are split.
public enum SplitProtocol: String, Codable, Sendable, CaseIterable {
    /// 0.6/0.2/0.2 at random, the LGM-CL authors' protocol.
    case random
    /// 0.8/0.1/0.1 balanced Bemis–Murcko scaffold split, chemprop style.
    case scaffold

    public var fractions: SplitFractions {
        switch self {
        case .random: .random
        case .scaffold: .scaffold
        }
    }

    /// Splits `molecules` (indices into the array) with `seed`.
    public func split(_ molecules: [Molecule], seed: UInt64) -> DatasetSplit {
        switch self {
        case .random:
            return .random(count: molecules.count, fractions: fractions, seed: seed)
        case .scaffold:
            return .balancedScaffold(scaffolds: molecules.map { Scaffold.murcko($0) }, fractions: fractions, seed: seed)
        }
    }
}
