/// The text encoder: DeBERTa's disentangled attention (He et al., ICLR 2021, arXiv:2006.03654;
/// v2/v3 variant) with Hugging Face `DebertaV2Model` semantics and parameter names.
///
///   E = mask ⊙ LN(word[ids] + position[0…L−1]),  dropout
///   R = LN_rel(rel_embeddings)                               2·buckets × d, shared by the layers
///   per layer, heads of width d_h, δ(i, j) = clamp(bucket(i − j) + buckets, 0, 2·buckets − 1):
///     S[i,j] = (Qᵢ·Kⱼ + Qᵢ·Kʳ[δ(i,j)] + Qʳ[δ(i,j)]·Kⱼ) / √(3·d_h)    Qʳ, Kʳ = query_proj R, key_proj R
///     a = LN(x + W_o softmax_j(S + mask) V);  y = LN(a + W₂ GELU(W₁ a))
///   after layer 1: y = mask ⊙ LN(y + GELU(mask ⊙ conv₃(E)))
///   pooled = Σᵢ maskᵢ yᵢ / max(Σᵢ maskᵢ, 1e-6)
public final class DeBERTaEncoder<Scalar: TensorScalar>: Module, StateDictNamed {
    let configuration: TextEncoderConfiguration
    let wordEmbeddings: Embedding<Scalar>
    let positionEmbeddings: Embedding<Scalar>
    let embeddingNorm: LayerNorm<Scalar>
    let embeddingDropout: Dropout<Scalar>
    let layers: [DeBERTaLayer<Scalar>]
    let relativeEmbeddings: Embedding<Scalar>
    let relativeNorm: LayerNorm<Scalar>
    let convolution: Parameter<Scalar>
    let convolutionBias: Parameter<Scalar>
    let convolutionNorm: LayerNorm<Scalar>
    let convolutionDropout: Dropout<Scalar>

    static var stateDictNames: [String: String] {
        ["wordEmbeddings": "embeddings.word_embeddings", "positionEmbeddings": "embeddings.position_embeddings",
         "embeddingNorm": "embeddings.LayerNorm", "layers": "encoder.layer",
         "relativeEmbeddings": "encoder.rel_embeddings", "relativeNorm": "encoder.LayerNorm",
         "convolution": "encoder.conv.conv.weight", "convolutionBias": "encoder.conv.conv.bias",
         "convolutionNorm": "encoder.conv.LayerNorm"]
    }

    public init(_ configuration: TextEncoderConfiguration) {
        self.configuration = configuration
        let d = configuration.hidden, eps = Scalar(configuration.layerNormEpsilon)
        wordEmbeddings = Embedding(configuration.vocabularySize, d)
        positionEmbeddings = Embedding(configuration.maxPositions, d)
        embeddingNorm = LayerNorm(d, eps: eps)
        embeddingDropout = Dropout(configuration.dropout, at: DropoutSite(.text, layer: 0, 0))
        layers = (0..<configuration.layers).map { DeBERTaLayer(configuration, layer: $0 + 1) }
        relativeEmbeddings = Embedding(2 * configuration.positionBuckets, d)
        relativeNorm = LayerNorm(d, eps: eps)
        let k = configuration.convolutionKernel
        let bound = 1 / Scalar(d * k).squareRoot()
        convolution = Parameter(Initialization.uniform([d, d, k], bound: bound))
        convolutionBias = Parameter(Initialization.uniform([d], bound: bound))
        convolutionNorm = LayerNorm(d, eps: eps)
        convolutionDropout = Dropout(configuration.dropout, at: DropoutSite(.text, layer: 0, 1))
    }

    /// Token states (M × L × d, zero at padding) and the masked mean (M × d). Rows of similar
    /// length run together, each group padded only to its own longest sequence (LengthGroups).
    func callAsFunction(_ tokens: TokenInput, _ stream: RandomStream?) -> (tokens: Tensor<Scalar>, pooled: Tensor<Scalar>) {
        guard tokens.rows > 0 && tokens.length > 0 else { return encoded(tokens, stream) }
        let split = LengthGroups(lengths: tokens.neededLengths, configuration)
        if split.groups.count == 1 && split.groups[0].length == tokens.length { return encoded(tokens, stream) }
        var states: [Tensor<Scalar>] = [], pooled: [Tensor<Scalar>] = []
        for group in split.groups {
            let part = encoded(tokens.selecting(rows: group.rows, length: group.length), stream)
            let padding = tokens.length - group.length
            states.append(padding == 0 ? part.tokens
                          : concatenated([part.tokens, .zeros([group.rows.count, padding, configuration.hidden])], axis: 1))
            pooled.append(part.pooled)
        }
        let batchOrder = split.stackedPosition
        return (concatenated(states, axis: 0).gathered(rows: batchOrder), concatenated(pooled, axis: 0).gathered(rows: batchOrder))
    }

