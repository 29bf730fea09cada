import Foundation

/// chemprop's test scores on lgmcl's splits, as `scripts/run_chemprop.py` writes them
/// (docs/benchmarks/chemprop.csv: one row per dataset, protocol, seed and epoch count, the metric
/// computed with lgmcl's conventions).
public struct ChempropRun: Equatable, Sendable {
    public var dataset: String
    public var split: SplitProtocol
    public var seed: UInt64
    public var epochs: Int
    public var metric: Metric
    public var test: Double
    public var splitDigest: String
    public var version: String

    public init(dataset: String, split: SplitProtocol, seed: UInt64, epochs: Int, metric: Metric, test: Double,
                splitDigest: String, version: String) {
        self.dataset = dataset
        self.split = split
        self.seed = seed
        self.epochs = epochs
        self.metric = metric
        self.test = test
        self.splitDigest = splitDigest
        self.version = version
    }

    public static func load(from url: URL) throws -> [ChempropRun] {
        let table = try CSVTable(contentsOf: url)
        let columns = ["dataset", "protocol", "seed", "epochs", "metric", "test_value", "split_sha", "chemprop_version"]
        let index = try Dictionary(uniqueKeysWithValues: columns.map { ($0, try table.columnIndex($0)) })
        return try table.rows.indices.map { row in
            let cells = table.rows[row]
            func cell(_ name: String) -> String { cells[index[name]!].trimmingCharacters(in: .whitespaces) }
            guard let split = SplitProtocol(rawValue: cell("protocol")), let seed = UInt64(cell("seed")),
                  let epochs = Int(cell("epochs")), let metric = Metric(rawValue: cell("metric")),
                  let test = Double(cell("test_value")) else {
                throw CSVTableError(description: "\(table.describeRow(row)): not a chemprop result row (\(cells.joined(separator: ",")))")
            }
            return ChempropRun(dataset: cell("dataset"), split: split, seed: seed, epochs: epochs, metric: metric, test: test,
                               splitDigest: cell("split_sha"), version: cell("chemprop_version"))
        }
    }
}
