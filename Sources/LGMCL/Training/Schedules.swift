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

/// chemprop's learning rate (`build_NoamLike_LRSched`, stepped once per optimiser step): linear
/// from `initial` to `peak` over `warmupSteps`, then exponential decay to `final` over
/// `cooldownSteps`, `final` afterwards. Computed in chemprop's order of operations, so the rates
/// agree with its own to the last bits that Double rounding leaves.
public struct NoamLikeSchedule: LearningRateSchedule {
    public let initial: Double
    public let peak: Double
    public let final: Double
    public let warmupSteps: Int
    public let cooldownSteps: Int

    public init(initial: Double, peak: Double, final: Double, warmupSteps: Int, cooldownSteps: Int) {
        precondition(initial > 0 && peak > 0 && final > 0 && warmupSteps >= 0 && cooldownSteps >= 0,
                     "NoamLikeSchedule: positive rates and non-negative step counts")
        self.initial = initial
        self.peak = peak
        self.final = final
        self.warmupSteps = warmupSteps
        self.cooldownSteps = cooldownSteps
    }

    public func callAsFunction(_ step: Int) -> Double {
        let factor: Double
        if step < warmupSteps {
            factor = Double(step) * ((peak - initial) / Double(warmupSteps)) / initial + 1
        } else if step < warmupSteps + cooldownSteps {
            factor = peak * pow(pow(final / peak, 1 / Double(cooldownSteps)), Double(step - warmupSteps)) / initial
        } else {
            factor = final / initial
        }
        return factor * initial
    }
}
