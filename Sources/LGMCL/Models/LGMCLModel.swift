/// LGM-CL: the local (AttentiveFP) and global (graph transformer) graph encoders, the DeBERTa text
/// encoder shared by SMILES and descriptions, the fingerprint MLP, the contrastive projection
/// heads and the gated cross-attention fusion, with one entry point per stage:
///
///   stage 1  graphEmbeddings:  head(mean local atoms), head(mean global atoms)
///   stage 2  textEmbeddings:   head(pool DeBERTa(SMILES)), head(pool DeBERTa(description))
///   stage 3  predictions:      G = CA(local, global), T = CA(SMILES, description),
///                              GF = CA(G, FP), TF = CA(T, FP), MLP([GF ‖ TF])
///                              (with `FusionMode.residual`: GF = G + CA(G, FP), TF = T + CA(T, FP);
///                              `.residualFingerprints`: those, and MLP([GF ‖ TF ‖ FP]))
///
/// Parameter names are the PyTorch state-dict names of the authors' fine-tuning model with HF's
/// DeBERTa (`AttentiveFP.*`, `GT.*`, `DeBERTa.*`, `FPN.MLP.*`, `CrossAttention1…4.*`, `MLP.*`)
/// plus the pretraining heads `projection_head.*` and `MLPHead.*` (docs/models.md).
public final class LGMCLModel<Scalar: TensorScalar>: Module, StateDictNamed {
    public let configuration: ModelConfiguration
    let local: AttentiveFP<Scalar>
    let global: GraphTransformer<Scalar>
    let text: DeBERTaEncoder<Scalar>
    let fingerprints: FingerprintMLP<Scalar>
    let graphFusion: GatedCrossAttention<Scalar>
    let textFusion: GatedCrossAttention<Scalar>
    let textFingerprintFusion: GatedCrossAttention<Scalar>
    let graphFingerprintFusion: GatedCrossAttention<Scalar>
    let prediction: PredictionHead<Scalar>
    let graphProjection: ProjectionHead<Scalar>
    let textProjection: ProjectionHead<Scalar>

    static var stateDictNames: [String: String] {
        ["local": "AttentiveFP", "global": "GT", "text": "DeBERTa", "fingerprints": "FPN",
         "graphFusion": "CrossAttention1", "textFusion": "CrossAttention2",
         "textFingerprintFusion": "CrossAttention3", "graphFingerprintFusion": "CrossAttention4",
         "prediction": "MLP", "graphProjection": "projection_head", "textProjection": "MLPHead"]
    }

    /// The components' state-dict prefixes, for loading pretrained parts by name.
    public enum Component: String, CaseIterable, Sendable {
        case local = "AttentiveFP", global = "GT", text = "DeBERTa", fingerprints = "FPN"
        case fusion = "CrossAttention", prediction = "MLP"
        case graphProjection = "projection_head", textProjection = "MLPHead"

        /// Whether a state-dict name is one of this component's parameters: `<prefix>.…` or,
        /// for numbered instances, `<prefix>N.…` (the fusion's `CrossAttention1…4`; those of
        /// `MLP` are not those of `MLPHead`).
        public func owns(_ parameterName: String) -> Bool {
            guard parameterName.hasPrefix(rawValue) else { return false }
            return parameterName.dropFirst(rawValue.count).drop(while: \.isNumber).first == "."
        }
    }

    public init(_ configuration: ModelConfiguration) {
        self.configuration = configuration
        let c = configuration, w = c.fusion.width
        local = AttentiveFP(c.local)
        global = GraphTransformer(c.graphTransformer)
        text = DeBERTaEncoder(c.text)
        fingerprints = FingerprintMLP(c.fusion)
        graphFusion = GatedCrossAttention(query: c.local.hidden, keyValue: c.graphTransformer.output, width: w)
        textFusion = GatedCrossAttention(query: c.text.hidden, keyValue: c.text.hidden, width: w)
        textFingerprintFusion = GatedCrossAttention(query: w, keyValue: c.fusion.fingerprintOutput, width: w)
        graphFingerprintFusion = GatedCrossAttention(query: w, keyValue: c.fusion.fingerprintOutput, width: w)
        prediction = PredictionHead(c.fusion)
        graphProjection = ProjectionHead(c.graphProjection, activation: .relu, site: .graphProjection)
        textProjection = ProjectionHead(c.textProjection, activation: .gelu, site: .textProjection)
    }

    /// Pooled encoder outputs before any head (the `embed` views): local and global molecule
    /// vectors (M × H), SMILES or description vectors (M × d).
    public func localVectors(_ graph: GraphInput, _ stream: RandomStream? = nil) -> Tensor<Scalar> {
        local(PackedGraph(graph), stream).molecules
    }

    public func globalVectors(_ graph: GraphInput, _ stream: RandomStream? = nil) -> Tensor<Scalar> {
        global(PackedGraph(graph), stream).molecules
    }

    public func textVectors(_ tokens: TokenInput, _ stream: RandomStream? = nil) -> Tensor<Scalar> {
        text(tokens, stream).pooled
    }

