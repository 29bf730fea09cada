/// What each molecule of a dataset costs a training step, from its sizes alone: multiply-adds
/// of one forward pass through the encoders that see it. Only the ratios between molecules
/// matter — ShardPlan deals every training batch by them, so that ranks finish a step together.
///
/// Per layer: the text encoder's cost model (LengthGroups) for the SMILES and the description,
/// cut at the batch's token limits; AttentiveFP's GRU and attention per atom (8·H²) and its
/// messages per bond (2·H²); the graph transformer's projections and feed-forward per atom (6·w²)
/// and its dense attention per pair of atoms (2·w, and 32 per head for the elementwise passes).
public enum MoleculeCosts {
    public static func of(_ dataset: MoleculeDataset, configuration c: ModelConfiguration,
                          encoders: [LGMCLModel<Float>.Component]) -> [Float] {
        func lengths(_ offsets: [Int], limit: Int) -> [Double] {
            (0 ..< dataset.count).map { Double(Swift.min(offsets[$0 + 1] - offsets[$0], limit)) }
        }
        var costs = [Double](repeating: 0, count: dataset.count)
        if encoders.contains(.text) {
            let t = c.text
            for (offsets, limit) in [(dataset.smilesOffsets, t.maxSMILESTokens), (dataset.descriptionOffsets, t.maxDescriptionTokens)] {
                for (i, l) in lengths(offsets, limit: limit).enumerated() {
                    costs[i] += Double(t.layers) * (l * t.costPerPosition + l * l * t.costPerPair)
                }
            }
        }
        let atoms = lengths(dataset.atomOffsets, limit: .max), bonds = lengths(dataset.edgeOffsets, limit: .max)
        if encoders.contains(.local) {
            let h = Double(c.local.hidden)
            for i in costs.indices { costs[i] += Double(c.local.layers) * (8 * h * h * atoms[i] + 2 * h * h * bonds[i]) }
        }
        if encoders.contains(.global) {
            let g = c.graphTransformer, w = Double(g.width)
            let perPair = 2 * w + 32 * Double(g.heads)
            for i in costs.indices { costs[i] += Double(g.layers) * (6 * w * w * atoms[i] + perPair * atoms[i] * atoms[i]) }
        }
        return costs.map { Float($0) }
    }
}
