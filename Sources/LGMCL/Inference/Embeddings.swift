/// Molecule vectors of one or more views, computed batch by batch without dropout.
public struct Embedder {
    public let model: LGMCLModel<Float>
    public let views: [EmbeddingView]

    public init(model: LGMCLModel<Float>, views: [EmbeddingView]) {
        self.model = model
        self.views = views
    }

    public var widths: [Int] { views.map { $0.width(model.configuration) } }
    public var width: Int { widths.reduce(0, +) }

    /// batch.count × `width` values: each molecule's views concatenated in `views` order.
    public func callAsFunction(_ batch: MoleculeBatch) -> [Float] {
        let inputs = ModelInputs(batch)
        let blocks: [Tensor<Float>] = views.map { view in
            switch view {
            case .local: return model.localVectors(inputs.graph)
            case .global: return model.globalVectors(inputs.graph)
            case .smiles: return model.textVectors(inputs.smiles)
            case .text: return model.textVectors(inputs.descriptions)
            case .fused:
                let outputs = model.predictions(inputs)
                return concatenated([outputs.graphWithFingerprints, outputs.textWithFingerprints], axis: 1)
            }
        }
        for (block, (view, width)) in zip(blocks, zip(views, widths)) {
            precondition(block.shape == [batch.count, width], "Embedder: view \(view.rawValue) has shape \(block.shape), expected [\(batch.count), \(width)]")
        }
        return concatenated(blocks, axis: 1).scalars
    }
}

/// The vectors of every molecule of an input: N × (sum of the views' widths), row-major, views
/// side by side in `views` order.
public struct Embeddings {
    public let views: [EmbeddingView]
    public let widths: [Int]
    public let values: [Float]

    public init(views: [EmbeddingView], widths: [Int], values: [Float]) {
        precondition(views.count == widths.count, "Embeddings: \(views.count) views, \(widths.count) widths")
        self.views = views
        self.widths = widths
        self.values = values
    }

    public var width: Int { widths.reduce(0, +) }
    public var count: Int { width == 0 ? 0 : values.count / width }

    /// Molecule `molecule`'s vector of view number `view`.
    public func vector(_ molecule: Int, view: Int) -> ArraySlice<Float> {
        let start = molecule * width + widths[..<view].reduce(0, +)
        return values[start ..< start + widths[view]]
    }

    /// N × width of view number `view`, row-major.
    public func matrix(view: Int) -> [Float] {
        var out: [Float] = []
        out.reserveCapacity(count * widths[view])
        for m in 0 ..< count { out += vector(m, view: view) }
        return out
    }
}
