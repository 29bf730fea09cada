/// The one bridge from the data store to the model: a batch as read from a dataset file, as the
/// model's inputs. Every molecule's dataset index travels along: it keys its dropout masks.
extension ModelInputs {
    public init(_ batch: MoleculeBatch) {
        let molecules = batch.moleculeIndices
        self.init(graph: GraphInput(atomFeatures: batch.atomFeatures, edgeIndex: batch.edgeIndex, bondFeatures: batch.bondFeatures,
                                    atomOffsets: batch.atomOffsets.map(Int.init), moleculeIndices: molecules),
                  smiles: TokenInput(batch.smilesTokens, molecules: molecules),
                  descriptions: TokenInput(batch.descriptionTokens, molecules: molecules),
                  fingerprints: batch.fingerprints)
    }
}

extension TokenInput {
    init(_ tokens: TokenMatrix, molecules: [Int]) {
        self.init(ids: tokens.ids, mask: tokens.mask, rows: tokens.rows, length: tokens.length, moleculeIndices: molecules)
    }
}
