/// The reliability diagram of a classification model's test split: per task, the fraction of
/// positives against the mean predicted probability in each non-empty bin, before and after
/// calibration, beside the diagonal a calibrated model follows.
struct ReliabilityPlot {
    let report: CalibrationReport

    init(_ report: CalibrationReport) { self.report = report }

    func svg() -> String {
        func line(_ label: String, _ bins: [UncertaintyMetrics.ReliabilityBin]?) -> LineChart.Series {
            LineChart.Series(label: label, points: (bins ?? []).compactMap { bin in
                guard let p = bin.meanProbability, let observed = bin.observedFraction else { return nil }
                return (p, observed)
            })
        }
        let panels = report.tasks.map { task in
            LineChart.Panel(title: "\(task.task): fraction positive (\(report.bins) bins, \(task.molecules) molecules)",
                            xLabel: "mean predicted probability", series: [
                                LineChart.Series(label: "calibrated model", points: [(0, 0), (1, 1)]),
                                line("before calibration", task.before.reliability),
                                line("after \(report.method)", task.after.reliability),
                            ])
        }
        return LineChart(panels: panels, integerX: false).svg()
    }
}
