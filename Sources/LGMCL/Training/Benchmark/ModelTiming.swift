import Foundation

/// Forward + backward timing of the `Float` model per component, for `model-bench`
/// (scripts/bench_models.py → docs/benchmarks-models.md). It lives in the library, not in the
/// benchmark executable, so the generic model and kernel code is specialised for `Float` here, as
/// it is for the trainer; called from another module it would run through generic witnesses.
public enum ModelTiming {
    /// Median CPU seconds (user + system, this process; run with one BLAS thread) of `repeats`
    /// runs after one warm-up, of: the local encoder, the global encoder, the text encoder on both
    /// texts, and the whole fine-tuning model; each step sums its pooled outputs (or predictions)
    /// and runs backward. Dropout off. CPU time rather than wall time, because on a shared machine
    /// the wall clock mostly measures waiting for a core.
    public static func forwardBackward(
        configuration: ModelConfiguration, graph: GraphInput, smiles: TokenInput, descriptions: TokenInput,
        fingerprints: [Float], repeats: Int
    ) -> [(component: String, seconds: Double)] {
        let model = LGMCLModel<Float>(configuration)
        let steps: [(String, () -> Void)] = [
            ("local", { model.localVectors(graph).sum().backward() }),
            ("global", { model.globalVectors(graph).sum().backward() }),
            ("text", { (model.textVectors(smiles).sum() + model.textVectors(descriptions).sum()).backward() }),
            ("finetune", {
                model.predictions(graph: graph, smiles: smiles, descriptions: descriptions, fingerprints: fingerprints)
                    .predictions.sum().backward()
            }),
        ]
        return steps.map { component, step in
            step()
            var times: [Double] = []
            for _ in 0..<Swift.max(repeats, 1) {
                let start = processCPUSeconds()
                step()
                times.append(processCPUSeconds() - start)
            }
            return (component, times.sorted()[times.count / 2])
        }
    }

    /// FLOPs per CPU second of one thread's sgemm at 2048 × 2048 × 2048, the best of three after
    /// a warm-up: CPU time, like the text rate it is held against, so that a core shared with
    /// other work does not move the ratio.
    public static func sgemmRate(size n: Int = 2048) -> Double {
        let a = [Float](repeating: 0.5, count: n * n), b = [Float](repeating: 0.25, count: n * n)
        var c = [Float](repeating: 0, count: n * n)
        var best = Double.infinity
        for repetition in 0 ..< 4 {
            let start = threadCPUSeconds()
            Float.gemm(transposeA: false, transposeB: false, m: n, n: n, k: n, alpha: 1, a: a, lda: n, b: b, ldb: n, beta: 0, c: &c, ldc: n, products: .float32)
            if repetition > 0 { best = min(best, threadCPUSeconds() - start) }
        }
        return 2 * Double(n) * Double(n) * Double(n) / best
    }
}
