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
    /// The kept model's metric on the train and val rows; nil in rows written before the script
    /// recorded them.
    public var train: Double?
    public var val: Double?
    public var splitDigest: String
    public var version: String

    public init(dataset: String, split: SplitProtocol, seed: UInt64, epochs: Int, metric: Metric, test: Double,
                train: Double? = nil, val: Double? = nil, splitDigest: String, version: String) {
        self.dataset = dataset
        self.split = split
        self.seed = seed
        self.epochs = epochs
        self.metric = metric
        self.test = test
        self.train = train
        self.val = val
        self.splitDigest = splitDigest
        self.version = version
    }

    public static func load(from url: URL) throws -> [ChempropRun] {
        let table = try CSVTable(contentsOf: url)
        let columns = ["dataset", "protocol", "seed", "epochs", "metric", "test_value", "split_sha", "chemprop_version"]
        var index = try Dictionary(uniqueKeysWithValues: columns.map { ($0, try table.columnIndex($0)) })
        for optional in ["train_value", "val_value"] { index[optional] = table.header.firstIndex(of: optional) }
        return try table.rows.indices.map { row in
            let cells = table.rows[row]
            func cell(_ name: String) -> String { index[name].map { cells[$0].trimmingCharacters(in: .whitespaces) } ?? "" }
            guard let split = SplitProtocol(rawValue: cell("protocol")), let seed = UInt64(cell("seed")),
                  let epochs = Int(cell("epochs")), let metric = Metric(rawValue: cell("metric")),
                  let test = Double(cell("test_value")) else {
                throw CSVTableError(description: "\(table.describeRow(row)): not a chemprop result row (\(cells.joined(separator: ",")))")
            }
            return ChempropRun(dataset: cell("dataset"), split: split, seed: seed, epochs: epochs, metric: metric, test: test,
                               train: Double(cell("train_value")), val: Double(cell("val_value")), splitDigest: cell("split_sha"), version: cell("chemprop_version"))
        }
    }
}
