import Distributed
import Foundation

/// One molecule's explanation of one task: integrated gradients of the seeds' mean output (the
/// logit for classification, the value in the labels' units for regression) from the baseline
/// where atom features and fingerprint bits are zero.
public struct TaskExplanation: Sendable {
    /// f(x) and f(baseline), averaged over the seeds.
    public var output: Double
    public var baseline: Double
    /// Per atom (RDKit's atom order): the sum of its features' attributions.
    public var atoms: [Double]
    /// Per fingerprint bit: MACCS 0–166, PubChem 0–880, ErG 0–440, in that order.
    public var fingerprints: [Double]

    public var difference: Double { output - baseline }
    public var atomTotal: Double { atoms.reduce(0, +) }
    public var fingerprintTotal: Double { fingerprints.reduce(0, +) }
    /// The part of f(x) − f(baseline) the quadrature leaves unexplained.
    public var residual: Double { difference - atomTotal - fingerprintTotal }

    /// The fingerprint bits of largest |attribution|, named as the dataset orders them.
    public func strongestBits(_ count: Int) -> [(name: String, attribution: Double)] {
        fingerprints.indices.sorted { abs(fingerprints[$0]) > abs(fingerprints[$1]) }.prefix(count).map { (Self.bitName($0), fingerprints[$0]) }
    }

    static func bitName(_ index: Int) -> String {
        let maccs = DatasetSchema.maccsCount, pubchem = DatasetSchema.pubchemCount
        if index < maccs { return "MACCS \(index)" }
        if index < maccs + pubchem { return "PubChem \(index - maccs)" }
        return "ErG \(index - maccs - pubchem)"
    }
}

/// `explain`: every molecule of a dataset through IntegratedGradients with each seed's model,
/// molecule i on rank i mod N, gathered on rank 0 in dataset order. A molecule's numbers do not
/// depend on the rank that computes them, so any rank count writes the same files.
public struct Explainer {
    public let model: InferenceModel
    public let finetuned: FinetunedModel
    public let gradients: IntegratedGradients

    public init(model: InferenceModel, steps: Int) throws {
        guard let finetuned = model.finetuned else {
            throw InferenceError(description: "\(model.directory.path): a pretraining output has no prediction head; explain needs a directory written by `lgmcl-dist finetune`")
        }
        self.model = model
        self.finetuned = finetuned
        gradients = IntegratedGradients(steps: steps)
    }

    /// Token sequences cut as the model was trained.
    public var batchOptions: BatchOptions {
        BatchOptions(maxSMILESTokens: model.configuration.text.maxSMILESTokens, maxDescriptionTokens: model.configuration.text.maxDescriptionTokens)
    }

    /// On rank 0, per molecule of `dataset`, per task; nil on the other ranks.
    public func run(_ dataset: MoleculeDataset, world: Communicator, progress: (Int, Int) -> Void = { _, _ in }) throws -> [[TaskExplanation]]? {
        let tasks = finetuned.manifest.tasks.count, bits = DatasetSchema.fingerprintCount
        let networks = try model.members.map { (seed: $0.seed!, network: try model.model($0)) }
        var record: [Double] = []
        let mine = Array(stride(from: world.rank, to: dataset.count, by: world.size))
        for (done, molecule) in mine.enumerated() {
            let plan = try ShardPlan.sequential([molecule], globalBatchSize: 1, rank: 0, rankCount: 1)
            let reader = BatchReader(dataset: dataset, plan: plan, options: batchOptions)
            guard let batch = try reader.next() else { throw InferenceError(description: "\(dataset.path): molecule \(molecule) could not be read") }
            let inputs = ModelInputs(batch)
            var sums = [TaskExplanation](repeating: TaskExplanation(output: 0, baseline: 0, atoms: Array(repeating: 0, count: inputs.graph.atomCount),
                                                                    fingerprints: Array(repeating: 0, count: bits)), count: tasks)
            for (seed, network) in networks {
                for (t, a) in gradients.attribute(network, molecule: inputs).enumerated() {
                    // Regression: in the labels' units, as predict reports (x·std + mean is linear,
                    // so the attributions scale by std and the mean cancels from the difference).
                    let std = finetuned.scalers[seed]?.stds[t] ?? 1, mean = finetuned.scalers[seed]?.means[t] ?? 0
                    sums[t].output += a.output * std + mean
                    sums[t].baseline += a.baseline * std + mean
                    for i in a.atoms.indices { sums[t].atoms[i] += a.atoms[i] * std }
                    for i in a.fingerprints.indices { sums[t].fingerprints[i] += a.fingerprints[i] * std }
                }
            }
            let n = Double(networks.count)
            record.append(Double(inputs.graph.atomCount))
            for sum in sums { record += [sum.output / n, sum.baseline / n] + sum.atoms.map { $0 / n } + sum.fingerprints.map { $0 / n } }
            if world.isRoot { progress(done + 1, mine.count) }
        }
        let gathered = try world.allgatherVariable(record)
        guard world.isRoot else { return nil }
        var explanations = [[TaskExplanation]?](repeating: nil, count: dataset.count)
        var offset = 0
        for rank in 0 ..< world.size {
            for molecule in stride(from: rank, to: dataset.count, by: world.size) {
                let values = gathered.values
                let atoms = Int(values[offset])
                offset += 1
                explanations[molecule] = (0 ..< tasks).map { _ in
                    defer { offset += 2 + atoms + bits }
                    return TaskExplanation(output: values[offset], baseline: values[offset + 1],
                                           atoms: Array(values[offset + 2 ..< offset + 2 + atoms]),
                                           fingerprints: Array(values[offset + 2 + atoms ..< offset + 2 + atoms + bits]))
                }
            }
        }
        return explanations.map { $0! }
    }
}
