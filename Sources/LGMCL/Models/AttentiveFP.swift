/// The local encoder: AttentiveFP message passing (Xiong et al., J. Med. Chem. 63, 8749 (2020),
/// doi:10.1021/acs.jmedchem.9b00959) in the LGM-CL authors' form (`GAT` in graph_model.py).
///
/// Layer 1, on atom features x and bond features e:
///   h⁰ᵢ = LeakyReLU(W₁ xᵢ)
///   mⱼᵢ = LeakyReLU(W₂ [xⱼ ‖ eⱼᵢ])                     message from neighbour j
///   αⱼᵢ = softmaxⱼ LeakyReLU(w · [h⁰ᵢ ‖ mⱼᵢ])            over the neighbours of i
///   cᵢ  = ELU(Σⱼ αⱼᵢ W_a h⁰ⱼ)                            cᵢ = h⁰ᵢ when i has no neighbours
///   h¹ᵢ = GRUCell(cᵢ, h⁰ᵢ)
/// Layers l ≥ 2 score [hᵢ ‖ hⱼ] and pass W_a hⱼ; the authors apply one such layer for every l ≥ 2.
/// Atom output = GELU(Linear(mean over l of hˡ)); molecule vector = mean over its atoms (`readout`).
/// Dropout (p = 0.5) on the score input and on the states before W_a, in every layer.
public final class AttentiveFP<Scalar: TensorScalar>: Module, StateDictNamed {
    let configuration: AttentiveFPConfiguration
    let first: FirstAttentiveLayer<Scalar>
    let later: AttentiveLayer<Scalar>
    let output: Linear<Scalar>

    static var stateDictNames: [String: String] {
        ["first": "GATlayerV1", "later": "GATlayerV2", "output": "linear"]
    }

    public init(_ configuration: AttentiveFPConfiguration) {
        self.configuration = configuration
        first = FirstAttentiveLayer(configuration)
        later = AttentiveLayer(configuration)
        output = Linear(configuration.hidden, configuration.hidden)
    }

    /// Atom vectors (A × H) and molecule vectors (M × H).
    func callAsFunction(_ graph: PackedGraph<Scalar>, _ stream: RandomStream?)
        -> (atoms: Tensor<Scalar>, molecules: Tensor<Scalar>) {
        // Atom embedding
        var h = first(graph, stream)
        var total = h
        for layer in 1..<configuration.layers {
            h = later(h, graph, stream, layer: layer)
            total = total + h
        }
        let atoms = output(total / Scalar(configuration.layers)).gelu()
        // Molecule embedding
        return (atoms, configuration.pooling(atoms, offsets: graph.atomOffsets))
    }
}

/// `GATlayerV1`: messages from [neighbour features ‖ bond features].
final class FirstAttentiveLayer<Scalar: TensorScalar>: Module, StateDictNamed {
    let atomEmbedding: Linear<Scalar>
    let message: Linear<Scalar>
    let score: Linear<Scalar>
    let neighbourTransform: Linear<Scalar>
    let update: GRUCell<Scalar>
    let scoreDropout: Dropout<Scalar>
    let transformDropout: Dropout<Scalar>
    let slope: Scalar
    let eluAlpha: Scalar

    static var stateDictNames: [String: String] {
        ["atomEmbedding": "atom_fc1", "message": "atom_fc2", "score": "W", "neighbourTransform": "attend",
         "update": "GRUcell"]
    }

    init(_ c: AttentiveFPConfiguration) {
        let hidden = c.hidden
        atomEmbedding = Linear(c.atomFeatures, hidden)
        message = Linear(c.atomFeatures + c.bondFeatures, hidden)
        score = Linear(2 * hidden, 1)
        neighbourTransform = Linear(hidden, hidden)
        update = GRUCell(hidden, hidden)
        scoreDropout = Dropout(c.dropout, at: DropoutSite(.local, layer: 0, 0))
        transformDropout = Dropout(c.dropout, at: DropoutSite(.local, layer: 0, 1))
        slope = Scalar(c.leakySlope)
        eluAlpha = Scalar(c.eluAlpha)
    }

