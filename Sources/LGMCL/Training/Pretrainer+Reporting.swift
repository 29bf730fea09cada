import Distributed
import Foundation
import Logging

/// What a pretraining run reports: per-step metrics and progress lines, the end of each epoch
/// (retrieval on held-out molecules), and the summary at the end.
extension Pretrainer {
    /// Where the timed part of a run starts: after resume.
    struct RunClock {
        let step: Int
        let started = monotonicSeconds()
        let cpuStarted = processCPUSeconds()
    }

    func report(_ outcome: StepOutcome, clock: RunClock, metrics: MetricsLog?, progress: inout ProgressReporter) {
        let elapsed = monotonicSeconds() - clock.started
        let rate = Double((position.step - clock.step) * settings.globalBatchSize) / max(elapsed, 1e-9)
        if let metrics {
            var fields = ["step": Double(position.step), "epoch": Double(position.epoch), "loss": outcome.total,
                          "molecules_per_second": rate, "seconds": elapsed, "learning_rate": outcome.learningRate]
            let names = settings.stage == .joint ? ["graph_loss", "text_loss"] : ["\(settings.stage.rawValue)_loss"]
            for (name, value) in zip(names, outcome.terms) { fields[name] = value }
            metrics.write(fields, event: "step")
        }
        if world.isRoot {
            progress.update(position.step, unit: "steps",
                            detail: String(format: "epoch %d loss %.4f %.1f mol/s", position.epoch, outcome.total, rate))
        }
    }

    /// Held-out retrieval at the end of each epoch, then the next epoch's position.
    func endEpoch(metrics: MetricsLog?) throws {
        let accuracy = try step.times.measure(.evaluation) { try retrieval(heldOutMolecules) }
        if let metrics, let accuracy {
            metrics.write(["epoch": Double(position.epoch), "step": Double(position.step),
                           "retrieval_top1": accuracy.top1, "retrieval_top5": accuracy.top5,
                           "retrieval_count": Double(accuracy.count)], event: "epoch")
            try drawDiagnostics(metrics: metrics)
        }
        if world.isRoot, let accuracy {
            let line = String(format: "epoch %d done: held-out retrieval top-1 %.3f, top-5 %.3f (%d molecules; chance %.3f / %.3f)",
                              position.epoch, accuracy.top1, accuracy.top5, accuracy.count,
                              1 / Double(accuracy.count), min(1, 5 / Double(accuracy.count)))
            logger.info("\(line)")
        }
        position.epoch += 1
        position.batchInEpoch = 0
    }

    /// A pass over `molecules` without gradients, ranks sharing batches of up to one global batch.
    func evaluationPass(_ molecules: [Int], of dataset: MoleculeDataset) -> InferencePass {
        let batch = max(world.size, min(settings.globalBatchSize, molecules.count) / world.size * world.size)
        return InferencePass(dataset: dataset, options: batchOptions(), globalBatchSize: batch, molecules: molecules)
    }

    /// Cross-view retrieval on the held-out molecules (no dropout, no gradients), computed by
    /// rank 0 from every rank's share.
    func retrieval(_ heldOut: [Int]) throws -> RetrievalAccuracy? {
        guard heldOut.count >= 2 else { return nil }
        let dimension = settings.stage == .text ? settings.model.textProjection.output : settings.model.graphProjection.output
        let pass = evaluationPass(heldOut, of: dataset)
        let values: [Float]? = try pass.run(world: world, width: 2 * dimension) { molecules in
            let inputs = ModelInputs(molecules)
            let views: (Tensor<Scalar>, Tensor<Scalar>)
            if settings.stage == .text {
                let t = model.textEmbeddings(inputs)
                views = (t.smiles, t.description)
            } else if settings.stage == .graphSelf {
                let e = localEvaluationViews(inputs.graph)
                views = (e.first, e.second)
            } else {
                let g = model.graphEmbeddings(inputs)
                views = (g.local, g.global)
            }
            return concatenated([views.0, views.1], axis: 1).scalars.map { Float($0) }
        }
        guard let values else { return nil }
        var a: [Float] = [], b: [Float] = []
        for row in 0 ..< heldOut.count {
            a += values[(2 * row) * dimension ..< (2 * row + 1) * dimension]
            b += values[(2 * row + 1) * dimension ..< (2 * row + 2) * dimension]
        }
        return RetrievalAccuracy(a: a, b: b, count: heldOut.count, dimension: dimension)
    }

    /// The end of a run: the replicas compared, the last checkpoint and the encoders written, and
    /// the run's times gathered from every rank.
    func finish(clock: RunClock, lastLoss: Double, stoppedBySignal: Bool) throws -> PretrainSummary {
        let hash = try gradientSync.checkReplicas(model.stateDict(), step: position.step)
        if world.isRoot { logger.info("replicas: the same weights on all \(world.size) ranks at step \(position.step) (sha256 \(hash))") }
        if !stoppedBySignal {
            try step.times.measure(.checkpoint) { try saveCheckpoint() }
            try saveFinalWeights()
        }
        // The slowest rank's time: the job is done when every rank is.
        let seconds = try world.allreduce(monotonicSeconds() - clock.started, op: .max)
        let cpuSeconds = try world.allgather([processCPUSeconds() - clock.cpuStarted])
        let gathered = try world.allgather(step.times.vector)
        let phases = PhaseTimes.byRank(gathered: gathered, ranks: world.size)
        if world.isRoot {
            logger.info("time per rank (seconds and share of the rank's total):\n\(PhaseTimes.table(gathered: gathered, ranks: world.size))")
        }
        let steps = position.step - clock.step
        return PretrainSummary(steps: steps, molecules: steps * settings.globalBatchSize, seconds: seconds, finalLoss: lastLoss,
                               ranks: world.size, globalBatchSize: settings.globalBatchSize, stoppedBySignal: stoppedBySignal,
                               phaseSeconds: phases.mean, phaseSecondsByRank: phases.ranks, cpuSecondsByRank: cpuSeconds,
                               stop: stopReport)
    }
}
