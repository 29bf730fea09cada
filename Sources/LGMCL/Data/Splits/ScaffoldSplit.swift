extension DatasetSplit {
    /// The balanced Bemis–Murcko scaffold split of chemprop (Yang et al., "Analyzing learned
    /// molecular representations for property prediction", J. Chem. Inf. Model. 2019,
    /// doi:10.1021/acs.jcim.9b00237): molecules sharing a scaffold stay in one part, so the test
    /// set holds chemistry the model has not seen.
    ///
    /// Molecules are grouped by scaffold key (groups in order of first appearance). Groups larger
    /// than half the val size or half the test size are "big" and are placed first, so that no
    /// single scaffold can swamp val or test; big groups and the remaining groups are each
    /// shuffled with one ``SplitMix64`` (seed), big first. Each group then goes to train if it
    /// still fits in train·count, else to val if it fits in val·count, else to test.
    ///
    /// - Parameter scaffolds: one key per molecule, e.g. `Scaffold.murcko(molecule)`; acyclic
    ///   molecules share the empty scaffold, as in chemprop.
    public static func balancedScaffold(scaffolds: [String], fractions: SplitFractions = .scaffold,
                                        seed: UInt64) -> DatasetSplit {
        let count = Double(scaffolds.count)
        let trainSize = fractions.train * count
        let valSize = fractions.val * count
        let testSize = fractions.test * count

        var groupOfScaffold: [String: Int] = [:]
        var groups: [[Int]] = []
        for (index, scaffold) in scaffolds.enumerated() {
            if let group = groupOfScaffold[scaffold] {
                groups[group].append(index)
            } else {
                groupOfScaffold[scaffold] = groups.count
                groups.append([index])
            }
        }
        var big = groups.filter { Double($0.count) > valSize / 2 || Double($0.count) > testSize / 2 }
        var small = groups.filter { !(Double($0.count) > valSize / 2 || Double($0.count) > testSize / 2) }
        var generator = SplitMix64(seed: seed)
        generator.shuffle(&big)
        generator.shuffle(&small)

        var split = DatasetSplit(train: [], val: [], test: [])
        for group in big + small {
            if Double(split.train.count + group.count) <= trainSize {
                split.train += group
            } else if Double(split.val.count + group.count) <= valSize {
                split.val += group
            } else {
                split.test += group
            }
        }
        return split
    }
}
