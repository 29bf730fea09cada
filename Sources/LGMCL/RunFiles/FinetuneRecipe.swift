import Foundation

/// The training hyperparameters of a fine-tuning recipe. `finetune`'s flags start from the
/// paper's, and each flag given overrides its one value; what a recipe leaves out (epochs, model,
/// split) is the run's own.
public struct FinetuneRecipe: Hashable, Sendable {
    public var learningRate: Double
    /// nil: `learningRate` for the encoders too.
    public var encoderLearningRate: Double?
    public var weightDecay: Double
    public var globalBatchSize: Int
    public var schedule: FinetuneSchedule
    /// nil: the weights themselves are scored and kept.
    public var emaDecay: Double?
    /// nil: every epoch runs, the best validation epoch is kept.
    public var patience: Int?

    /// The LGM-CL paper's: Adam at a constant 1e-3 for every weight, weight decay 1e-3, global
    /// batch 64, the best validation epoch of all.
    public static let paper = FinetuneRecipe(learningRate: 1e-3, weightDecay: 1e-3, globalBatchSize: 64,
                                             schedule: .constant)

    /// Sets every value the recipe has.
    public func apply(to settings: inout FinetuneSettings) {
        settings.learningRate = learningRate
        settings.encoderLearningRate = encoderLearningRate
        settings.weightDecay = weightDecay
        settings.globalBatchSize = globalBatchSize
        settings.learningRateSchedule = schedule
        settings.emaDecay = emaDecay
        settings.patience = patience
    }
}
