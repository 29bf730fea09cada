/// The useful FLOPs of the text encoder: the matrix products a DeBERTa encoder needs for unpadded
/// sequences, counted as PyTorch's flop counter counts them (2·m·n·k per product, nothing for
/// elementwise work, gathers, softmax or normalisation), so that GFLOP/s figures of lgmcl and its
/// PyTorch peer divide the same work (issue 19; docs/benchmarks-pretrain.md gives the formula).
///
/// Per sequence of length L, with d = hidden, F = feed-forward, N = layers, k = convolution kernel,
/// R = 2·positionBuckets rows of the relative table:
///   convolution after layer 1            2·L·d·d·k
///   per layer: Q, K, V and output        8·L·d²
///              Q·Kᵀ and P·V              4·L²·d
///              Q·Kʳᵀ and K·Qʳᵀ            4·L·R·d     (Hugging Face scores against all R rows)
///              feed-forward              4·L·d·F
/// and per batch, once per layer, the table's query and key projections 4·R·d².
/// Backward costs two products per forward product (input and weight gradients): three times
/// forward in all. Padding, and lgmcl's narrower relative window, are not useful work.
/// `TextEncoderFLOPsTests` checks this against the counter on Hugging Face's DebertaV2Model
/// (scripts/make_flop_fixtures.py).
extension TextEncoderConfiguration {
    /// Forward FLOPs of one batch of unpadded sequences of these lengths.
    public func usefulForwardFLOPs(lengths: [Int]) -> Int {
        guard !lengths.isEmpty else { return 0 }
        let d = hidden, f = feedForward, k = convolutionKernel, r = 2 * positionBuckets
        let perSequence = lengths.reduce(0) { total, l in
            total + 2 * l * d * d * k + layers * (8 * l * d * d + 4 * l * l * d + 4 * l * r * d + 4 * l * d * f)
        }
        return perSequence + layers * 4 * r * d * d
    }

    /// Forward and backward: three times forward.
    public func usefulTrainingFLOPs(lengths: [Int]) -> Int { 3 * usefulForwardFLOPs(lengths: lengths) }
}
