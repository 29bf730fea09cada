import Distributed
import Foundation

/// What `predict` reports per molecule and task: the probability (sigmoid of the logit) for
/// classification, the value in the targets' units (each seed's own de-standardization) for
/// regression. With several seeds the report is the mean over the seeds' models, an ensemble as
/// chemprop forms from several models (it averages their probabilities too).
public struct Predictor {
    public let model: InferenceModel
    public let finetuned: FinetunedModel

    public init(model: InferenceModel) throws {
        guard let finetuned = model.finetuned else {
            throw InferenceError(description: "\(model.directory.path): a pretraining output has no prediction head; predict needs a directory written by `lgmcl-dist finetune`")
        }
        self.model = model
        self.finetuned = finetuned
    }

    public var tasks: Int { finetuned.manifest.tasks.count }

    /// One model's raw outputs for a batch: batch.count × tasks logits (classification) or
    /// standardized values (regression), followed with a mean–variance head by its batch.count ×
    /// tasks variances; dropout only with a stream (Monte-Carlo dropout).
    public static func outputs<Scalar: TensorScalar>(_ model: LGMCLModel<Scalar>, _ batch: MoleculeBatch,
                                                     dropout stream: RandomStream? = nil) -> [Scalar] {
        let outputs = model.predictions(ModelInputs(batch), stream)
        guard let variances = outputs.variances else { return outputs.predictions.scalars }
        return concatenated([outputs.predictions, variances], axis: 1).scalars
    }

    /// The dropout masks of Monte-Carlo sample `sample` of the model of `seed`: keyed like
    /// training's masks by (seed, step, site, molecule), with a seed of their own so that no
    /// sample repeats a training step's masks, and the same on any rank count.
    public static func dropoutStream(seed: UInt64, sample: Int) -> RandomStream {
        RandomStream(seed: seed ^ 0x4D43_4452_4F50, step: UInt64(sample))  // "MCDROP"
    }

    /// Runs every seed's model over `pass` (ranks splitting each pass); on rank 0 the report,
    /// nil on the other ranks. Without `dropoutSamples`: the mean of the seeds' reports
    /// (molecules × tasks) and their uncertainty — with a mean–variance head the mean of the
    /// seeds' predicted variances (chemprop's MVE estimator), otherwise, with several seeds, the
    /// variance among the seeds. With K samples (chemprop's `dropout` method): each seed's K
    /// dropout passes give its mean and variance, and the report is the mean over the seeds of both.
    public func run(_ pass: InferencePass, world: Communicator, dropoutSamples: Int = 0,
                    progress: (String) -> Void = { _ in }) throws -> EnsemblePrediction? {
        let headWidth = finetuned.manifest.model.fusion.predictsVariance ? 2 * tasks : tasks
        var reports: [TaskMatrix] = [], predicted: [TaskMatrix] = [], sampled: [(mean: TaskMatrix, variance: TaskMatrix)] = []
        for member in model.members {
            let network = try model.model(member), seed = member.seed!
            progress("predict: \(member.name)")
            var samples: [TaskMatrix] = []
            for sample in 0 ..< max(dropoutSamples, 1) {
                let stream = dropoutSamples > 0 ? Self.dropoutStream(seed: seed, sample: sample) : nil
                guard let values = try pass.run(world: world, width: headWidth, { Self.outputs(network, $0, dropout: stream) }) else { continue }
                let outputs = TaskMatrix(rows: values.count / headWidth, tasks: headWidth, values: values.map(Double.init))
                samples.append(finetuned.userValues(fromOutputs: outputs.columns(0 ..< tasks), seed: seed))
                if headWidth > tasks, dropoutSamples == 0 {
                    predicted.append(finetuned.userVariances(fromOutputs: outputs.columns(tasks ..< headWidth), seed: seed))
                }
            }
            guard world.isRoot else { continue }
            if dropoutSamples > 0 { sampled.append((Self.mean(samples), Self.variance(samples))) } else { reports += samples }
        }
        guard world.isRoot else { return nil }
        if dropoutSamples > 0 {
            return EnsemblePrediction(mean: Self.mean(sampled.map(\.mean)), variance: Self.mean(sampled.map(\.variance)), source: .dropout)
        }
        return EnsemblePrediction(members: reports, predictedVariances: predicted)
    }

    /// The element-wise population variance of the members' reports (divided by the member
    /// count: chemprop's ensemble uncertainty, `torch.var(correction=0)`).
    public static func variance(_ members: [TaskMatrix]) -> TaskMatrix {
        let mean = mean(members)
        var spread = mean
        for i in spread.values.indices {
            spread.values[i] = members.reduce(0) { $0 + ($1.values[i] - mean.values[i]) * ($1.values[i] - mean.values[i]) }
                / Double(members.count)
        }
        return spread
    }

