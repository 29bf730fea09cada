import Foundation

/// A small SVG line chart: panels side by side, each with its own axes; lines of the same label
/// share a colour across panels and one legend names them. Hand-written because it is a few
/// polylines and axes; any browser shows it.
struct LineChart {
    struct Series {
        var label: String
        var points: [(x: Double, y: Double)]
    }

    struct Panel {
        var title: String
        var xLabel: String
        var series: [Series]
    }

    var panels: [Panel]
    /// Whether x takes whole numbers only (epochs, steps): ticks then fall on integers.
    var integerX = true

    private static let colors = ["#1f77b4", "#d62728", "#2ca02c", "#9467bd", "#ff7f0e", "#8c564b", "#17becf"]
    private static let panelWidth = 400.0, panelHeight = 260.0
    private static let margin = (left: 64.0, right: 16.0, top: 36.0, bottom: 44.0)

    /// Every label in order of first appearance: its colour is its place here.
    var labels: [String] {
        var seen = Set<String>()
        return panels.flatMap { $0.series.map(\.label) }.filter { seen.insert($0).inserted }
    }

    func svg() -> String {
        let cell = Self.margin.left + Self.panelWidth + Self.margin.right
        let width = Double(max(panels.count, 1)) * cell
        let height = Self.margin.top + Self.panelHeight + Self.margin.bottom + 24
        var svg = """
            <svg xmlns="http://www.w3.org/2000/svg" width="\(Int(width))" height="\(Int(height))" \
            viewBox="0 0 \(Int(width)) \(Int(height))" font-family="sans-serif" font-size="12">
            <rect width="100%" height="100%" fill="white"/>

            """
        let labels = self.labels
        for (index, panel) in panels.enumerated() {
            svg += draw(panel, originX: Double(index) * cell, labels: labels)
        }
        var x = Self.margin.left
        let y = height - 12
        for (index, label) in labels.enumerated() {
            let color = Self.colors[index % Self.colors.count]
            svg += "<line x1=\"\(f(x))\" y1=\"\(f(y - 4))\" x2=\"\(f(x + 20))\" y2=\"\(f(y - 4))\" stroke=\"\(color)\" stroke-width=\"2\"/>"
            svg += "<text x=\"\(f(x + 26))\" y=\"\(f(y))\">\(label)</text>\n"
            x += 26 + 8 * Double(label.count) + 20
        }
        return svg + "</svg>\n"
    }

    /// One panel: frame, ticks, and a polyline per series over its finite points.
    private func draw(_ panel: Panel, originX: Double, labels: [String]) -> String {
        let left = originX + Self.margin.left, top = Self.margin.top
        let right = left + Self.panelWidth, bottom = top + Self.panelHeight
        var svg = "<text x=\"\(f((left + right) / 2))\" y=\"\(f(top - 14))\" text-anchor=\"middle\" font-size=\"14\">\(panel.title)</text>\n"
        svg += "<rect x=\"\(f(left))\" y=\"\(f(top))\" width=\"\(f(Self.panelWidth))\" height=\"\(f(Self.panelHeight))\" fill=\"none\" stroke=\"#444\"/>\n"
        svg += "<text x=\"\(f((left + right) / 2))\" y=\"\(f(bottom + 36))\" text-anchor=\"middle\">\(panel.xLabel)</text>\n"

        let points = panel.series.flatMap(\.points).filter { $0.x.isFinite && $0.y.isFinite }
        guard let first = points.first else {
            return svg + "<text x=\"\(f((left + right) / 2))\" y=\"\(f((top + bottom) / 2))\" text-anchor=\"middle\" fill=\"#888\">no values</text>\n"
        }
        let xRange = Axis(low: points.map(\.x).min() ?? first.x, high: points.map(\.x).max() ?? first.x, integers: integerX)
        let yRange = Axis(low: points.map(\.y).min() ?? first.y, high: points.map(\.y).max() ?? first.y, integers: false)
        func px(_ x: Double) -> Double { left + (x - xRange.low) / (xRange.high - xRange.low) * Self.panelWidth }
        func py(_ y: Double) -> Double { bottom - (y - yRange.low) / (yRange.high - yRange.low) * Self.panelHeight }

        for tick in xRange.ticks {
            svg += "<line x1=\"\(f(px(tick)))\" y1=\"\(f(bottom))\" x2=\"\(f(px(tick)))\" y2=\"\(f(bottom + 5))\" stroke=\"#444\"/>"
            svg += "<text x=\"\(f(px(tick)))\" y=\"\(f(bottom + 18))\" text-anchor=\"middle\">\(xRange.label(tick))</text>\n"
        }
        for tick in yRange.ticks {
            svg += "<line x1=\"\(f(left))\" y1=\"\(f(py(tick)))\" x2=\"\(f(right))\" y2=\"\(f(py(tick)))\" stroke=\"#ddd\"/>"
            svg += "<text x=\"\(f(left - 6))\" y=\"\(f(py(tick) + 4))\" text-anchor=\"end\">\(yRange.label(tick))</text>\n"
        }
        for series in panel.series {
            let line = series.points.filter { $0.x.isFinite && $0.y.isFinite }.map { "\(f(px($0.x))),\(f(py($0.y)))" }
            guard !line.isEmpty else { continue }
            let color = Self.colors[(labels.firstIndex(of: series.label) ?? 0) % Self.colors.count]
            svg += "<polyline fill=\"none\" stroke=\"\(color)\" stroke-width=\"2\" points=\"\(line.joined(separator: " "))\"/>\n"
        }
        return svg
    }

    private func f(_ value: Double) -> String { String(format: "%.1f", value) }
}

/// A plot axis over [low, high] widened to round ticks 1, 2 or 5 × 10^k apart.
private struct Axis {
    let low: Double, high: Double, step: Double
    let integers: Bool

    init(low dataLow: Double, high dataHigh: Double, integers: Bool) {
        var lo = dataLow, hi = dataHigh
        if hi - lo < 1e-12 { lo -= integers ? 1 : max(abs(lo) * 0.05, 0.05); hi += integers ? 1 : max(abs(hi) * 0.05, 0.05) }
        let rough = (hi - lo) / 5
        let magnitude = pow(10, (log10(rough)).rounded(.down))
        var step = [1.0, 2, 5, 10].map { $0 * magnitude }.first { $0 >= rough } ?? 10 * magnitude
        if integers { step = max(1, step.rounded()) }
        self.step = step
        self.integers = integers
        low = (lo / step).rounded(.down) * step
        high = (hi / step).rounded(.up) * step
    }

    var ticks: [Double] {
        stride(from: low, through: high + step * 1e-9, by: step).map { $0 }
    }

    func label(_ value: Double) -> String {
        if integers { return String(Int(value.rounded())) }
        let decimals = max(0, Int(-log10(step).rounded(.down)) + (step * pow(10, (-log10(step)).rounded(.down)) >= 1 ? 0 : 1))
        return String(format: "%.\(decimals)f", abs(value) < step * 1e-9 ? 0 : value)
    }
}
