/// The global encoder: a Molecule Attention Transformer-style graph transformer (Maziarka et al.,
/// arXiv:2002.08264), pre-LayerNorm, in the LGM-CL authors' form (`GT` in graph_model.py).
///
///   x⁰ = Dropout(W_e x)
///   x  = x + Dropout(MHA(LN(x)));  x = x + Dropout(FF(LN(x)))          per layer
///   MHA: P = λ_att · softmax(QKᵀ/√d_k) + λ_adj · (A + I)/rowsum,  out = W_o [P V]_heads
///   FF(x) = Dropout(LeakyReLU(W₂ Dropout(LeakyReLU(W₁ x))))
///   atom output = GELU(W_out LN(x));  molecule vector = mean over its atoms (`readout`)
/// λ = (λ_att, λ_adj) is one trainable pair per layer (init (1, 0)), shared by the heads;
/// attention dropout (p = 0.5) acts on the mixed P. Attention is computed per molecule (the
/// authors' −1e9 mask makes the cross-molecule weights exactly 0), so cost is Σ nᵢ².
public final class GraphTransformer<Scalar: TensorScalar>: Module, StateDictNamed {
    let embedding: Linear<Scalar>
    let embeddingDropout: Dropout<Scalar>
    let layers: [GraphTransformerLayer<Scalar>]
    let finalNorm: LayerNorm<Scalar>
    let output: Linear<Scalar>
    let readout: GraphReadout

    static var stateDictNames: [String: String] {
        ["embedding": "GraphTransformer.src_embed.lin", "layers": "GraphTransformer.encoder.layers",
         "finalNorm": "GraphTransformer.encoder.norm", "output": "linear"]
    }

    public init(_ configuration: GraphTransformerConfiguration) {
        let d = configuration.width
        embedding = Linear(configuration.atomFeatures, d)
        embeddingDropout = Dropout(configuration.dropout, at: DropoutSite(.graphTransformer, layer: 0, 0))
        layers = (0..<configuration.layers).map { GraphTransformerLayer(configuration, layer: $0 + 1) }
        finalNorm = LayerNorm(d, eps: Scalar(configuration.layerNormEpsilon))
        output = Linear(d, configuration.output)
        readout = configuration.pooling
    }

    /// Atom vectors (A × output) and molecule vectors (M × output).
    func callAsFunction(_ graph: PackedGraph<Scalar>, _ stream: RandomStream?)
        -> (atoms: Tensor<Scalar>, molecules: Tensor<Scalar>) {
        // Atom embedding
        var x = embeddingDropout(embedding(graph.atoms), stream, rows: graph.atomRows)
        for layer in layers { x = layer(x, graph, stream) }
        let atoms = output(finalNorm(x)).gelu()
        // Molecule embedding
        return (atoms, readout(atoms, offsets: graph.atomOffsets))
    }
}

final class GraphTransformerLayer<Scalar: TensorScalar>: Module, StateDictNamed {
    let attentionNorm: LayerNorm<Scalar>
    let query: Linear<Scalar>
    let key: Linear<Scalar>
    let value: Linear<Scalar>
    let attentionOutput: Linear<Scalar>
    /// (λ_att, λ_adj).
    let lambdas: Parameter<Scalar>
    let feedForwardNorm: LayerNorm<Scalar>
    let feedForward: [Linear<Scalar>]
    let attentionDropout: Dropout<Scalar>
    let attendedDropout: Dropout<Scalar>
    let feedForwardDropouts: [Dropout<Scalar>]
    let outputDropout: Dropout<Scalar>
    let heads: Int
    let headDimension: Int
    let slope: Scalar

    static var stateDictNames: [String: String] {
        ["attentionNorm": "sublayer.0.norm", "query": "self_attn.linears.0", "key": "self_attn.linears.1",
         "value": "self_attn.linears.2", "attentionOutput": "self_attn.linears.3", "lambdas": "self_attn.lambdas",
         "feedForwardNorm": "sublayer.1.norm", "feedForward": "feed_forward.linears"]
    }

    init(_ c: GraphTransformerConfiguration, layer: Int) {
        let d = c.width, eps = Scalar(c.layerNormEpsilon)
        attentionNorm = LayerNorm(d, eps: eps)
        query = Linear(d, d)
        key = Linear(d, d)
        value = Linear(d, d)
        attentionOutput = Linear(d, d)
        lambdas = Parameter(Tensor([Scalar(c.lambdaAttention), Scalar(1 - c.lambdaAttention)], shape: [2]))
        feedForwardNorm = LayerNorm(d, eps: eps)
        feedForward = (0..<c.feedForwardLayers).map { _ in Linear(d, d) }
        attentionDropout = Dropout(c.attentionDropout, at: DropoutSite(.graphTransformer, layer: layer, 0))
        attendedDropout = Dropout(c.dropout, at: DropoutSite(.graphTransformer, layer: layer, 1))
        feedForwardDropouts = (0..<c.feedForwardLayers).map {
            Dropout(c.dropout, at: DropoutSite(.graphTransformer, layer: layer, 2 + $0))
        }
        // Place 100 leaves room for up to 98 feed-forward layers before it (sites stay as they were).
        outputDropout = Dropout(c.dropout, at: DropoutSite(.graphTransformer, layer: layer, 100))
        heads = c.heads
        headDimension = c.headDimension
        slope = Scalar(c.leakySlope)
    }

    func callAsFunction(_ x: Tensor<Scalar>, _ graph: PackedGraph<Scalar>, _ stream: RandomStream?) -> Tensor<Scalar> {
        let rows = graph.atomRows
        let y = x + attendedDropout(attention(attentionNorm(x), graph, stream), stream, rows: rows)
        var f = feedForwardNorm(y)
        for (linear, dropout) in zip(feedForward, feedForwardDropouts) {
            f = dropout(linear(f).leakyReLU(slope: slope), stream, rows: rows)
        }
        return y + outputDropout(f, stream, rows: rows)
    }

    /// Multi-head attention within each molecule, mixed with its normalised adjacency.
    private func attention(_ x: Tensor<Scalar>, _ graph: PackedGraph<Scalar>, _ stream: RandomStream?) -> Tensor<Scalar> {
        let h = heads, dk = headDimension
        let q = query(x), k = key(x), v = value(x)                                  // A × d
        let lambda = lambdas.value
        let lambdaAttention = lambda.sliced(axis: 0, 0..<1), lambdaAdjacency = lambda.sliced(axis: 0, 1..<2)
        let scale = 1 / Scalar(dk).squareRoot()
        var perMolecule: [Tensor<Scalar>] = []
        for m in 0..<graph.moleculeCount {
            let atoms = graph.atomOffsets[m]..<graph.atomOffsets[m + 1]
            let n = atoms.count
            guard n > 0 else { continue }
            func heads(_ t: Tensor<Scalar>) -> Tensor<Scalar> {               // n × d → h × n × d_k
                t.sliced(axis: 0, atoms).reshaped([n, h, dk]).permuted([1, 0, 2])
            }
            let scores = matmul(heads(q), heads(k), transposeB: true) * scale   // h × n × n
            var p = scores.softmax() * lambdaAttention + graph.adjacency[m] * lambdaAdjacency
            p = attentionDropout(p.reshaped([1, h, n, n]), stream, rows: .molecules([graph.molecules[m]])).reshaped([h, n, n])
            perMolecule.append(matmul(p, heads(v)).permuted([1, 0, 2]).reshaped([n, h * dk]))
        }
        return attentionOutput(concatenated(perMolecule, axis: 0))
    }
}