    /// The element-wise mean of the members' reports.
    public static func mean(_ members: [TaskMatrix]) -> TaskMatrix {
        precondition(!members.isEmpty && members.allSatisfy { $0.rows == members[0].rows && $0.tasks == members[0].tasks },
                     "Predictor.mean: the members' shapes differ")
        var sum = members[0]
        for member in members.dropFirst() {
            for i in sum.values.indices { sum.values[i] += member.values[i] }
        }
        sum.values = sum.values.map { $0 / Double(members.count) }
        return sum
    }
}

/// What an ensemble of seed models reports: the mean of the members' probabilities or values,
/// and their uncertainty with where it comes from.
public struct EnsemblePrediction {
    public var mean: TaskMatrix
    public var variance: TaskMatrix?
    public var source: UncertaintySource

    public init(mean: TaskMatrix, variance: TaskMatrix?, source: UncertaintySource) {
        self.mean = mean
        self.variance = variance
        self.source = source
    }

    /// The seeds' reports combined: their mean, and with mean–variance heads the mean of the
    /// predicted variances (chemprop's MVE estimator), otherwise with several seeds the variance
    /// among them.
    public init(members: [TaskMatrix], predictedVariances: [TaskMatrix]) {
        mean = Predictor.mean(members)
        if !predictedVariances.isEmpty {
            variance = Predictor.mean(predictedVariances)
            source = .meanVariance
        } else if members.count > 1 {
            variance = Predictor.variance(members)
            source = .ensemble
        } else {
            variance = nil
            source = .none
        }
    }
}

/// What `predict` writes per molecule: the prediction, its uncertainty as `<task>_unc`, and what
/// the model's calibration makes of them — `<task>_calibrated` probabilities (classification), or
/// `<task>_lower` and `<task>_upper`, the conformal interval at `coverage` (regression), with
/// `<task>_unc` then z-scaled. A calibration applies only to predictions whose uncertainty comes
/// from the source it was fitted for.
public struct CalibratedPrediction {
    public var suffixes: [String] = []
    /// Per molecule: every task's prediction, then each suffix's values task by task; NaN where a
    /// task has no value (a calibration without a fitted map for it).
    public var rows: [[Double]]
    /// Why no calibration was applied, when the model has one.
    public var note: String?

    public init(_ prediction: EnsemblePrediction, kind: TaskKind, calibration: Calibration?, coverage: Double) {
        let mean = prediction.mean, tasks = mean.tasks
        var applied = calibration
        if let fitted = calibration, fitted.uncertainty != prediction.source {
            note = "calibration not applied: it was fitted for uncertainty from \(fitted.uncertainty.rawValue), this prediction's comes from \(prediction.source.rawValue)"
            applied = nil
        }
        let variance = prediction.variance.map { v in
            TaskMatrix(rows: v.rows, tasks: tasks, values: v.values.indices.map { applied?.variance(v.values[$0], task: $0 % tasks) ?? v.values[$0] })
        }
        if variance != nil { suffixes.append("_unc") }
        if applied != nil { suffixes += kind == .classification ? ["_calibrated"] : ["_lower", "_upper"] }
        rows = (0 ..< mean.rows).map { m in
            var row = (0 ..< tasks).map { mean[m, $0] }
            if let variance { row += (0 ..< tasks).map { variance[m, $0] } }
            guard let applied else { return row }
            switch kind {
            case .classification:
                row += (0 ..< tasks).map { applied.tasks[$0].platt == nil && applied.tasks[$0].isotonic == nil ? .nan : applied.probability(mean[m, $0], task: $0) }
            case .regression:
                let intervals = (0 ..< tasks).map { applied.interval(mean: mean[m, $0], variance: prediction.variance?[m, $0], task: $0, coverage: coverage) }
                row += intervals.map { $0?.lowerBound ?? .nan } + intervals.map { $0?.upperBound ?? .nan }
            }
            return row
        }
    }
}

extension PredictionTable {
    /// Fills the table: molecule m's values go to its input row, every rejected row gets its
    /// reason. A row left with neither is an error at writing time.
    public mutating func fill(_ prediction: CalibratedPrediction, input: InferenceInput) throws {
        guard prediction.rows.count == input.sourceRows.count else {
            throw InferenceError(description: "\(input.path): \(prediction.rows.count) predictions for \(input.sourceRows.count) molecules")
        }
        guard input.rowCount == self.input.rows.count else {
            throw InferenceError(description: "\(input.path): \(self.input.rows.count) rows read, but preprocessing saw \(input.rowCount)")
        }
        for (molecule, row) in input.sourceRows.enumerated() { setPrediction(row: row, values: prediction.rows[molecule]) }
        for rejection in input.rejections { setError(row: rejection.row, reason: rejection.reason) }
    }
}
