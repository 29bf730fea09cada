/// The epoch a seed keeps: the best validation score so far, with a copy of its weights. An epoch
/// that could be scored beats one that could not (a split whose val part has a single class).
struct BestEpoch<Scalar: TensorScalar> {
    let higherIsBetter: Bool
    private(set) var epoch: Int?
    private(set) var score: Double?
    private var weights: [[Scalar]] = []
    private(set) var epochsRun = 0
    private(set) var epochsWithoutImprovement = 0

    init(higherIsBetter: Bool) { self.higherIsBetter = higherIsBetter }

    /// Records an epoch's score; keeps its weights and returns true when it is the best so far.
    mutating func offer(epoch: Int, score: Double?, weights parameters: [(name: String, parameter: Parameter<Scalar>)]) -> Bool {
        epochsRun += 1
        let improved: Bool
        if self.epoch == nil {
            improved = true
        } else if let score, let previous = self.score {
            improved = higherIsBetter ? score > previous : score < previous
        } else {
            improved = self.score == nil && score != nil
        }
        if improved {
            self.epoch = epoch
            self.score = score
            weights = parameters.map { Array($0.parameter.values) }
            epochsWithoutImprovement = 0
        } else {
            epochsWithoutImprovement += 1
        }
        return improved
    }

    /// Puts the kept weights back; nil when no epoch ran.
    func restore(into parameters: [(name: String, parameter: Parameter<Scalar>)]) -> (epoch: Int, epochsRun: Int)? {
        guard let epoch else { return nil }
        for (entry, values) in zip(parameters, weights) { _ = entry.parameter.values.update(fromContentsOf: values) }
        return (epoch, epochsRun)
    }

    /// The state a checkpoint keeps (`SeedProgress`): the kept weights by parameter name, and the
    /// bookkeeping as metadata (a Double's description reads back to the same bits).
    func checkpoint(names: [String]) -> SafeTensors {
        var file = SafeTensors()
        for (name, values) in zip(names, weights) { file.add(name, Tensor(values, shape: [values.count])) }
        file.metadata = ["epochs_run": String(epochsRun), "epochs_without_improvement": String(epochsWithoutImprovement)]
        if let epoch { file.metadata["epoch"] = String(epoch) }
        if let score { file.metadata["score"] = "\(score)" }
        return file
    }

    /// The state `checkpoint(names:)` wrote.
    init(higherIsBetter: Bool, restoring file: SafeTensors, names: [String]) throws {
        self.higherIsBetter = higherIsBetter
        func integer(_ key: String) throws -> Int {
            guard let value = file.metadata[key].flatMap(Int.init) else { throw SafeTensorsError(file: nil, reason: "no integer '\(key)' in the metadata") }
            return value
        }
        epochsRun = try integer("epochs_run")
        epochsWithoutImprovement = try integer("epochs_without_improvement")
        epoch = file.metadata["epoch"].flatMap(Int.init)
        score = file.metadata["score"].flatMap(Double.init)
        weights = epoch == nil ? [] : try names.map { try file.tensor($0, as: Scalar.self).scalars }
    }
}
