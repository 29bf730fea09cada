import Foundation

/// The benchmark's results as markdown: per protocol, one row per dataset and one column per
/// lgmcl configuration (preset, variant, epochs) and per chemprop epoch count, each cell the test
/// metric's mean ± std over seeds, and the same table of the validation metric (what a recipe is
/// chosen on); then the LLM-text comparison; then every run.
///
/// A chemprop run is shown only when its split digest equals that of lgmcl's run on the same
/// dataset, protocol and seed (or lgmcl has no such run); a mismatch is left out and named in
/// `notes`, so the comparison column never silently compares different splits.
public struct ResultsTable {
    public let results: BenchmarkResults
    public let chemprop: [ChempropRun]
    public private(set) var notes: [String] = []

    public init(results: BenchmarkResults, chemprop: [ChempropRun] = []) {
        self.results = results
        var kept: [ChempropRun] = []
        var notes: [String] = []
        for run in chemprop {
            let ours = results.runs.filter {
                !$0.variant.usesLLMSubset && $0.dataset == run.dataset && $0.split == run.split && $0.seed == run.seed
            }
            if let other = ours.first(where: { !SplitDigest.matches($0.splitDigest, run.splitDigest) }) {
                notes.append("chemprop \(run.dataset) \(run.split.rawValue) seed \(run.seed) left out: its split (\(run.splitDigest)) "
                    + "is not lgmcl's (\(other.splitDigest.prefix(12)))")
            } else {
                kept.append(run)
            }
        }
        self.chemprop = kept
        self.notes = notes
    }

    public func markdown() -> String {
        var sections: [String] = []
        for split in SplitProtocol.allCases.sorted(by: { $0 == .scaffold && $1 != .scaffold }) {
            if let section = protocolSection(split) { sections.append(section) }
            if let section = protocolSection(split, validation: true) { sections.append(section) }
        }
        if let section = pairedSection() { sections.append(section) }
        if let section = llmSection() { sections.append(section) }
        if !results.runs.isEmpty { sections.append(runsSection()) }
        if !chemprop.isEmpty { sections.append(chempropRunsSection()) }
        if !notes.isEmpty { sections.append(notes.map { "- \($0)" }.joined(separator: "\n")) }
        return sections.joined(separator: "\n\n") + "\n"
    }

    // MARK: Sections

    /// The test metric's table, or with `validation` the validation metric's (of the runs that
    /// recorded one: chemprop's rows before train/val columns have none).
    private func protocolSection(_ split: SplitProtocol, validation: Bool = false) -> String? {
        let ours = results.cells.filter { $0.cell.split == split && !$0.cell.variant.usesLLMSubset }
        let theirs = chemprop.filter { $0.split == split && (!validation || $0.val != nil) }
        guard !ours.isEmpty || !theirs.isEmpty else { return nil }
        let configurations = Array(Set(ours.map(\.cell.training))).sorted()
        let chempropEpochs = Array(Set(theirs.map(\.epochs))).sorted()
        let datasets = orderedDatasets(ours.map(\.cell.dataset) + theirs.map(\.dataset))
        let fractions = split.fractions
        var lines = [
            "### \(split == .scaffold ? "Scaffold split (balanced Bemis–Murcko)" : "Random split") "
                + "\(format(fractions.train))/\(format(fractions.val))/\(format(fractions.test))"
                + (validation ? ": validation metric at the kept epoch" : ""),
            "",
            "| dataset | metric | " + (configurations.map(title) + chempropEpochs.map { chempropTitle(epochs: $0) }).joined(separator: " | ") + " |",
            "|---|---|" + String(repeating: "---|", count: configurations.count + chempropEpochs.count),
        ]
        for dataset in datasets {
            var summaries: [Summary?] = configurations.map { configuration in
                ours.first { $0.cell.dataset == dataset && $0.cell.training == configuration }.map { Summary($0.runs, validation: validation) }
            }
            summaries += chempropEpochs.map { epochs in
                let runs = theirs.filter { $0.dataset == dataset && $0.epochs == epochs }.sorted { $0.seed < $1.seed }
                return runs.isEmpty ? nil : Summary(values: runs.map { validation ? $0.val! : $0.test }, seeds: runs.map(\.seed))
            }
            let metric = ours.first { $0.cell.dataset == dataset }?.runs[0].metric ?? theirs.first { $0.dataset == dataset }!.metric
            lines.append("| \(dataset) | \(metricTitle(metric)) | " + cells(summaries, metric: metric).joined(separator: " | ") + " |")
        }
        return lines.joined(separator: "\n")
    }

