/// The learning curves as a chart: training loss (left) and the validation metric (right)
/// against the epoch, one line per seed.
struct LearningCurvePlot {
    let curves: LearningCurves

    init(_ curves: LearningCurves) { self.curves = curves }

    func svg() -> String {
        let metricName = curves.metric == .rocAUC ? "ROC-AUC" : curves.metric.rawValue.uppercased()
        func panel(_ title: String, _ value: (LearningCurves.Point) -> Double?) -> LineChart.Panel {
            LineChart.Panel(title: title, xLabel: "epoch", series: curves.seeds.map { seed in
                LineChart.Series(label: "seed \(seed)", points: curves.points.filter { $0.seed == seed }.compactMap { point in
                    value(point).map { (Double(point.epoch), $0) }
                })
            })
        }
        return LineChart(panels: [panel("training loss") { $0.trainLoss }, panel("validation \(metricName)") { $0.validation }]).svg()
    }
}
