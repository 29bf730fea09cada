import Foundation
import Logging

/// Where a seed's training stands after an epoch, or after the step a stop signal ended. Data
/// order and dropout are keyed by seed, epoch and step (docs/design.md, Randomness), so this plus
/// the weights and Adam's moments is all a resumed run needs to go on exactly as the interrupted
/// one would have.
struct SeedProgress<Scalar: TensorScalar> {
    /// Epochs completed.
    var epochs = 0
    /// Optimizer steps taken.
    var step = 0
    /// The epoch in progress: batches trained and the sum of their losses (its training loss so far).
    var epochBatches = 0
    var epochLossSum = 0.0
    var best: BestEpoch<Scalar>
    var average: WeightAverage<Scalar>?
    /// The validation predictions of every completed epoch (predictions_val_epochs.csv).
    var validationEpochs: [TaskMatrix] = []
    var points: [LearningCurves.Point] = []
    /// Seconds the seed trained in the processes before this one.
    var seconds = 0.0
}

/// The JSON of checkpoints: a loss that was not a number (an epoch without a batch) is written as
/// "nan" rather than failing the write.
private var checkpointEncoder: JSONEncoder {
    let encoder = JSONEncoder.pretty
    encoder.nonConformingFloatEncodingStrategy = .convertToString(positiveInfinity: "inf", negativeInfinity: "-inf", nan: "nan")
    return encoder
}

private var checkpointDecoder: JSONDecoder {
    let decoder = JSONDecoder()
    decoder.nonConformingFloatDecodingStrategy = .convertFromString(positiveInfinity: "inf", negativeInfinity: "-inf", nan: "nan")
    return decoder
}

/// What a checkpoint's progress.json holds beside the tensors.
private struct ProgressRecord: Codable {
    var fingerprint: String
    var points: [LearningCurves.Point]
    var seconds: Double
    /// The epoch in progress's summed loss; absent from checkpoints taken at an epoch's end before 2026-12-06.
    var epochLossSum: Double?
}

/// A seed trained to the end: what a resumed run takes instead of training it again.
struct SeedOutcome {
    var result: SeedResult
    var predictions: [SplitPart: SeedPrediction]
    var points: [LearningCurves.Point]
}

/// Fine-tuning's checkpoints: after every epoch and at the step a stop signal ends, rank 0 writes
/// the seed's progress under seed-S/checkpoints/ (CheckpointStore, the newest one kept); a finished
/// seed leaves seed-S/outcome.safetensors and no checkpoint. `finetune --resume` (and `benchmark moleculenet`,
/// always) continues each seed from these, when they were written with the same settings and split.
extension Finetuner {
    func checkpoints(seed: UInt64) -> CheckpointStore { CheckpointStore(runDirectory: directory.seed(seed), keep: 1) }
    func outcomeFile(seed: UInt64) -> URL { directory.seed(seed).appendingPathComponent("outcome.safetensors") }

    /// What must match for a checkpoint to continue this run: every setting that changes the
    /// numbers (not where the output goes, how often progress is logged, which other seeds run,
    /// or the watchdog's patience), and the seed's split.
    func fingerprint(parts: DatasetSplit) throws -> String {
        var training = settings
        training.output = ""
        training.logInterval = 0
        training.seeds = []
        training.collectiveTimeout = 0
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        return SHA256Digest.of(try encoder.encode(training) + encoder.encode(parts))
    }

    /// A fresh seed starts without anything an earlier run left in its directory.
    func discardProgress(seed: UInt64) throws {
        guard world.isRoot else { return }
        for url in [checkpoints(seed: seed).directory, outcomeFile(seed: seed)] where FileManager.default.fileExists(atPath: url.path) {
            try FileManager.default.removeItem(at: url)
        }
    }