    /// Pretrained against no pretraining run for run: the same dataset, protocol, seed, split
    /// (by digest) and training, so the split-to-split spread cancels.
    private func pairedSection() -> String? {
        func partnerCell(_ run: BenchmarkRun) -> BenchmarkCell {
            var cell = run.cell
            cell.variant = .scratch
            return cell
        }
        var pairs: [BenchmarkCell: [(pretrained: BenchmarkRun, scratch: BenchmarkRun)]] = [:]
        for run in results.runs where run.variant == .pretrained {
            guard let partner = results.run(partnerCell(run), seed: run.seed),
                  SplitDigest.matches(partner.splitDigest, run.splitDigest) else { continue }
            pairs[run.cell, default: []].append((run, partner))
        }
        guard !pairs.isEmpty else { return nil }
        var lines = [
            "### Pretrained against no pretraining, paired by split and seed",
            "",
            "Improvement: higher ROC-AUC, lower RMSE or MAE count as positive; 95% interval by the paired Student t.",
            "",
            "| dataset | split | lgmcl | pairs | mean improvement | 95% interval |",
            "|---|---|---|---|---|---|",
        ]
        for cell in pairs.keys.sorted() {
            let runs = pairs[cell]!.sorted { $0.pretrained.seed < $1.pretrained.seed }
            let d = PairedDifference(pretrained: runs.map(\.pretrained.test), scratch: runs.map(\.scratch.test), metric: runs[0].pretrained.metric)
            let interval = d.interval.map { String(format: "[%+.3f, %+.3f]", $0.lowerBound, $0.upperBound) } ?? "— (one pair)"
            let departures = cell.training.departures.map { ", \($0)" }.joined()
            lines.append("| \(cell.dataset) | \(cell.split.rawValue) | `\(cell.preset)`\(departures) (\(cell.epochs) ep.) | \(d.count) | "
                + String(format: "%+.3f", d.mean) + " | \(interval) |")
        }
        return lines.joined(separator: "\n")
    }

    private func llmSection() -> String? {
        let ours = results.cells.filter { $0.cell.variant.usesLLMSubset }
        guard !ours.isEmpty else { return nil }
        let configurations = Array(Set(ours.map(\.cell.training))).sorted()
        var lines = [
            "### LLM-written vs generated descriptions (the molecules the authors' descriptions cover)",
            "",
            "Encoders: \(encoders(ours.flatMap(\.runs))).",
            "",
            "| dataset | split | molecules | metric | " + configurations.map(title).joined(separator: " | ") + " |",
            "|---|---|---|---|" + String(repeating: "---|", count: configurations.count),
        ]
        let rows = Array(Set(ours.map { RowKey(dataset: $0.cell.dataset, split: $0.cell.split) })).sorted()
        for row in rows {
            let inRow = ours.filter { $0.cell.dataset == row.dataset && $0.cell.split == row.split }
            let summaries = configurations.map { configuration in
                inRow.first { $0.cell.training == configuration }.map { Summary($0.runs) }
            }
            let first = inRow[0].runs[0]
            let molecules = first.trainCount + first.valCount + first.testCount
            lines.append("| \(row.dataset) | \(row.split.rawValue) | \(molecules) | \(metricTitle(first.metric)) | "
                + cells(summaries, metric: first.metric).joined(separator: " | ") + " |")
        }
        return lines.joined(separator: "\n")
    }

    private func runsSection() -> String {
        var lines = [
            "### Every run",
            "",
            "| dataset | split | variant | preset | epochs | seed | train/val/test | best epoch | train | val | test | seconds | split digest | finished | build |",
            "|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|",
        ]
        for (_, runs) in results.cells {
            for run in runs {
                let departures = run.cell.training.departures
                let variant = run.variant.rawValue + (departures.isEmpty ? "" : " (\(departures.joined(separator: ", ")))")
                lines.append("| \(run.dataset) | \(run.split.rawValue) | \(variant) | \(run.preset) | \(run.epochs) | \(run.seed) | "
                    + "\(run.trainCount)/\(run.valCount)/\(run.testCount) | \(run.bestEpoch) | \(score(run.train)) | \(score(run.val)) | "
                    + "\(score(run.test)) | \(String(format: "%.0f", run.seconds)) | \(run.splitDigest.prefix(12)) | "
                    + "\(run.provenance?.finished ?? "—") | \(run.provenance.map { "\(BuildInfo.short($0.commit, length: 7)) (\($0.ranks) rank\($0.ranks == 1 ? "" : "s"))" } ?? "—") |")
            }
        }
        return lines.joined(separator: "\n")
    }

