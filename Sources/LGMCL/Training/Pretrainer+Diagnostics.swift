import Foundation
import Logging

/// The diagnostics of a pretraining run (EmbeddingDiagnostics): measured on the held-out
/// diagnostics molecules before the first step, at every checkpoint, at each epoch's end and at
/// the end, into the metrics log and a plot beside it.
extension Pretrainer {
    /// A pair of views a stage aligns, and the names its diagnostics carry.
    struct ViewPair {
        var name: String
        var views: (String, String)
        var projection: Int
        var pooled: Int
        /// How many of the pair's pooled vectors the probe reads (the first, or both).
        var probedViews = 2
        var width: Int { 2 * projection + 2 * pooled }
    }

    var diagnosedPairs: [ViewPair] {
        let graph = ViewPair(name: "graph", views: ("local", "global"), projection: settings.model.graphProjection.output,
                             pooled: settings.model.graphProjection.input)
        let text = ViewPair(name: "text", views: ("smiles", "description"), projection: settings.model.textProjection.output,
                            pooled: settings.model.textProjection.input)
        // graph-self: the local encoder on the unaltered graph against one fixed view of it (the
        // probe reads the unaltered side only: what fine-tuning starts from).
        let local = ViewPair(name: "local", views: ("local", "local_view"), projection: settings.model.graphProjection.output,
                             pooled: settings.model.graphProjection.input, probedViews: 1)
        switch settings.stage {
        case .graph: return [graph]
        case .text: return [text]
        case .joint: return [graph, text]
        case .graphSelf: return [local]
        }
    }

    /// graph-self's evaluation views, without dropout: the unaltered graph and the run's second
    /// training view under a key no training step uses, so every pass sees the same view.
    func localEvaluationViews(_ graph: GraphInput) -> ViewPairEmbeddings<Scalar> {
        model.localViewEmbeddings(graph, settings.graphViews[1].apply(to: graph, seed: settings.seed, step: -1, view: 1))
    }

    func diagnose(metrics: MetricsLog?, final: Bool = false) throws {
        if let probe, probedStep != position.step,
           final || position.step == 0 || settings.probeEvery.map({ position.step % $0 == 0 }) ?? true {
            probedStep = position.step
            try runProbe(probe, metrics: metrics)
        }
        guard diagnosedStep != position.step, diagnosticMolecules.count >= 2 else { return }
        diagnosedStep = position.step
        watchdog.enter("diagnostics", step: position.step)
        let pairs = diagnosedPairs
        let width = pairs.map(\.width).reduce(0, +)
        let molecules = diagnosticMolecules
        let values = try viewVectors(molecules, of: dataset)
        guard let values else { return }
        var fields: [String: Double] = ["step": Double(position.step), "epoch": Double(position.epoch),
                                        "diagnostics_count": Double(molecules.count)]
        var lines: [String] = []
        var offset = 0
        for pair in pairs {
            // Columns of this pair within each molecule's row: a, b projected, then a, b pooled.
            func columns(_ start: Int, _ count: Int) -> [Float] {
                Self.columns(values, rowWidth: width, start: offset + start, count: count)
            }
            let p = pair.projection, h = pair.pooled
            let d = try EmbeddingDiagnostics(projected: (columns(0, p), columns(p, p)), dimension: p,
                                             pooled: (columns(2 * p, h), columns(2 * p + h, h)), widths: (h, h))
            offset += pair.width
            fields["alignment_\(pair.name)"] = d.alignment
            fields["uniformity_\(pair.views.0)"] = d.uniformity[0]
            fields["uniformity_\(pair.views.1)"] = d.uniformity[1]
            fields["effective_rank_\(pair.views.0)"] = d.effectiveRank[0]
            fields["effective_rank_\(pair.views.1)"] = d.effectiveRank[1]
            lines.append(String(format: "%@ alignment %.3f, uniformity %.3f / %.3f, effective rank %.1f / %.1f of %d",
                                pair.name, d.alignment, d.uniformity[0], d.uniformity[1], d.effectiveRank[0], d.effectiveRank[1], h))
        }
        metrics?.write(fields, event: "diagnostics")
        logger.info("diagnostics at step \(position.step) (\(molecules.count) held-out molecules): \(lines.joined(separator: "; "))")
        try drawDiagnostics(metrics: metrics)
    }

