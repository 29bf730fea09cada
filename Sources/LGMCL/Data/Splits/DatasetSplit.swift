/// The three parts of a labelled dataset.
public enum SplitPart: String, Codable, Sendable, CaseIterable {
    case train
    case val
    case test
}

/// Which molecules train, select the epoch (val) and score the model (test): indices into the
/// dataset's molecules, each index in exactly one part.
public struct DatasetSplit: Codable, Equatable, Sendable {
    public var train: [Int]
    public var val: [Int]
    public var test: [Int]

    public init(train: [Int], val: [Int], test: [Int]) {
        self.train = train
        self.val = val
        self.test = test
    }

    public subscript(part: SplitPart) -> [Int] {
        switch part {
        case .train: train
        case .val: val
        case .test: test
        }
    }

    public var count: Int { train.count + val.count + test.count }

    /// The part of every molecule 0..<count, e.g. to write a `split` column that other tools
    /// (chemprop) read.
    public func column() -> [SplitPart] {
        var parts = [SplitPart?](repeating: nil, count: count)
        for part in SplitPart.allCases {
            for index in self[part] {
                precondition(parts[index] == nil, "DatasetSplit: molecule \(index) is in two parts")
                parts[index] = part
            }
        }
        return parts.map { $0! }
    }
}

/// Part sizes as fractions of the dataset, e.g. 0.8/0.1/0.1.
public struct SplitFractions: Codable, Equatable, Sendable {
    public var train: Double
    public var val: Double
    public var test: Double

    public init(train: Double, val: Double, test: Double) {
        precondition(train >= 0 && val >= 0 && test >= 0 && abs(train + val + test - 1) < 1e-9,
                     "SplitFractions: \(train)/\(val)/\(test) must be non-negative and sum to 1")
        self.train = train
        self.val = val
        self.test = test
    }

    /// The authors' protocol.
    public static let random = SplitFractions(train: 0.6, val: 0.2, test: 0.2)
    /// The community's scaffold protocol.
    public static let scaffold = SplitFractions(train: 0.8, val: 0.1, test: 0.1)
}
