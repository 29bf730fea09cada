/// A view of a batch's graphs with atoms masked and bonds deleted at random (MolCLR, Wang et al.
/// 2022): the standard remedy when two encoders of the same unaltered graph can agree on
/// composition alone. Beyond the paper, off by default.
///
/// Every draw is addressed by (seed, step, view, molecule, atom or bond) through Philox, as the
/// dropout masks are: a molecule gets the same view on any rank count and after a resume.
public struct GraphAugmentation: Codable, Equatable, Sendable {
    /// Fraction of atoms whose feature rows are zeroed (the one-hot analogue of MolCLR's mask token).
    public var atomMasking = 0.0
    /// Fraction of bonds removed, both directions.
    public var bondDeletion = 0.0
    /// Fraction of each molecule's atoms removed as one connected piece: breadth-first from a
    /// keyed atom (neighbours in atom order), their features zeroed and every bond touching them
    /// deleted. A search that runs out of its fragment (salts) removes fewer.
    public var subgraphRemoval = 0.0

    public init(atomMasking: Double = 0, bondDeletion: Double = 0, subgraphRemoval: Double = 0) {
        self.atomMasking = atomMasking
        self.bondDeletion = bondDeletion
        self.subgraphRemoval = subgraphRemoval
    }

    public var isIdentity: Bool { atomMasking == 0 && bondDeletion == 0 && subgraphRemoval == 0 }

    /// `graph` as view `view` of step `step`.
    public func apply(to graph: GraphInput, seed: UInt64, step: Int, view: UInt32) -> GraphInput {
        guard !isIdentity else { return graph }
        // A key of their own: the draws must not coincide with any dropout mask's.
        let philox = Philox(seed: seed &+ 0x9E37_79B9_7F4A_7C15)
        func uniform(_ kind: UInt32, _ molecule: Int, _ item: Int) -> Double {
            let word = philox.block((UInt32(truncatingIfNeeded: step), kind << 16 | view,
                                     UInt32(truncatingIfNeeded: molecule), UInt32(truncatingIfNeeded: item))).0
            return Double(word) / 4_294_967_296
        }
        let owner = graph.atomMolecule
        var atomFeatures = graph.atomFeatures
        let removed = subgraphRemoval > 0 ? removedSubgraphs(graph) { uniform(3, $0, 0) } : []
        for atom in removed.indices where removed[atom] {
            for k in 0 ..< graph.atomFeatureCount { atomFeatures[atom * graph.atomFeatureCount + k] = 0 }
        }
        if atomMasking > 0 {
            for atom in 0 ..< graph.atomCount {
                let m = owner[atom]
                if uniform(1, graph.moleculeIndices[m], atom - graph.atomOffsets[m]) < atomMasking {
                    for k in 0 ..< graph.atomFeatureCount { atomFeatures[atom * graph.atomFeatureCount + k] = 0 }
                }
            }
        }
        var edgeIndex: [Int32] = [], bondFeatures: [Float] = []
        edgeIndex.reserveCapacity(graph.edgeIndex.count)
        bondFeatures.reserveCapacity(graph.bondFeatures.count)
        for e in 0 ..< graph.edgeCount {
            let source = graph.source(e), target = graph.target(e)
            let m = owner[source], first = graph.atomOffsets[m]
            // Keyed by the bond (its atoms in order), so both directions share the decision.
            let bond = min(source, target) - first, other = max(source, target) - first
            if !removed.isEmpty, removed[source] || removed[target] { continue }
            if bondDeletion > 0, uniform(2, graph.moleculeIndices[m], bond << 16 | other) < bondDeletion { continue }
            edgeIndex += [graph.edgeIndex[2 * e], graph.edgeIndex[2 * e + 1]]
            bondFeatures += graph.bondFeatures[e * graph.bondFeatureCount ..< (e + 1) * graph.bondFeatureCount]
        }
        return GraphInput(atomFeatures: atomFeatures, atomFeatureCount: graph.atomFeatureCount, edgeIndex: edgeIndex,
                          bondFeatures: bondFeatures, bondFeatureCount: graph.bondFeatureCount,
                          atomOffsets: graph.atomOffsets, moleculeIndices: graph.moleculeIndices)
    }

    /// Per batch atom, whether it falls in its molecule's removed subgraph; `start(molecule)` is
    /// the keyed draw in [0, 1) that picks where the search begins.
    private func removedSubgraphs(_ graph: GraphInput, start: (Int) -> Double) -> [Bool] {
        var neighbours = [[Int]](repeating: [], count: graph.atomCount)
        for e in 0 ..< graph.edgeCount { neighbours[graph.source(e)].append(graph.target(e)) }
        var removed = [Bool](repeating: false, count: graph.atomCount)
        for m in 0 ..< graph.moleculeCount {
            let first = graph.atomOffsets[m], n = graph.atomOffsets[m + 1] - first
            let quota = Int((subgraphRemoval * Double(n)).rounded())
            guard quota > 0 else { continue }
            var queue = [first + min(n - 1, Int(start(graph.moleculeIndices[m]) * Double(n)))]
            removed[queue[0]] = true
            var taken = 1, next = 0
            while taken < quota, next < queue.count {
                for neighbour in neighbours[queue[next]].sorted() where !removed[neighbour] && taken < quota {
                    removed[neighbour] = true
                    queue.append(neighbour)
                    taken += 1
                }
                next += 1
            }
        }
        return removed
    }
}