    /// Every pair's projected (a, b) and pooled (a, b) vectors of `molecules` without dropout, one
    /// row per molecule in their order, on rank 0 (nil on the others; every rank computes a share).
    func viewVectors(_ molecules: [Int], of dataset: MoleculeDataset) throws -> [Float]? {
        let pairs = diagnosedPairs
        let pass = evaluationPass(molecules, of: dataset)
        return try step.times.measure(.evaluation) {
            try pass.run(world: world, width: pairs.map(\.width).reduce(0, +)) { batch in
                let inputs = ModelInputs(batch)
                var blocks: [Tensor<Scalar>] = []
                for pair in pairs {
                    if pair.name == "graph" {
                        let g = model.graphEmbeddings(inputs)
                        blocks += [g.local, g.global, g.localPooled, g.globalPooled]
                    } else if pair.name == "local" {
                        let e = localEvaluationViews(inputs.graph)
                        blocks += [e.first, e.second, e.firstPooled, e.secondPooled]
                    } else {
                        let t = model.textEmbeddings(inputs)
                        blocks += [t.smiles, t.description, t.smilesPooled, t.descriptionPooled]
                    }
                }
                return concatenated(blocks, axis: 1).scalars.map { Float($0) }
            }
        }
    }

    /// Columns start ..< start + count of every row of a row-major matrix.
    static func columns(_ values: [Float], rowWidth: Int, start: Int, count: Int) -> [Float] {
        var out: [Float] = []
        out.reserveCapacity(values.count / rowWidth * count)
        for first in stride(from: start, to: values.count, by: rowWidth) { out += values[first ..< first + count] }
        return out
    }

    /// diagnostics-STAGE.svg from the whole metrics log (rank 0): after every event it shows.
    func drawDiagnostics(metrics: MetricsLog?) throws {
        guard metrics != nil else { return }
        try DiagnosticsPlot(metricsLog: directory.metricsLog(stage: settings.stage.rawValue),
                            pairs: diagnosedPairs.map { ($0.name, [$0.views.0, $0.views.1]) }, probes: probe?.sets.map(\.name) ?? [])
            .write(to: directory.diagnosticsPlot(stage: settings.stage.rawValue))
    }

    /// The probe sets' scores on the encoders as they are now (all ranks embed; rank 0 fits).
    func runProbe(_ probe: OnlineProbe, metrics: MetricsLog?) throws {
        watchdog.enter("probe", step: position.step)
        let pairs = diagnosedPairs
        let dimension = pairs.map { $0.probedViews * $0.pooled }.reduce(0, +)
        let width = pairs.map(\.width).reduce(0, +)
        var fields: [String: Double] = ["step": Double(position.step), "epoch": Double(position.epoch)]
        var lines: [String] = []
        for set in probe.sets {
            guard let vectors = try viewVectors(Array(0 ..< set.dataset.count), of: set.dataset) else { continue }
            // The encoders' pooled vectors, pair after pair: what fine-tuning would start from.
            var values: [Double] = []
            values.reserveCapacity(set.dataset.count * dimension)
            for first in stride(from: 0, to: vectors.count, by: width) {
                var offset = first
                for pair in pairs {
                    let pooled = offset + 2 * pair.projection
                    values += vectors[pooled ..< pooled + pair.probedViews * pair.pooled].map(Double.init)
                    offset += pair.width
                }
            }
            let score = try OnlineProbe.score(set, features: values, dimension: dimension)
            let metric = score.metric.rawValue
            if let test = score.test { fields["probe_\(set.name)_test_\(metric)"] = test }
            if let val = score.val { fields["probe_\(set.name)_val_\(metric)"] = val }
            lines.append("\(set.name) test \(metric) " + (score.test.map { String(format: "%.4f", $0) } ?? "n/a")
                         + " (val " + (score.val.map { String(format: "%.4f", $0) } ?? "n/a") + ")")
        }
        guard world.isRoot else { return }
        metrics?.write(fields, event: "probe")
        try drawDiagnostics(metrics: metrics)
        logger.info("probe at step \(position.step) (linear, frozen encoders, mean of \(OnlineProbe.splitSeeds.count) scaffold splits): \(lines.joined(separator: "; "))")
    }
}