    func callAsFunction(_ graph: PackedGraph<Scalar>, _ stream: RandomStream?) -> Tensor<Scalar> {
        let h0 = atomEmbedding(graph.atoms).leakyReLU(slope: slope)
        let m = message(concatenated([graph.atoms.gathered(rows: graph.sources), graph.bonds], axis: 1))
            .leakyReLU(slope: slope)
        let pairs = concatenated([h0.gathered(rows: graph.targets), m], axis: 1)
        let s = score(scoreDropout(pairs, stream, rows: graph.edgeRows)).leakyReLU(slope: slope)
        let transformed = neighbourTransform(transformDropout(h0, stream, rows: graph.atomRows))
        let contextVector = attend(s, transformed, graph, eluAlpha: eluAlpha) + h0 * graph.isolated
        return update(contextVector, h0)
    }
}

/// `GATlayerV2`: attention over [hᵢ ‖ hⱼ].
final class AttentiveLayer<Scalar: TensorScalar>: Module, StateDictNamed {
    let score: Linear<Scalar>
    let neighbourTransform: Linear<Scalar>
    let update: GRUCell<Scalar>
    /// The weights are shared by layers 2…L, the masks are not: one dropout per layer it serves.
    let scoreDropouts: [Dropout<Scalar>]
    let transformDropouts: [Dropout<Scalar>]
    let slope: Scalar
    let eluAlpha: Scalar

    static var stateDictNames: [String: String] {
        ["score": "atom_fc1", "neighbourTransform": "atom_fc2", "update": "GRUcell"]
    }

    init(_ c: AttentiveFPConfiguration) {
        score = Linear(2 * c.hidden, 1)
        neighbourTransform = Linear(c.hidden, c.hidden)
        update = GRUCell(c.hidden, c.hidden)
        let layers = 1..<Swift.max(c.layers, 1)
        scoreDropouts = layers.map { Dropout(c.dropout, at: DropoutSite(.local, layer: $0, 0)) }
        transformDropouts = layers.map { Dropout(c.dropout, at: DropoutSite(.local, layer: $0, 1)) }
        slope = Scalar(c.leakySlope)
        eluAlpha = Scalar(c.eluAlpha)
    }

    /// Layer `layer` (1 ≤ layer < L; the first layer is 0).
    func callAsFunction(_ h: Tensor<Scalar>, _ graph: PackedGraph<Scalar>, _ stream: RandomStream?,
                        layer: Int) -> Tensor<Scalar> {
        let pairs = concatenated([h.gathered(rows: graph.targets), h.gathered(rows: graph.sources)], axis: 1)
        let s = score(scoreDropouts[layer - 1](pairs, stream, rows: graph.edgeRows)).leakyReLU(slope: slope)
        let transformed = neighbourTransform(transformDropouts[layer - 1](h, stream, rows: graph.atomRows))
        let contextVector = attend(s, transformed, graph, eluAlpha: eluAlpha) + h * graph.isolated
        return update(contextVector, h)
    }
}

/// cᵢ = ELU(Σⱼ softmaxⱼ(sⱼᵢ) · tⱼ) over the incoming edges of each atom; 0 for an atom without
/// any (ELU(0) = 0), where the caller adds the atom's own state instead.
private func attend<Scalar>(_ scores: Tensor<Scalar>, _ transformed: Tensor<Scalar>, _ graph: PackedGraph<Scalar>,
                            eluAlpha: Scalar) -> Tensor<Scalar> {
    let alpha = scores.segmentSoftmax(offsets: graph.incomingOffsets)          // E × 1
    let weighted = transformed.gathered(rows: graph.sources) * alpha            // E × H
    return weighted.segmentSum(offsets: graph.incomingOffsets).elu(alpha: eluAlpha)
}

extension GRUCell: StateDictNamed {
    static var stateDictNames: [String: String] {
        ["weightIH": "weight_ih", "weightHH": "weight_hh", "biasIH": "bias_ih", "biasHH": "bias_hh"]
    }
}