    private func chempropRunsSection() -> String {
        var lines = [
            "### Every chemprop run",
            "",
            "| dataset | split | epochs | seed | train | val | test | split digest | version |",
            "|---|---|---|---|---|---|---|---|---|",
        ]
        let sorted = chemprop.sorted { ($0.dataset, $0.split.rawValue, $0.epochs, $0.seed) < ($1.dataset, $1.split.rawValue, $1.epochs, $1.seed) }
        for run in sorted {
            lines.append("| \(run.dataset) | \(run.split.rawValue) | \(run.epochs) | \(run.seed) | \(score(run.train)) | \(score(run.val)) | "
                + "\(score(run.test)) | \(run.splitDigest.prefix(12)) | \(run.version) |")
        }
        return lines.joined(separator: "\n")
    }

    /// A metric in the every-run tables: three decimals, or a dash where none was recorded.
    private func score(_ value: Double?) -> String { value.map { String(format: "%.3f", $0) } ?? "—" }

    // MARK: Cells

    /// A column of lgmcl's.
    private func title(_ training: BenchmarkTraining) -> String {
        let departures = training.departures.map { ", \($0)" }.joined()
        return "lgmcl `\(training.preset)`, \(training.variant.title)\(departures) (\(training.epochs) ep.)"
    }

    private struct RowKey: Hashable, Comparable {
        let dataset: String
        let split: SplitProtocol

        static func < (a: Self, b: Self) -> Bool {
            let left = (BenchmarkResults.datasetOrder(a.dataset), a.dataset, a.split == .scaffold ? 0 : 1)
            let right = (BenchmarkResults.datasetOrder(b.dataset), b.dataset, b.split == .scaffold ? 0 : 1)
            return left < right
        }
    }

    private struct Summary {
        let values: [Double]
        let seeds: [UInt64]

        init(values: [Double], seeds: [UInt64]) {
            self.values = values
            self.seeds = seeds
        }

        init(_ runs: [BenchmarkRun], validation: Bool = false) {
            self.init(values: runs.map { validation ? $0.val : $0.test }, seeds: runs.map(\.seed))
        }
    }

    private func encoders(_ runs: [BenchmarkRun]) -> String {
        let kinds: Set<String> = Set(runs.map { run in run.pretrained.map { "pretrained (`\($0)`)" } ?? "no pretraining" })
        return kinds.sorted().joined(separator: "; ")
    }

    private func chempropTitle(epochs: Int) -> String {
        let versions = Set(chemprop.filter { $0.epochs == epochs }.map(\.version)).sorted()
        return "chemprop \(versions.joined(separator: "/")) (\(epochs) ep.)"
    }

    /// mean ± std, the seeds when they are not 0, 1, 2, and the row's best mean in bold.
    private func cells(_ summaries: [Summary?], metric: Metric) -> [String] {
        let means = summaries.map { $0.map { SeedSummary($0.values).mean } }
        let present = means.compactMap { $0 }
        let best = present.count > 1 ? (metric.higherIsBetter ? present.max() : present.min()) : nil
        return zip(summaries, means).map { summary, mean in
            guard let summary, let mean else { return "—" }
            var text = SeedSummary(summary.values).text
            if summary.seeds != [0, 1, 2] { text += " (seed\(summary.seeds.count == 1 ? "" : "s") \(summary.seeds.map(String.init).joined(separator: ",")))" }
            return mean == best ? "**\(text)**" : text
        }
    }

    private func metricTitle(_ metric: Metric) -> String {
        switch metric {
        case .rocAUC: "ROC-AUC ↑"
        case .rmse: "RMSE ↓"
        case .mae: "MAE ↓"
        }
    }

    private func orderedDatasets(_ names: [String]) -> [String] {
        Array(Set(names)).sorted { (BenchmarkResults.datasetOrder($0), $0) < (BenchmarkResults.datasetOrder($1), $1) }
    }

    private func format(_ fraction: Double) -> String { String(format: "%g", fraction) }
}
