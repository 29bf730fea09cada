import Foundation

/// A split fixed in advance by a column whose cells are `train`, `val` or `test` (chemprop's
/// convention; `/split` in the HDF5 dataset), so that lgmcl and other tools compare on the same
/// molecules.
public struct SplitColumnError: Error, CustomStringConvertible, Equatable {
    public let description: String

    public init(description: String) { self.description = description }
}

extension DatasetSplit {
    /// Reads a split from one cell per molecule (case and surrounding spaces ignored).
    /// - Parameters:
    ///   - describeRow: names molecule i in the input for error messages (e.g. "bbbp.csv row 17").
    public static func fixed(cells: [String], column: String,
                             describeRow: (Int) -> String = { "row \($0 + 1)" }) throws -> DatasetSplit {
        var split = DatasetSplit(train: [], val: [], test: [])
        for (index, cell) in cells.enumerated() {
            let value = cell.trimmingCharacters(in: .whitespaces).lowercased()
            guard let part = SplitPart(rawValue: value) else {
                throw SplitColumnError(description: "\(describeRow(index)): split column '\(column)' holds '\(cell)'; expected train, val or test")
            }
            switch part {
            case .train: split.train.append(index)
            case .val: split.val.append(index)
            case .test: split.test.append(index)
            }
        }
        // Without train rows nothing is learned, without val rows no epoch can be chosen; an empty
        // test part is allowed (e.g. the final model trained for deployment).
        for part in [SplitPart.train, .val] where split[part].isEmpty {
            throw SplitColumnError(description: "split column '\(column)' has no '\(part.rawValue)' rows")
        }
        return split
    }
}
