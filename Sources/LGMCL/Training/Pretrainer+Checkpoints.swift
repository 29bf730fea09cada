import Foundation
import Logging

/// What pretraining writes and reads back: checkpoints (weights, Adam's moments, position), the
/// encoders fine-tuning loads, and the gradients equivalence checks compare.
extension Pretrainer {
    func manifest() -> CheckpointManifest {
        CheckpointManifest(stage: settings.stage.rawValue, preset: settings.model.preset,
                           vocabularySHA256: dataset.vocabularySHA256.isEmpty ? nil : dataset.vocabularySHA256,
                           ranks: world.size, globalBatch: settings.globalBatchSize, seed: settings.seed, position: position,
                           numerics: numerics)
    }

    func saveCheckpoint() throws {
        guard world.isRoot else { return }
        let weights = SafeTensors(model.stateDict(), metadata: ["format": "pt", "preset": settings.model.preset])
        let moments = step.optimizer.state.file(shapes: Dictionary(uniqueKeysWithValues: trained.map { ($0.name, $0.parameter.shape) }))
        let encoder = JSONEncoder.pretty
        let files: [(name: String, contents: Data)] = [
            ("model.safetensors", weights.encoded()),
            ("optimizer.safetensors", moments.encoded()),
            ("config.json", try encoder.encode(settings.model)),
            ("settings.json", try encoder.encode(settings)),
        ]
        let faults = self.faults
        let number = position.step
        try store.save(files, manifest: manifest()) { faults.whileCheckpointing(number) }
    }

    func resume() throws {
        var skipped: [String] = []
        guard let checkpoint = store.newest(skipped: { skipped.append($0) }) else {
            if world.isRoot { logger.info("--resume: no checkpoint in \(store.directory.path) yet; starting from step 0") }
            return
        }
        if world.isRoot {
            for reason in skipped { logger.info("--resume: skipping damaged checkpoint \(reason)") }
        }
        let m = checkpoint.manifest
        guard m.stage == settings.stage.rawValue else {
            throw PretrainError(description: "\(checkpoint.directory.path) is a '\(m.stage)' checkpoint, not '\(settings.stage.rawValue)'")
        }
        guard m.globalBatch == settings.globalBatchSize else {
            throw PretrainError(description: "\(checkpoint.directory.path) was trained with global batch \(m.globalBatch); resume with --batch-size \(m.globalBatch) (the data order depends on it)")
        }
        let weights = try SafeTensors.read(checkpoint.directory.appendingPathComponent("model.safetensors"))
        try model.loadStateDict(Dictionary(uniqueKeysWithValues: try weights.names.map { ($0, try weights.tensor($0, as: Scalar.self)) }))
        step.optimizer.state = try AdamState(file: SafeTensors.read(checkpoint.directory.appendingPathComponent("optimizer.safetensors")))
        position = m.position
        if world.isRoot, let then = m.numerics, Set(then.map(\.canary)) != Set(numerics.map(\.canary)) {
            let written = then.map(\.computation).joined(separator: "; "), now = numerics.map(\.computation).joined(separator: "; ")
            logger.warning("--resume: \(checkpoint.directory.lastPathComponent) was written by ranks computing with \(written), these ranks compute with \(now): training continues correctly, but is no longer byte-identical to an uninterrupted run")
        }
        if world.isRoot {
            logger.info("resumed from \(checkpoint.directory.lastPathComponent): step \(m.position.step), epoch \(m.position.epoch), batch \(m.position.batchInEpoch) (written by \(m.ranks) ranks, now \(world.size))")
        }
    }

    /// The encoders this stage trained, where fine-tuning's `--pretrained DIR` finds them.
    func saveFinalWeights() throws {
        guard world.isRoot else { return }
        let weights = SafeTensors(trained, metadata: ["format": "pt", "preset": settings.model.preset, "stage": settings.stage.rawValue])
        try directory.replace(directory.encoders(stage: settings.stage.rawValue), with: weights.encoded())
        try directory.replace(directory.configuration, withJSON: settings.model)
        if settings.stage.trainsText { try directory.writeVocabulary(dataset.vocabulary) }
    }

    /// `--save-gradients`: what the first step shows of its summed gradients.
    func gradientsInspection(step number: Int) -> (() throws -> Void)? {
        guard number == 1, let path = settings.saveGradients else { return nil }
        return { try self.saveGradients(to: path) }
    }

    /// The reduced (global) gradients of the first step, for equivalence checks across rank counts.
    func saveGradients(to path: String) throws {
        guard world.isRoot else { return }
        let file = SafeTensors(trained, gradients: true,
                               metadata: ["ranks": String(world.size), "global_batch": String(settings.globalBatchSize)])
        try AtomicDirectory.replaceFile(URL(fileURLWithPath: path), with: file.encoded())
    }
}