    /// Stage 1: the projected local and global molecule vectors (M × graph projection output).
    public func graphEmbeddings(_ graph: GraphInput, _ stream: RandomStream? = nil) -> GraphEmbeddings<Scalar> {
        let packed = PackedGraph<Scalar>(graph)
        return graphEmbeddings(local: local(packed, stream), global: global(packed, stream), graph.moleculeIndices, stream)
    }

    /// Stage 1 with each encoder on its own view of the same molecules (augmented graphs).
    public func graphEmbeddings(local localGraph: GraphInput, global globalGraph: GraphInput,
                                _ stream: RandomStream? = nil) -> GraphEmbeddings<Scalar> {
        precondition(localGraph.moleculeIndices == globalGraph.moleculeIndices, "graphEmbeddings: the views hold other molecules")
        return graphEmbeddings(local: local(PackedGraph(localGraph), stream), global: global(PackedGraph(globalGraph), stream),
                               localGraph.moleculeIndices, stream)
    }

    private func graphEmbeddings(local l: (atoms: Tensor<Scalar>, molecules: Tensor<Scalar>),
                                 global g: (atoms: Tensor<Scalar>, molecules: Tensor<Scalar>), _ graph: [Int],
                                 _ stream: RandomStream?) -> GraphEmbeddings<Scalar> {
        // The projection head is shared: each view draws its own masks there.
        return GraphEmbeddings(
            localAtoms: l.atoms, globalAtoms: g.atoms, localPooled: l.molecules, globalPooled: g.molecules,
            local: graphProjection(l.molecules, molecules: graph, stream),
            global: graphProjection(g.molecules, molecules: graph, stream?.forView(1)))
    }

    /// The positive control beyond the paper (`graph-self`): the local encoder on two views of the
    /// same molecules, each view with its own dropout masks, both through the graph head.
    public func localViewEmbeddings(_ first: GraphInput, _ second: GraphInput,
                                    _ stream: RandomStream? = nil) -> ViewPairEmbeddings<Scalar> {
        precondition(first.moleculeIndices == second.moleculeIndices, "localViewEmbeddings: the views hold other molecules")
        let secondStream = stream?.forView(1)
        let a = local(PackedGraph(first), stream).molecules, b = local(PackedGraph(second), secondStream).molecules
        return ViewPairEmbeddings(firstPooled: a, secondPooled: b,
                                  first: graphProjection(a, molecules: first.moleculeIndices, stream),
                                  second: graphProjection(b, molecules: first.moleculeIndices, secondStream))
    }

    /// Stage 2: the projected SMILES and description vectors (M × text projection output).
    public func textEmbeddings(smiles: TokenInput, descriptions: TokenInput,
                               _ stream: RandomStream? = nil) -> TextEmbeddings<Scalar> {
        // Encoder and head are shared by both texts: each view draws its own masks.
        let descriptionStream = stream?.forView(1)
        let s = text(smiles, stream), d = text(descriptions, descriptionStream)
        return TextEmbeddings(
            smilesTokens: s.tokens, descriptionTokens: d.tokens, smilesPooled: s.pooled, descriptionPooled: d.pooled,
            smiles: textProjection(s.pooled, molecules: smiles.moleculeIndices, stream),
            description: textProjection(d.pooled, molecules: descriptions.moleculeIndices, descriptionStream))
    }

    /// Stage 3: task outputs (M × tasks; logits for classification) and the fused vectors.
    /// `fingerprints`: M × 1489 values.
    public func predictions(graph: GraphInput, smiles: TokenInput, descriptions: TokenInput, fingerprints fp: [Float],
                            _ stream: RandomStream? = nil) -> FusedOutputs<Scalar> {
        let m = graph.moleculeCount
        return predictions(graph: graph, atomFeatures: nil, smiles: smiles, descriptions: descriptions,
                           fingerprints: Tensor(fp.map { Scalar($0) }, shape: [m, fp.count / max(m, 1)]), stream)
    }