    /// Rank 0 writes the checkpoint and returns its directory; other ranks return nil.
    @discardableResult
    func saveProgress(_ progress: SeedProgress<Scalar>, seed: UInt64, fingerprint: String, trained: [(name: String, parameter: Parameter<Scalar>)],
                      optimizer: AdamState<Scalar>, preset: String) throws -> URL? {
        guard world.isRoot else { return nil }
        let names = trained.map(\.name)
        let moments = optimizer.file(shapes: Dictionary(uniqueKeysWithValues: trained.map { ($0.name, $0.parameter.shape) }))
        var validation = SafeTensors()
        if let first = progress.validationEpochs.first {
            validation.add("predictions", Tensor<Double>(progress.validationEpochs.flatMap(\.values),
                                                         shape: [progress.validationEpochs.count, first.rows, first.tasks]))
        }
        var files: [(name: String, contents: Data)] = [
            ("model.safetensors", SafeTensors(trained, metadata: ["preset": preset]).encoded()),
            ("optimizer.safetensors", moments.encoded()),
            ("best.safetensors", progress.best.checkpoint(names: names).encoded()),
            ("validation.safetensors", validation.encoded()),
            ("progress.json", try checkpointEncoder.encode(ProgressRecord(fingerprint: fingerprint, points: progress.points,
                                                                           seconds: progress.seconds, epochLossSum: progress.epochLossSum))),
        ]
        if let average = progress.average { files.append(("average.safetensors", average.checkpoint(names: names).encoded())) }
        let manifest = CheckpointManifest(stage: "finetune", preset: preset, vocabularySHA256: nil, ranks: world.size,
                                          globalBatch: settings.globalBatchSize, seed: seed,
                                          position: TrainingPosition(step: progress.step, epoch: progress.epochs, batchInEpoch: progress.epochBatches),
                                          numerics: numerics)
        return try checkpoints(seed: seed).save(files, manifest: manifest)
    }

    /// The seed's newest checkpoint, loaded into `trained` and `optimizer`, and its directory; nil
    /// when there is none. Every rank reads it and the ranks check that they read the same one.
    func restoreProgress(seed: UInt64, fingerprint: String, higherIsBetter: Bool, trained: [(name: String, parameter: Parameter<Scalar>)],
                         optimizer: Adam<Scalar>) throws -> (progress: SeedProgress<Scalar>, checkpoint: URL)? {
        let store = checkpoints(seed: seed)
        var skipped: [String] = []
        let checkpoint = store.newest { skipped.append($0) }
        if world.isRoot { for reason in skipped { logger.info("--resume: seed \(seed): skipping damaged checkpoint \(reason)") } }
        let position: [Double] = checkpoint.map { [Double($0.manifest.position.epoch), Double($0.manifest.position.step)] } ?? [-1, -1]
        let seen = try world.allgather(position)
        guard stride(from: 0, to: seen.count, by: 2).allSatisfy({ seen[$0] == seen[0] && seen[$0 + 1] == seen[1] }) else {
            throw FinetuneError(description: "--resume: the ranks see different checkpoints in \(store.directory.path) (epoch, step per rank: \(seen)); resuming needs the output directory on a file system every rank shares")
        }
        guard let checkpoint else { return nil }
        let file = { (name: String) in checkpoint.directory.appendingPathComponent(name) }
        let record = try checkpointDecoder.decode(ProgressRecord.self, from: checkpoint.contents(of: "progress.json"))
        guard record.fingerprint == fingerprint else {
            throw FinetuneError(description: "--resume: \(checkpoint.directory.path) was written with other settings or another split than this run's; resume with the same command, or remove \(directory.seed(seed).path) to start seed \(seed) again")
        }
        let names = trained.map(\.name)
        let weights = try SafeTensors.read(file("model.safetensors"))
        for (name, parameter) in trained { _ = parameter.values.update(fromContentsOf: try weights.tensor(name, as: Scalar.self).scalars) }
        optimizer.state = try AdamState(file: SafeTensors.read(file("optimizer.safetensors")))

        let m = checkpoint.manifest
        var progress = SeedProgress<Scalar>(epochs: m.position.epoch, step: m.position.step,
                                    epochBatches: m.position.batchInEpoch, epochLossSum: record.epochLossSum ?? 0,
                                    best: try BestEpoch<Scalar>(higherIsBetter: higherIsBetter, restoring: SafeTensors.read(file("best.safetensors")), names: names),
                                    points: record.points, seconds: record.seconds)
        if settings.emaDecay != nil { progress.average = try WeightAverage<Scalar>(restoring: SafeTensors.read(file("average.safetensors")), names: names) }
        let validation = try SafeTensors.read(file("validation.safetensors"))
        if validation.names.contains("predictions") {
            let predictions = try validation.tensor("predictions", as: Double.self)
            let rows = predictions.shape[1], tasks = predictions.shape[2]
            let values = predictions.scalars
            let size = rows * tasks
            progress.validationEpochs = (0 ..< predictions.shape[0]).map { (epoch: Int) -> TaskMatrix in
                TaskMatrix(rows: rows, tasks: tasks, values: Array(values[epoch * size ..< (epoch + 1) * size]))
            }
        }
        if world.isRoot {
            if let then = m.numerics, Set(then.map(\.canary)) != Set(numerics.map(\.canary)) {
                logger.warning("--resume: seed \(seed): \(checkpoint.directory.lastPathComponent) was written by ranks computing with \(then.map(\.computation).joined(separator: "; ")), these ranks compute with \(numerics.map(\.computation).joined(separator: "; ")): training continues correctly, but is no longer byte-identical to an uninterrupted run")
            }
            if m.gitCommit != BuildInfo.gitCommit {
                logger.warning("--resume: seed \(seed): \(checkpoint.directory.lastPathComponent) was written by lgmcl-dist built from \(m.gitCommit), this one is built from \(BuildInfo.gitCommit): its epochs so far ran with that build")
            }
            let point = m.position.batchInEpoch == 0 ? "after epoch \(m.position.epoch)"
                : "in epoch \(m.position.epoch + 1) after its batch \(m.position.batchInEpoch)"
            logger.info("seed \(seed): resumed \(point) (step \(m.position.step)) from \(checkpoint.directory.path)")
        }
        return (progress, checkpoint.directory)
    }

