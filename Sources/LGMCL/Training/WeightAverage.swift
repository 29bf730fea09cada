/// An exponential moving average of the trained weights (Polyak averaging), what a seed is scored
/// and kept with under `--ema-decay`. The averaged weights sit in a flatter region of the loss
/// than the last step's, which on a few hundred molecules is what generalizes.
///
/// Update t (counted from 0) moves the average towards the weights by 1 − dₜ, with
/// dₜ = min(d, (1 + t) / (10 + t)): TensorFlow's ExponentialMovingAverage with `num_updates`, so the
/// initial random weights fade within the first steps instead of weighing for 1 / (1 − d) of them.
/// Every rank holds the same weights after a step, so the averages agree without communication.
struct WeightAverage<Scalar: TensorScalar> {
    let decay: Double
    private var averages: [[Scalar]]
    private(set) var updates = 0

    init(decay: Double, of parameters: [(name: String, parameter: Parameter<Scalar>)]) {
        precondition(decay >= 0 && decay < 1, "an average's decay lies in [0, 1)")
        self.decay = decay
        averages = parameters.map { Array($0.parameter.values) }
    }

    /// The decay of update `t`.
    static func decay(_ decay: Double, update t: Int) -> Double { min(decay, Double(1 + t) / Double(10 + t)) }

    /// Folds the weights after an optimizer step into the average.
    mutating func update(from parameters: [(name: String, parameter: Parameter<Scalar>)]) {
        let d = Scalar(Self.decay(decay, update: updates)), rest = 1 - d
        for (index, entry) in parameters.enumerated() {
            let weights = UnsafeBufferPointer(entry.parameter.values)
            averages[index].withUnsafeMutableBufferPointer { average in
                for i in average.indices { average[i] = d * average[i] + rest * weights[i] }
            }
        }
        updates += 1
    }

    /// Exchanges the averages with the weights: once to score or keep the average, once more to
    /// go on training the weights themselves.
    mutating func exchange(with parameters: [(name: String, parameter: Parameter<Scalar>)]) {
        for (index, entry) in parameters.enumerated() {
            let weights = entry.parameter.values
            averages[index].withUnsafeMutableBufferPointer { average in
                for i in average.indices { Swift.swap(&average[i], &weights[i]) }
            }
        }
    }

    /// The averages by parameter name and the update count, for a checkpoint (`SeedProgress`).
    func checkpoint(names: [String]) -> SafeTensors {
        var file = SafeTensors()
        for (name, values) in zip(names, averages) { file.add(name, Tensor(values, shape: [values.count])) }
        file.metadata = ["decay": "\(decay)", "updates": String(updates)]
        return file
    }

    /// The average `checkpoint(names:)` wrote.
    init(restoring file: SafeTensors, names: [String]) throws {
        guard let decay = file.metadata["decay"].flatMap(Double.init), let updates = file.metadata["updates"].flatMap(Int.init) else {
            throw SafeTensorsError(file: nil, reason: "no 'decay' and 'updates' in the metadata")
        }
        self.decay = decay
        self.updates = updates
        averages = try names.map { try file.tensor($0, as: Scalar.self).scalars }
    }
}
