import Foundation

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
        var width: Int { 2 * projection + 2 * pooled }
    }

    var diagnosedPairs: [ViewPair] {
        let graph = ViewPair(name: "graph", views: ("local", "global"), projection: settings.model.graphProjection.output,
                             pooled: settings.model.graphProjection.input)
        let text = ViewPair(name: "text", views: ("smiles", "description"), projection: settings.model.textProjection.output,
                            pooled: settings.model.textProjection.input)
        switch settings.stage {
        case .graph: return [graph]
        case .text: return [text]
        case .joint: return [graph, text]
        }
    }

    func diagnose(metrics: MetricsLog?, final: Bool = false) throws {
        guard !settings.isBenchmark else { return }
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
        let batch = max(world.size, min(settings.globalBatchSize, molecules.count) / world.size * world.size)
        let pass = InferencePass(dataset: dataset, options: batchOptions(), globalBatchSize: batch, molecules: molecules)
        let values: [Float]? = try step.times.measure(.evaluation) {
            try pass.run(world: world, width: width) { batch in
                let inputs = ModelInputs(batch)
                var blocks: [Tensor<Scalar>] = []
                for pair in pairs {
                    if pair.name == "graph" {
                        let g = model.graphEmbeddings(inputs)
                        blocks += [g.local, g.global, g.localPooled, g.globalPooled]
                    } else {
                        let t = model.textEmbeddings(inputs)
                        blocks += [t.smiles, t.description, t.smilesPooled, t.descriptionPooled]
                    }
                }
                return concatenated(blocks, axis: 1).scalars.map { Float($0) }
            }
        }
        guard let values else { return }
        var fields: [String: Double] = ["step": Double(position.step), "epoch": Double(position.epoch),
                                        "diagnostics_count": Double(molecules.count)]
        var lines: [String] = []
        var offset = 0
        for pair in pairs {
            // Columns of this pair within each molecule's row: a, b projected, then a, b pooled.
            func columns(_ start: Int, _ count: Int) -> [Float] {
                var out: [Float] = []
                out.reserveCapacity(molecules.count * count)
                for row in 0 ..< molecules.count {
                    let first = row * width + offset + start
                    out += values[first ..< first + count]
                }
                return out
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
        log("diagnostics at step \(position.step) (\(molecules.count) held-out molecules): " + lines.joined(separator: "; "))
        try drawDiagnostics(metrics: metrics)
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
        let dimension = 2 * pairs.map(\.pooled).reduce(0, +)
        var fields: [String: Double] = ["step": Double(position.step), "epoch": Double(position.epoch)]
        var lines: [String] = []
        for set in probe.sets {
            let molecules = Array(0 ..< set.dataset.count)
            let batch = max(world.size, min(settings.globalBatchSize, molecules.count) / world.size * world.size)
            let pass = InferencePass(dataset: set.dataset, options: batchOptions(), globalBatchSize: batch, molecules: molecules)
            let values: [Double]? = try step.times.measure(.evaluation) {
                try pass.run(world: world, width: dimension) { batch in
                    let inputs = ModelInputs(batch)
                    var blocks: [Tensor<Scalar>] = []
                    for pair in pairs {
                        if pair.name == "graph" {
                            let g = model.graphEmbeddings(inputs)
                            blocks += [g.localPooled, g.globalPooled]
                        } else {
                            let t = model.textEmbeddings(inputs)
                            blocks += [t.smilesPooled, t.descriptionPooled]
                        }
                    }
                    return concatenated(blocks, axis: 1).scalars.map { Double($0) }
                }
            }
            guard let values else { continue }
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
        log("probe at step \(position.step) (linear, frozen encoders, mean of \(OnlineProbe.splitSeeds.count) scaffold splits): "
            + lines.joined(separator: "; "))
    }
}