    /// Rank 0 records a finished seed and drops its checkpoints.
    func saveOutcome(_ outcome: SeedOutcome, seed: UInt64, fingerprint: String) throws {
        guard world.isRoot else { return }
        var file = SafeTensors()
        for (part, prediction) in outcome.predictions {
            file.add("\(part.rawValue).mean", Tensor<Double>(prediction.mean.values, shape: [prediction.mean.rows, prediction.mean.tasks]))
            if let variance = prediction.variance {
                file.add("\(part.rawValue).variance", Tensor<Double>(variance.values, shape: [variance.rows, variance.tasks]))
            }
        }
        let encoder = checkpointEncoder
        encoder.outputFormatting = []
        file.metadata = ["fingerprint": fingerprint, "build": BuildInfo.gitCommit,
                         "result": String(decoding: try encoder.encode(outcome.result), as: UTF8.self),
                         "points": String(decoding: try encoder.encode(outcome.points), as: UTF8.self)]
        try directory.replace(outcomeFile(seed: seed), with: file.encoded())
        try FileManager.default.removeItem(at: checkpoints(seed: seed).directory)
    }

    /// The finished seed an earlier run of the same settings and split left; nil when there is none.
    func restoreOutcome(seed: UInt64, fingerprint: String) throws -> SeedOutcome? {
        let url = outcomeFile(seed: seed)
        let present = try world.allgather([FileManager.default.fileExists(atPath: url.path) ? 1.0 : 0.0])
        guard present.allSatisfy({ $0 == present[0] }) else {
            throw FinetuneError(description: "--resume: only some ranks see \(url.path); resuming needs the output directory on a file system every rank shares")
        }
        guard present[0] == 1 else { return nil }
        let file = try SafeTensors.read(url)
        guard file.metadata["fingerprint"] == fingerprint, let result = file.metadata["result"], let points = file.metadata["points"] else {
            throw FinetuneError(description: "--resume: \(url.path) was written with other settings or another split than this run's; resume with the same command, or remove \(directory.seed(seed).path) to train seed \(seed) again")
        }
        var predictions: [SplitPart: SeedPrediction] = [:]
        for part in SplitPart.allCases where file.names.contains("\(part.rawValue).mean") {
            func matrix(_ name: String) throws -> TaskMatrix? {
                guard file.names.contains(name) else { return nil }
                let tensor = try file.tensor(name, as: Double.self)
                return TaskMatrix(rows: tensor.shape[0], tasks: tensor.shape[1], values: tensor.scalars)
            }
            predictions[part] = SeedPrediction(mean: try matrix("\(part.rawValue).mean")!, variance: try matrix("\(part.rawValue).variance"))
        }
        if world.isRoot {
            logger.info("seed \(seed): finished by an earlier run (\(url.path)); not trained again")
            if let build = file.metadata["build"], build != BuildInfo.gitCommit {
                logger.warning("--resume: seed \(seed) was trained by lgmcl-dist built from \(build), this one is built from \(BuildInfo.gitCommit); remove \(url.path) to train it with this build")
            }
        }
        return SeedOutcome(result: try checkpointDecoder.decode(SeedResult.self, from: Data(result.utf8)), predictions: predictions,
                           points: try checkpointDecoder.decode([LearningCurves.Point].self, from: Data(points.utf8)))
    }
}
