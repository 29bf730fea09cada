/// Where in the model a dropout sits (component, layer, place within the layer): the site of its
/// keyed masks, unique within the model. Layer 0 is a component's input side (embeddings); its
/// layers count from 1.
struct DropoutSite {
    let id: UInt32

    init(_ component: Component, layer: Int = 0, _ place: Int = 0) {
        id = component.rawValue << 24 | UInt32(layer & 0xFFF) << 12 | UInt32(place & 0xFFF)
    }

    enum Component: UInt32 {
        case local = 1, graphTransformer, graphProjection, text, textProjection, fingerprints, prediction
    }
}

extension Dropout {
    convenience init(_ rate: Double, at site: DropoutSite) {
        self.init(Scalar(rate), site: site.id)
    }
}
