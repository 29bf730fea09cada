@testable import LGMCL
import Testing

/// The two views of a molecule that pass through shared layers (the projection heads, the text
/// encoder) must draw independent dropout masks: with one mask for both, a contrastive loss
/// matches positives by their common mask, and a model that ignores its input reaches a near-zero
/// training loss. Identical inputs for both views make shared masks visible as identical outputs.
struct ViewDropoutTests {
    static let model = LGMCLModel<Float>(Preset.tiny.configuration)
    let stream = RandomStream(seed: 7, step: 3)

    @Test func viewsDrawTheirOwnMasks() {
        let rows = MoleculeRows.molecules([4, 9])
        let ones = Tensor<Float>.ones([2, 64])
        let first = dropout(ones, rate: 0.5, stream: stream, site: 3, rows: rows).scalars
        #expect(dropout(ones, rate: 0.5, stream: stream.forView(0), site: 3, rows: rows).scalars == first)
        let second = dropout(ones, rate: 0.5, stream: stream.forView(1), site: 3, rows: rows).scalars
        #expect(second != first)
        // Still keyed by molecule, not by position: the same molecule in another batch, same view.
        let moved = dropout(Tensor<Float>.ones([3, 64]), rate: 0.5, stream: stream.forView(1), site: 3, rows: .molecules([1, 9, 4]))
        #expect(Array(moved.scalars[128..<192]) == Array(second[0..<64]) && Array(moved.scalars[64..<128]) == Array(second[64..<128]))
    }

    @Test func textViewsDifferUnderDropoutWithIdenticalInputs() {
        let length = 6
        let ids: [Int32] = (0..<(2 * length)).map { Int32(5 + $0 % 11) }
        let tokens = TokenInput(ids: ids, mask: [Float](repeating: 1, count: 2 * length), rows: 2, length: length, moleculeIndices: [10, 11])
        let trained = Self.model.textEmbeddings(smiles: tokens, descriptions: tokens, stream)
        #expect(trained.smiles.scalars != trained.description.scalars, "both texts got the same dropout masks")
        // Without dropout the same input gives the same vector: the difference above is the masks.
        let evaluated = Tape.withoutGradients { Self.model.textEmbeddings(smiles: tokens, descriptions: tokens) }
        #expect(evaluated.smiles.scalars == evaluated.description.scalars)
    }

    /// graphEmbeddings passes the global vector through the shared head with the second view's
    /// stream, the local one with the step's own.
    @Test func graphEmbeddingsUseAStreamPerView() {
        // Two molecules: 2 atoms with one bond, 3 atoms in a chain; edges both directions.
        let atoms = (0..<(5 * 57)).map { Float(($0 * 37) % 11) / 10 }
        let edges: [Int32] = [0, 1, 1, 0, 2, 3, 3, 2, 3, 4, 4, 3]
        let bonds = (0..<(6 * 15)).map { Float($0 % 15 == 1 ? 1 : 0) }
        let graph = GraphInput(atomFeatures: atoms, edgeIndex: edges, bondFeatures: bonds, atomOffsets: [0, 2, 5], moleculeIndices: [3, 8])
        let model = Self.model
        let embeddings = model.graphEmbeddings(graph, stream)
        let local = model.localVectors(graph, stream), global = model.globalVectors(graph, stream)
        #expect(embeddings.local.scalars == model.graphProjection(local, molecules: [3, 8], stream).scalars)
        #expect(embeddings.global.scalars == model.graphProjection(global, molecules: [3, 8], stream.forView(1)).scalars)
        #expect(embeddings.global.scalars != model.graphProjection(global, molecules: [3, 8], stream).scalars)
    }
}
