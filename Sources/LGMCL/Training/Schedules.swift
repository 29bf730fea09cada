import Foundation

/// Learning rate as a function of the optimiser step (0-based).
public protocol LearningRateSchedule: Sendable {
    func callAsFunction(_ step: Int) -> Double
}

public struct ConstantSchedule: LearningRateSchedule {
    public let learningRate: Double
    public init(_ learningRate: Double) { self.learningRate = learningRate }
    public func callAsFunction(_ step: Int) -> Double { learningRate }
}

/// Linear warm-up from 0 over `warmupSteps`, then cosine decay to `minimum` at `totalSteps`
/// (constant `minimum` afterwards).
public struct WarmupCosineSchedule: LearningRateSchedule {
    public let peak: Double
    public let warmupSteps: Int
    public let totalSteps: Int
    public let minimum: Double

    public init(peak: Double, warmupSteps: Int, totalSteps: Int, minimum: Double = 0) {
        precondition(warmupSteps >= 0 && totalSteps >= warmupSteps, "WarmupCosineSchedule: need 0 ≤ warmup ≤ total")
        self.peak = peak
        self.warmupSteps = warmupSteps
        self.totalSteps = totalSteps
        self.minimum = minimum
    }

    public func callAsFunction(_ step: Int) -> Double {
        if step < warmupSteps { return peak * Double(step + 1) / Double(warmupSteps) }
        guard totalSteps > warmupSteps else { return peak }
        let progress = min(Double(step - warmupSteps) / Double(totalSteps - warmupSteps), 1)
        return minimum + (peak - minimum) * 0.5 * (1 + cos(Double.pi * progress))
    }
}
