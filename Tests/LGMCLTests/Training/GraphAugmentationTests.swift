import Foundation
import LGMCL
import Testing

/// Graph views: masks and deletions at their rates, keyed by molecule (not batch position),
/// bonds removed in both directions, the two views independent.
struct GraphAugmentationTests {
    /// `count` ring molecules of `size` atoms (one-hot-ish features, both directions of each bond).
    static func rings(_ count: Int, size: Int, molecules ids: [Int]) -> GraphInput {
        var features: [Float] = [], edges: [Int32] = [], bonds: [Float] = [], offsets = [0]
        for m in 0 ..< count {
            let first = m * size
            for a in 0 ..< size { features += (0 ..< 57).map { Float(($0 + a) % 7 == 0 ? 1 : 0) } }
            for a in 0 ..< size {
                let b = (a + 1) % size
                edges += [Int32(first + a), Int32(first + b), Int32(first + b), Int32(first + a)]
                bonds += [Float](repeating: Float(a + 1), count: 30)
            }
            offsets.append(first + size)
        }
        return GraphInput(atomFeatures: features, edgeIndex: edges, bondFeatures: bonds, atomOffsets: offsets, moleculeIndices: ids)
    }

    @Test func ratesKeysAndBothDirections() {
        let graph = Self.rings(400, size: 10, molecules: Array(1000 ..< 1400))
        let augmentation = GraphAugmentation(atomMasking: 0.25, bondDeletion: 0.25)
        let view = augmentation.apply(to: graph, seed: 7, step: 3, view: 0)
        #expect(view == augmentation.apply(to: graph, seed: 7, step: 3, view: 0), "not a function of its key")
        let masked = (0 ..< graph.atomCount).filter { a in view.atomFeatures[a * 57 ..< (a + 1) * 57].allSatisfy { $0 == 0 } }.count
        let deleted = graph.edgeCount - view.edgeCount
        // 4,000 atoms and bonds each: the rate within 4 standard deviations (σ ≈ 0.007).
        #expect(abs(Double(masked) / 4000 - 0.25) < 0.03, "masked \(masked) of 4000 atoms")
        #expect(abs(Double(deleted) / 8000 - 0.25) < 0.03, "deleted \(deleted) of 8000 directed edges")
        var directed = Set<[Int32]>()
        for e in 0 ..< view.edgeCount { directed.insert([view.edgeIndex[2 * e], view.edgeIndex[2 * e + 1]]) }
        #expect(directed.allSatisfy { directed.contains([$0[1], $0[0]]) }, "a bond kept in one direction only")
        #expect(view.bondFeatures.count == view.edgeCount * 15)
        #expect(view != augmentation.apply(to: graph, seed: 7, step: 3, view: 1), "both views identical")
        #expect(view != augmentation.apply(to: graph, seed: 7, step: 4, view: 0), "the same view at the next step")

        // The molecule at dataset index 1005, alone in a batch of one: the same view of it.
        let alone = Self.rings(1, size: 10, molecules: [1005])
        let single = augmentation.apply(to: alone, seed: 7, step: 3, view: 0)
        #expect(Array(single.atomFeatures) == Array(view.atomFeatures[50 * 57 ..< 60 * 57]), "the view depends on the batch")
        #expect(GraphAugmentation().apply(to: graph, seed: 7, step: 3, view: 0) == graph)
    }

    /// --remove-subgraph 0.3 on rings of 10: in each molecule exactly 3 atoms, contiguous on the
    /// ring, lose their features and every bond touching them (4 of the ring's 10 bonds); the
    /// piece depends on the molecule, not on the batch, and moves with the step.
    @Test func aRemovedSubgraphIsOneConnectedPiece() {
        let ids = Array(2000 ..< 2200)
        let graph = Self.rings(200, size: 10, molecules: ids)
        let augmentation = GraphAugmentation(subgraphRemoval: 0.3)
        let view = augmentation.apply(to: graph, seed: 11, step: 5, view: 1)
        var starts = Set<Int>()
        for m in 0 ..< 200 {
            let gone = (0 ..< 10).filter { a in view.atomFeatures[(m * 10 + a) * 57 ..< (m * 10 + a + 1) * 57].allSatisfy { $0 == 0 } }
            #expect(gone.count == 3, "molecule \(m): removed \(gone)")
            // Contiguous on the ring: some atom of the piece has both ring neighbours in it, in order.
            let contiguous = gone.contains { a in gone.contains((a + 1) % 10) && gone.contains((a + 2) % 10) }
            #expect(contiguous, "molecule \(m): \(gone) is not one piece")
            starts.insert(gone.sorted().first ?? -1)
            let edges = (0 ..< view.edgeCount).filter { view.source($0) / 10 == m }
            #expect(edges.count == 12, "molecule \(m): \(edges.count) directed edges left, expected 12")
            #expect(edges.allSatisfy { !gone.contains(view.source($0) % 10) && !gone.contains(view.target($0) % 10) })
        }
        #expect(starts.count > 5, "the piece starts at the same place in every molecule")
        let alone = Self.rings(1, size: 10, molecules: [2042])
        #expect(Array(augmentation.apply(to: alone, seed: 11, step: 5, view: 1).atomFeatures)
                == Array(view.atomFeatures[420 * 57 ..< 430 * 57]), "the piece depends on the batch")
        #expect(augmentation.apply(to: graph, seed: 11, step: 6, view: 1) != view, "the same pieces at the next step")
    }
}