    private func encoded(_ tokens: TokenInput, _ stream: RandomStream?) -> (tokens: Tensor<Scalar>, pooled: Tensor<Scalar>) {
        let c = configuration, rows = tokens.rows, length = tokens.length
        precondition(length <= c.maxPositions, "text encoder: \(length) tokens, at most \(c.maxPositions)")
        let mask = Tensor(tokens.mask.map { Scalar($0) }, shape: [rows, length, 1])
        let molecules = MoleculeRows.molecules(tokens.moleculeIndices)

        // Token embedding
        let words = wordEmbeddings(tokens.ids.map(Int.init), shape: [rows, length])
        let positions = positionEmbeddings.weight.value.sliced(axis: 0, 0..<length)
        let embedded = embeddingDropout(embeddingNorm(words + positions) * mask, stream, rows: molecules)

        // The relative positions this length uses: a contiguous window of the bucket table.
        let relative = RelativePositions(length: length, buckets: c.positionBuckets, maxRelative: c.maxRelativePositions)
        let table = relativeNorm(relativeEmbeddings.weight.value).sliced(axis: 0, relative.window)
        let additiveMask = Tensor(tokens.mask.map { $0 > 0 ? 0 : -Scalar.infinity }, shape: [rows, 1, 1, length])

        var x = embedded
        for (l, layer) in layers.enumerated() {
            x = layer(x, table: table, relative: relative, mask: additiveMask, molecules: molecules, stream)
            if l == 0 { x = convolved(embedded, residual: x, mask: mask, molecules: molecules, stream) }
        }
        // Sequence embedding
        let counts = Tensor((0..<rows).map { r in
            Scalar(Swift.max(tokens.mask[(r * length)..<(r * length + length)].reduce(0, +), 1e-6))
        }, shape: [rows, 1])
        let states = x * mask
        return (states, states.sum(axis: 1) / counts)
    }

    /// HF's ConvLayer: LN(residual + GELU(mask ⊙ conv(E))) ⊙ mask, kernel k, zero padding.
    private func convolved(_ e: Tensor<Scalar>, residual: Tensor<Scalar>, mask: Tensor<Scalar>, molecules: MoleculeRows,
                           _ stream: RandomStream?) -> Tensor<Scalar> {
        let c = configuration, d = c.hidden, k = c.convolutionKernel, rows = e.shape[0], length = e.shape[1]
        // Tap j reads position t + j − (k − 1)/2, zero outside the sequence.
        let taps: [Tensor<Scalar>] = (0..<k).map { j in
            let shift = j - (k - 1) / 2
            let kept = Swift.min(length, Swift.abs(shift))
            guard shift != 0 else { return e }
            let zeros = Tensor<Scalar>.zeros([rows, kept, d])
            return shift < 0 ? concatenated([zeros, e.sliced(axis: 1, 0..<(length - kept))], axis: 1)
                             : concatenated([e.sliced(axis: 1, kept..<length), zeros], axis: 1)
        }
        // weight (out, in, k) → (k·in, out), matching the taps' concatenation order.
        let weight = convolution.value.permuted([2, 1, 0]).reshaped([k * d, d])
        let out = (matmul(concatenated(taps, axis: 2), weight) + convolutionBias.value) * mask
        return convolutionNorm(residual + convolutionDropout(out, stream, rows: molecules).gelu()) * mask
    }
}

final class DeBERTaLayer<Scalar: TensorScalar>: Module, StateDictNamed {
    let configuration: TextEncoderConfiguration
    let query: Linear<Scalar>
    let key: Linear<Scalar>
    let value: Linear<Scalar>
    let attentionOutput: Linear<Scalar>
    let attentionNorm: LayerNorm<Scalar>
    let intermediate: Linear<Scalar>
    let output: Linear<Scalar>
    let outputNorm: LayerNorm<Scalar>
    let tableDropout: Dropout<Scalar>
    let attentionDropout: Dropout<Scalar>
    let attendedDropout: Dropout<Scalar>
    let outputDropout: Dropout<Scalar>

    static var stateDictNames: [String: String] {
        ["query": "attention.self.query_proj", "key": "attention.self.key_proj",
         "value": "attention.self.value_proj", "attentionOutput": "attention.output.dense",
         "attentionNorm": "attention.output.LayerNorm", "intermediate": "intermediate.dense",
         "output": "output.dense", "outputNorm": "output.LayerNorm"]
    }

    init(_ c: TextEncoderConfiguration, layer: Int) {
        configuration = c
        let d = c.hidden, eps = Scalar(c.layerNormEpsilon)
        query = Linear(d, d)
        key = Linear(d, d)
        value = Linear(d, d)
        attentionOutput = Linear(d, d)
        attentionNorm = LayerNorm(d, eps: eps)
        intermediate = Linear(d, c.feedForward)
        output = Linear(c.feedForward, d)
        outputNorm = LayerNorm(d, eps: eps)
        tableDropout = Dropout(c.dropout, at: DropoutSite(.text, layer: layer, 0))
        attentionDropout = Dropout(c.attentionDropout, at: DropoutSite(.text, layer: layer, 1))
        attendedDropout = Dropout(c.dropout, at: DropoutSite(.text, layer: layer, 2))
        outputDropout = Dropout(c.dropout, at: DropoutSite(.text, layer: layer, 3))
    }

