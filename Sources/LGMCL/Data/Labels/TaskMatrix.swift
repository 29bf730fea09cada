/// Values of `tasks` columns for `rows` molecules, row-major, NaN where a label is missing: the
/// shape of `/labels` in the HDF5 dataset, of predictions, and of what metrics compare.
public struct TaskMatrix: Equatable, Sendable {
    public let rows: Int
    public let tasks: Int
    public var values: [Double]

    public init(rows: Int, tasks: Int, values: [Double]) {
        precondition(values.count == rows * tasks, "TaskMatrix: \(values.count) values for \(rows) × \(tasks)")
        self.rows = rows
        self.tasks = tasks
        self.values = values
    }

    public init(rows: Int, tasks: Int, repeating value: Double = .nan) {
        self.init(rows: rows, tasks: tasks, values: Array(repeating: value, count: rows * tasks))
    }

    public subscript(row: Int, task: Int) -> Double {
        get { values[row * tasks + task] }
        set { values[row * tasks + task] = newValue }
    }

    public func column(_ task: Int) -> [Double] {
        (0..<rows).map { self[$0, task] }
    }

    /// The given columns of every row, as tasks of their own (a head's means, or its variances).
    public func columns(_ range: Range<Int>) -> TaskMatrix {
        precondition(range.lowerBound >= 0 && range.upperBound <= tasks, "TaskMatrix: columns \(range) of \(tasks)")
        var picked: [Double] = []
        picked.reserveCapacity(rows * range.count)
        for row in 0..<rows { picked += values[row * tasks + range.lowerBound ..< row * tasks + range.upperBound] }
        return TaskMatrix(rows: rows, tasks: range.count, values: picked)
    }

    /// The given rows, in the given order (a split's molecules).
    public func selecting(rows selected: [Int]) -> TaskMatrix {
        var picked: [Double] = []
        picked.reserveCapacity(selected.count * tasks)
        for row in selected { picked.append(contentsOf: values[(row * tasks)..<((row + 1) * tasks)]) }
        return TaskMatrix(rows: selected.count, tasks: tasks, values: picked)
    }
}
