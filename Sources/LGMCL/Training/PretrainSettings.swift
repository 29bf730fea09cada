import Foundation

/// Which contrastive objective pretraining optimises.
public enum PretrainStage: String, Codable, CaseIterable, Sendable {
    /// Local (AttentiveFP) against global (graph transformer) views of each molecule.
    case graph
    /// SMILES against description, through the shared DeBERTa encoder.
    case text
    /// Both losses, weighted, in one pass (beyond the paper).
    case joint
    /// A positive control beyond the paper: AttentiveFP against itself under two graph views.
    /// With one encoder there is no composition statistic two encoders could agree on, so what
    /// it learns must survive masked atoms and deleted bonds.
    case graphSelf = "graph-self"

    /// The model components this stage trains.
    var components: [LGMCLModel<Float>.Component] {
        switch self {
        case .graph: return [.local, .global, .graphProjection]
        case .text: return [.text, .textProjection]
        case .joint: return [.local, .global, .graphProjection, .text, .textProjection]
        case .graphSelf: return [.local, .graphProjection]
        }
    }

    /// Whether the stage aligns the local encoder with the graph transformer (stage 1's loss).
    var alignsGraphEncoders: Bool { self == .graph || self == .joint }
    /// Whether the stage trains the text encoder (and so writes the vocabulary beside it).
    var trainsText: Bool { self == .text || self == .joint }

    /// The parameters this stage trains, in state-dict order: the order in which their gradients
    /// are bucketed and summed across ranks.
    public func trainedParameters<S>(of model: LGMCLModel<S>) -> [(name: String, parameter: Parameter<S>)] {
        model.stateDict().filter { entry in components.contains { $0.owns(entry.name) } }
    }
}

/// The shape of the learning rate over a run.
public enum LearningRateScheduleKind: String, Codable, CaseIterable, Sendable {
    case constant, cosine
}

/// Everything a pretraining run is, as written into its run directory.
public struct PretrainSettings: Codable, Sendable {
    public var stage: PretrainStage = .graph
    public var data: String
    public var output: String
    public var model: ModelConfiguration
    /// Stop after this many epochs, or after `maxSteps` steps, whichever comes first.
    public var epochs: Int?
    public var maxSteps: Int?
    /// Molecules per step over all ranks (each rank takes globalBatchSize / ranks).
    public var globalBatchSize = 128
    public var learningRate = 1e-4
    /// Beyond the paper (constant, no warm-up): a linear warm-up over `learningRateWarmup` steps,
    /// then constant or cosine decay to 0 at the run's last step.
    public var learningRateSchedule = LearningRateScheduleKind.constant
    public var learningRateWarmup = 0
    /// The views the local and the global encoder see in training (graph and joint stages):
    /// both the unaltered graph unless augmentations are set. Evaluations use unaltered graphs.
    public var graphViews = [GraphAugmentation(), GraphAugmentation()]
    /// PyTorch Adam's weight_decay: L2 added to the gradient (the authors' setting).
    public var weightDecay = 1e-3
    public var temperature = 0.1
    /// (graph, text) loss weights of the joint stage.
    public var lossWeights = [1.0, 1.0]
    public var seed: UInt64 = 0
    public var checkpointEvery = 500
    public var resume = false
    public var saveGradients: String?
    public var collectiveTimeout = 600.0
    public var deterministic = false
    public var bucketMiB = GradientBucketSize.defaultMiB
    /// How matrix products round their operands; nil (manifests written before it existed): Float32.
    public var matrixProducts: MatrixProducts?
    /// Molecules at the end of the file kept out of training for the retrieval metric.
    public var heldOut = 256
    /// Molecules at the end of the file, kept out of training, on which each evaluation measures
    /// the embeddings (EmbeddingDiagnostics); 0 turns the diagnostics off.
    public var diagnostics = 2000
    /// Labelled CSVs probed linearly on the frozen encoders (OnlineProbe) with the diagnostics:
    /// every `probeEvery` steps (every diagnostics pass when nil), before the first and at the end.
    public var probes: [String] = []
    public var probeEvery: Int?
    public var logInterval = 10.0
    public var maxSMILESTokens: Int?
    public var maxDescriptionTokens: Int?

    public init(data: String, output: String, model: ModelConfiguration) {
        self.data = data
        self.output = output
        self.model = model
    }
}

public struct PretrainError: Error, CustomStringConvertible {
    public let description: String
}

/// What a finished run reports (rank 0 prints it; `benchmark throughput` prints it as JSON).
public struct PretrainSummary: Codable, Sendable {
    public var steps: Int
    public var molecules: Int
    public var seconds: Double
    public var finalLoss: Double
    public var ranks: Int
    public var globalBatchSize: Int
    public var stoppedBySignal: Bool
    /// Seconds per phase, averaged over ranks.
    public var phaseSeconds: [String: Double]
    /// Seconds per phase on each rank, indexed by rank.
    public var phaseSecondsByRank: [[String: Double]]
    /// CPU seconds (all threads) each rank used over the same interval as `seconds`.
    public var cpuSecondsByRank: [Double]
    /// Rank 0's report of a stop by signal (nil on the other ranks, and when the run completed).
    public var stop: StopReport? = nil
    public var moleculesPerSecond: Double { seconds > 0 ? Double(molecules) / seconds : 0 }
    public var stepSeconds: Double { steps > 0 ? seconds / Double(steps) : 0 }
}