    func callAsFunction(_ x: Tensor<Scalar>, table: Tensor<Scalar>, relative: RelativePositions, mask: Tensor<Scalar>,
                        molecules: MoleculeRows, _ stream: RandomStream?) -> Tensor<Scalar> {
        let c = configuration
        let rows = x.shape[0], length = x.shape[1], d = x.shape[2]
        let h = c.heads, dh = d / h, w = table.shape[0]
        // Heads stay where the projections wrote them, (M, L, h·d_h): the products read each
        // head's columns as blocks (BlockMatMul.swift) instead of permuting them out and back.
        let q = query(x), k = key(x)
        // The table belongs to no molecule: its masks are keyed by its absolute rows.
        let tableRows = MoleculeRows.rows(molecules: Array(repeating: -1, count: w), positions: Array(relative.window))
        let r = tableDropout(table, stream, rows: tableRows)
        let qr = query(r), kr = key(r)

        let byHead = MatrixBlocks.heads(molecules: rows, length: length, heads: h, width: dh, headMajor: true)
        let tokenColumns = MatrixBlocks.columns(rows: rows * length, count: h, width: dh)   // all tokens, one head
        let tableColumns = MatrixBlocks.columns(rows: w, count: h, width: dh)
        let contentToContent = blockMatmul(q, byHead, k, byHead, transposeB: true, shape: [h, rows, length, length],
                                           .contiguous(count: h * rows, rows: length, columns: length))    // [i, j]
        let perHead = MatrixBlocks.contiguous(count: h, rows: rows * length, columns: w)
        let contentToPosition = blockMatmul(q, tokenColumns, kr, tableColumns, transposeB: true,
                                            shape: [h, rows, length, w], perHead)                          // Qᵢ·Kʳ[w]
        let positionToContent = blockMatmul(k, tokenColumns, qr, tableColumns, transposeB: true,
                                            shape: [h, rows, length, w], perHead)                          // Kⱼ·Qʳ[w]
        // (Qᵢ·Kⱼ + Qᵢ·Kʳ[δ(i,j)] + Qʳ[δ(i,j)]·Kⱼ) / √(3·d_h), molecules first from here: M × h × L × L.
        let scores = Tensor.disentangledScores(contentToContent: contentToContent, contentToPosition: contentToPosition,
                                               positionToContent: positionToContent, index: relative.index,
                                               scale: 1 / Scalar(3 * dh).squareRoot())
        // dropout(softmax(S + mask))·V, each (molecule, head) written into its head's columns of (M, L, d).
        let attended = Tensor.attendedValues(scores: scores, mask: mask, values: value(x), heads: h,
                                             dropout: attentionDropout.rate, stream: stream, site: attentionDropout.site,
                                             rows: molecules)
        let a = attentionNorm(x + attendedDropout(attentionOutput(attended), stream, rows: molecules))
        let f = output.afterGELU(intermediate(a))
        return outputNorm(a + outputDropout(f, stream, rows: molecules))
    }
}

/// Hugging Face's log-bucketed relative positions for sequences of one length: the bucket of
/// every distance, the window of the (2·buckets)-row table those buckets use, and the column
/// index δ(i, j) into that window for every query i and key j.
struct RelativePositions {
    let window: Range<Int>
    /// L × L, row-major: index[i·L + j] = δ(i, j) − window.lowerBound.
    let index: [Int]

    init(length: Int, buckets: Int, maxRelative: Int) {
        let span = buckets
        var lowest = Int.max, highest = Int.min
        var delta = [Int](repeating: 0, count: length * length)
        for i in 0..<length {
            for j in 0..<length {
                let value = Swift.min(Swift.max(Self.bucket(i - j, buckets: buckets, maxRelative: maxRelative) + span, 0),
                                      2 * span - 1)
                delta[i * length + j] = value
                lowest = Swift.min(lowest, value)
                highest = Swift.max(highest, value)
            }
        }
        if length == 0 { lowest = 0; highest = -1 }
        window = lowest..<(highest + 1)
        index = delta.map { $0 - lowest }
    }

    /// `make_log_bucket_position`: distances within ±buckets/2 keep their value; farther ones
    /// are log-compressed into the remaining buckets. Evaluated in Float32 as HF does, so the
    /// ceiling falls on the same side.
    static func bucket(_ r: Int, buckets: Int, maxRelative: Int) -> Int {
        let mid = buckets / 2
        let absolute = (r < mid && r > -mid) ? mid - 1 : Swift.abs(r)
        if absolute <= mid { return r }
        let ratio = Float(absolute) / Float(mid)
        let scale = Float((Double(maxRelative) - 1) / Double(mid))
        let logPosition = (Float.log(ratio) / Float.log(scale) * Float(mid - 1)).rounded(.up) + Float(mid)
        return Int(logPosition) * (r < 0 ? -1 : 1)
    }
}

