/// A `GraphInput` as the graph encoders consume it: tensors of features, the edges grouped by
/// target atom (CSR), the row keys of the keyed dropout, and each molecule's row-normalised
/// adjacency for the graph transformer. Built once per batch and shared by both encoders.
struct PackedGraph<Scalar: TensorScalar> {
    /// A × atom features (replaced by integrated gradients' scaled, tracked copy).
    var atoms: Tensor<Scalar>
    /// E × bond features, in incoming order (edges sorted by target, stable).
    let bonds: Tensor<Scalar>
    /// Source and target atom of each edge, in incoming order.
    let sources: [Int]
    let targets: [Int]
    /// A + 1: the incoming edges of atom a are incomingOffsets[a] ..< incomingOffsets[a + 1].
    let incomingOffsets: [Int]
    /// A × 1: 1 for atoms without neighbours (their context is their own state).
    let isolated: Tensor<Scalar>
    /// M + 1.
    let atomOffsets: [Int]
    /// Per molecule (nᵢ × nᵢ): (A + I) / (rowsum + 1e-6), the authors' normalisation.
    let adjacency: [Tensor<Scalar>]
    /// Dropout keys: per atom row and per edge row, its molecule and its index within it.
    let atomRows: MoleculeRows
    let edgeRows: MoleculeRows
    /// Global index of each molecule.
    let molecules: [Int]
    var moleculeCount: Int { atomOffsets.count - 1 }
    var atomCount: Int { atomOffsets.last ?? 0 }

    init(_ graph: GraphInput) {
        let atomCount = graph.atomCount, edgeCount = graph.edgeCount
        atomOffsets = graph.atomOffsets
        atoms = Tensor(graph.atomFeatures.map { Scalar($0) }, shape: [atomCount, graph.atomFeatureCount])

        let owner = graph.atomMolecule
        var order = Array(0..<edgeCount)
        order.sort { (graph.target($0), $0) < (graph.target($1), $1) }
        sources = order.map(graph.source)
        targets = order.map(graph.target)
        var offsets = [Int](repeating: 0, count: atomCount + 1)
        for t in targets { offsets[t + 1] += 1 }
        for a in 0..<atomCount { offsets[a + 1] += offsets[a] }
        incomingOffsets = offsets
        let width = graph.bondFeatureCount
        var bondValues = [Scalar]()
        bondValues.reserveCapacity(edgeCount * width)
        for e in order { for c in 0..<width { bondValues.append(Scalar(graph.bondFeatures[e * width + c])) } }
        bonds = Tensor(bondValues, shape: [edgeCount, width])
        isolated = Tensor((0..<atomCount).map { offsets[$0 + 1] == offsets[$0] ? 1 : 0 }, shape: [atomCount, 1])

        var matrices: [Tensor<Scalar>] = []
        for m in 0..<graph.moleculeCount {
            let first = graph.atomOffsets[m], n = graph.atomOffsets[m + 1] - first
            var a = [Double](repeating: 0, count: n * n)
            for i in 0..<n { a[i * n + i] = 1 }
            for (s, t) in zip(sources, targets) where owner[s] == m { a[(s - first) * n + (t - first)] = 1 }
            for i in 0..<n {
                let total = a[(i * n)..<(i * n + n)].reduce(0, +) + 1e-6
                for j in 0..<n { a[i * n + j] /= total }
            }
            matrices.append(Tensor(a.map { Scalar($0) }, shape: [n, n]))
        }
        adjacency = matrices

        molecules = graph.moleculeIndices
        atomRows = .segments(molecules: graph.moleculeIndices, offsets: graph.atomOffsets)
        // Edges are numbered within their molecule in incoming order, which depends only on the
        // molecule's own edges.
        var edgeRow = [Int](repeating: 0, count: edgeCount)
        var seen = [Int](repeating: 0, count: graph.moleculeCount)
        for (e, t) in targets.enumerated() {
            edgeRow[e] = seen[owner[t]]
            seen[owner[t]] += 1
        }
        edgeRows = .rows(molecules: targets.map { graph.moleculeIndices[owner[$0]] }, positions: edgeRow)
    }
}
