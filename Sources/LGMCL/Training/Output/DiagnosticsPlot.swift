import Foundation

/// A pretraining stage's label-free curves against the step, drawn from its metrics log (so a
/// resumed run's plot shows the whole run): alignment, uniformity and effective rank of each view
/// pair (EmbeddingDiagnostics), and held-out retrieval top-1.
struct DiagnosticsPlot {
    let chart: LineChart

    /// `pairs`: each view pair's name and its two views, as the log's fields name them.
    /// `probes`: the names of the probe sets, whose test metric gets a panel of its own.
    init(metricsLog: URL, pairs: [(name: String, views: [String])], probes: [String] = []) throws {
        let lines = try String(contentsOf: metricsLog, encoding: .utf8).split(separator: "\n")
        let events = lines.compactMap { line in
            (try? JSONSerialization.jsonObject(with: Data(line.utf8))) as? [String: Any]
        }
        func series(_ label: String, event: String, field: String) -> LineChart.Series {
            LineChart.Series(label: label, points: events.compactMap { object in
                // A probe's field ends in its metric's name: the prefix finds it.
                guard object["event"] as? String == event, let step = (object["step"] as? NSNumber)?.doubleValue,
                      let key = object.keys.first(where: { $0 == field || $0.hasPrefix(field + "_") }),
                      let value = (object[key] as? NSNumber)?.doubleValue else { return nil }
                return (step, value)
            })
        }
        let views = pairs.flatMap(\.views)
        chart = LineChart(panels: [
            LineChart.Panel(title: "alignment (lower: views agree)", xLabel: "step",
                            series: pairs.map { series($0.name, event: "diagnostics", field: "alignment_\($0.name)") }),
            LineChart.Panel(title: "uniformity (lower: spread)", xLabel: "step",
                            series: views.map { series($0, event: "diagnostics", field: "uniformity_\($0)") }),
            LineChart.Panel(title: "effective rank (RankMe)", xLabel: "step",
                            series: views.map { series($0, event: "diagnostics", field: "effective_rank_\($0)") }),
            LineChart.Panel(title: "held-out retrieval top-1", xLabel: "step",
                            series: [series("retrieval", event: "epoch", field: "retrieval_top1")]),
        ] + (probes.isEmpty ? [] : [
            LineChart.Panel(title: "linear probe, test (scaffold splits)", xLabel: "step",
                            series: probes.map { series($0, event: "probe", field: "probe_\($0)_test") }),
        ]))
    }

    func write(to url: URL) throws {
        try AtomicDirectory.replaceFile(url, with: Data(chart.svg().utf8))
    }
}
