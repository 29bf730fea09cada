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
}