    /// Stage 3 with the atom features (A × atom features; nil: the graph's own) and the
    /// fingerprints (M × 1489) given as tensors, which integrated gradients differentiates by.
    public func predictions(graph: GraphInput, atomFeatures: Tensor<Scalar>?, smiles: TokenInput, descriptions: TokenInput,
                            fingerprints fp: Tensor<Scalar>, _ stream: RandomStream? = nil) -> FusedOutputs<Scalar> {
        let molecules = graph.moleculeIndices, m = graph.moleculeCount
        precondition(smiles.rows == m && descriptions.rows == m && fp.shape == [m, configuration.fusion.fingerprintFeatures],
                     "predictions: \(m) graphs, \(smiles.rows) SMILES, \(descriptions.rows) descriptions, fingerprints \(fp.shape)")
        var packed = PackedGraph<Scalar>(graph)
        if let atomFeatures {
            precondition(atomFeatures.shape == packed.atoms.shape, "predictions: atom features \(atomFeatures.shape) for \(packed.atoms.shape)")
            packed.atoms = atomFeatures
        }
        let l = local(packed, stream).molecules, g = global(packed, stream).molecules
        let s = text(smiles, stream).pooled, d = text(descriptions, stream?.forView(1)).pooled
        let f = fingerprints(fp, molecules: molecules, stream)
        let fusedGraph = graphFusion(l, g), fusedText = textFusion(s, d)
        var graphWithFingerprints = graphFingerprintFusion(fusedGraph, f)
        var textWithFingerprints = textFingerprintFusion(fusedText, f)
        if configuration.fusion.mode.addsViews {
            graphWithFingerprints = fusedGraph + graphWithFingerprints
            textWithFingerprints = fusedText + textWithFingerprints
        }
        let headInput = [graphWithFingerprints, textWithFingerprints] + (configuration.fusion.mode.readsFingerprints ? [f] : [])
        var outputs = prediction(concatenated(headInput, axis: 1), molecules: molecules, stream)
        var variances: Tensor<Scalar>?
        if configuration.fusion.predictsVariance {
            let tasks = configuration.fusion.tasks
            let raw = outputs.sliced(axis: 1, tasks ..< 2 * tasks)
            // softplus(x) = max(x, 0) + log(1 + exp(−|x|)), which never overflows.
            variances = raw.relu() + ((-raw.abs()).exp() + Scalar(1)).log() + Scalar(1e-6)
            outputs = outputs.sliced(axis: 1, 0 ..< tasks)
        }
        return FusedOutputs(local: l, global: g, smiles: s, description: d, fingerprints: f, graph: fusedGraph,
                            text: fusedText, graphWithFingerprints: graphWithFingerprints,
                            textWithFingerprints: textWithFingerprints, predictions: outputs, variances: variances)
    }
}

public struct GraphEmbeddings<Scalar: TensorScalar> {
    public let localAtoms: Tensor<Scalar>
    public let globalAtoms: Tensor<Scalar>
    /// Pooled molecule vectors before the projection head (what fine-tuning reads).
    public let localPooled: Tensor<Scalar>
    public let globalPooled: Tensor<Scalar>
    /// Projected molecule vectors, the inputs of the graph NT-Xent.
    public let local: Tensor<Scalar>
    public let global: Tensor<Scalar>
}

/// Two views of the same molecules through one encoder and its head.
public struct ViewPairEmbeddings<Scalar: TensorScalar> {
    public let firstPooled: Tensor<Scalar>
    public let secondPooled: Tensor<Scalar>
    public let first: Tensor<Scalar>
    public let second: Tensor<Scalar>
}

public struct TextEmbeddings<Scalar: TensorScalar> {
    public let smilesTokens: Tensor<Scalar>
    public let descriptionTokens: Tensor<Scalar>
    public let smilesPooled: Tensor<Scalar>
    public let descriptionPooled: Tensor<Scalar>
    /// Projected vectors, the inputs of the text NT-Xent.
    public let smiles: Tensor<Scalar>
    public let description: Tensor<Scalar>
}

public struct FusedOutputs<Scalar: TensorScalar> {
    /// Pooled encoder outputs (M × …).
    public let local, global, smiles, description, fingerprints: Tensor<Scalar>
    /// G, T, GF, TF.
    public let graph, text, graphWithFingerprints, textWithFingerprints: Tensor<Scalar>
    /// M × tasks.
    public let predictions: Tensor<Scalar>
    /// M × tasks with a mean–variance head: σ² = softplus(raw) + 1e-6 (chemprop's MVE, floored
    /// so that Float32 never takes the log of 0); nil otherwise.
    public var variances: Tensor<Scalar>? = nil
}

/// The authors' prediction `MLP`: Dropout–Linear(n, n)–ReLU–Dropout–Linear(n, tasks), n = 2d (the
/// width of [GF ‖ TF]), or 2d + the fingerprint MLP's output when the head reads FP too.
final class PredictionHead<Scalar: TensorScalar>: Module, StateDictNamed {
    let inputDropout: Dropout<Scalar>
    let hidden: Linear<Scalar>
    let hiddenDropout: Dropout<Scalar>
    let output: Linear<Scalar>

    static var stateDictNames: [String: String] { ["hidden": "1", "output": "4"] }

    init(_ c: FusionConfiguration) {
        inputDropout = Dropout(c.predictionDropout, at: DropoutSite(.prediction, layer: 0))
        hiddenDropout = Dropout(c.predictionDropout, at: DropoutSite(.prediction, layer: 1))
        let n = c.headInputWidth
        hidden = Linear(n, n)
        output = Linear(n, c.predictsVariance ? 2 * c.tasks : c.tasks)
    }

    func callAsFunction(_ x: Tensor<Scalar>, molecules: [Int], _ stream: RandomStream?) -> Tensor<Scalar> {
        let rows = MoleculeRows.molecules(molecules)
        let h = hidden(inputDropout(x, stream, rows: rows)).relu()
        return output(hiddenDropout(h, stream, rows: rows))
    }
}
