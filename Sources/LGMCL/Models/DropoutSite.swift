/// Where in the model a dropout sits (component, layer, place within the layer): the `site` of
/// the engine's keyed dropout, unique within the model so no two places share a mask.
struct DropoutSite {
    let id: UInt32

    init(_ component: Component, layer: Int = 0, _ place: Int = 0) {
        id = component.rawValue << 24 | UInt32(layer & 0xFFF) << 12 | UInt32(place & 0xFFF)
    }

    enum Component: UInt32 {
        case local = 1, graphTransformer, graphProjection, text, textProjection, fingerprints, prediction
    }
}

/// Dropout at `site` when a training step's stream is given; the identity in evaluation.
func dropout<S>(_ x: Tensor<S>, _ rate: Double, _ stream: RandomStream?, _ site: DropoutSite,
                _ rows: MoleculeRows) -> Tensor<S> {
    dropout(x, rate: S(rate), stream: stream, site: site.id, rows: rows)
}
