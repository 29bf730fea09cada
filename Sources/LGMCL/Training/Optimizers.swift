/// Adam and AdamW as PyTorch computes them (torch.optim.Adam / AdamW, single-tensor path):
///   Adam:  g ← g + λ·θ (L2 added to the gradient, the authors' setting)
///   AdamW: θ ← θ·(1 − lr·λ) (decoupled)
///   m ← β₁m + (1−β₁)g;  v ← β₂v + (1−β₂)g²
///   θ ← θ − (lr / (1−β₁ᵗ)) · m / (√v / √(1−β₂ᵗ) + ε)
public struct AdamConfiguration: Codable, Sendable, Equatable {
    public var learningRate: Double
    public var beta1: Double
    public var beta2: Double
    public var eps: Double
    public var weightDecay: Double
    /// AdamW when true.
    public var decoupledWeightDecay: Bool

    public init(learningRate: Double = 1e-3, beta1: Double = 0.9, beta2: Double = 0.999, eps: Double = 1e-8,
                weightDecay: Double = 0, decoupledWeightDecay: Bool = false) {
        self.learningRate = learningRate
        self.beta1 = beta1
        self.beta2 = beta2
        self.eps = eps
        self.weightDecay = weightDecay
        self.decoupledWeightDecay = decoupledWeightDecay
    }

    public static func adamW(learningRate: Double = 1e-3, weightDecay: Double = 1e-2) -> AdamConfiguration {
        AdamConfiguration(learningRate: learningRate, weightDecay: weightDecay, decoupledWeightDecay: true)
    }
}

/// The optimiser's state, by parameter name: saved into checkpoints and restored on resume.
public struct AdamState<Scalar: TensorScalar> {
    public var step: Int = 0
    public var firstMoments: [String: [Scalar]] = [:]
    public var secondMoments: [String: [Scalar]] = [:]

    /// As named tensors ("exp_avg.<name>", "exp_avg_sq.<name>") plus the step, for safetensors.
    public func tensors(shapes: [String: [Int]]) -> [(String, Tensor<Scalar>)] {
        shapes.keys.sorted().flatMap { name -> [(String, Tensor<Scalar>)] in
            guard let m = firstMoments[name], let v = secondMoments[name] else { return [] }
            return [("exp_avg.\(name)", Tensor(m, shape: shapes[name]!)), ("exp_avg_sq.\(name)", Tensor(v, shape: shapes[name]!))]
        }
    }

    public init() {}

    /// The moments and the step as a checkpoint's optimizer.safetensors holds them.
    public func file(shapes: [String: [Int]]) -> SafeTensors {
        var file = SafeTensors()
        file.metadata = ["step": String(step)]
        for (name, tensor) in tensors(shapes: shapes) { file.add(name, tensor) }
        return file
    }

    /// The state `file(shapes:)` wrote.
    public init(file: SafeTensors) throws {
        var tensors: [String: Tensor<Scalar>] = [:]
        for name in file.names { tensors[name] = try file.tensor(name, as: Scalar.self) }
        self.init(step: Int(file.metadata["step"] ?? "0") ?? 0, tensors: tensors)
    }

    public init(step: Int, tensors: [String: Tensor<Scalar>]) {
        self.step = step
        for (key, t) in tensors {
            if key.hasPrefix("exp_avg_sq.") { secondMoments[String(key.dropFirst("exp_avg_sq.".count))] = t.scalars }
            else if key.hasPrefix("exp_avg.") { firstMoments[String(key.dropFirst("exp_avg.".count))] = t.scalars }
        }
    }
}

public final class Adam<Scalar: TensorScalar> {
    public let parameters: [(name: String, parameter: Parameter<Scalar>)]
    public var configuration: AdamConfiguration
    public var state = AdamState<Scalar>()
    /// Each parameter's learning rate as a multiple of the configured (or scheduled) one:
    /// PyTorch's parameter groups, e.g. pretrained encoders tuned more gently than a new head.
    public let learningRateScales: [Double]

    @_specialize(where Scalar == Float)
    @_specialize(where Scalar == Double)
    public init(_ parameters: [(name: String, parameter: Parameter<Scalar>)], _ configuration: AdamConfiguration,
                learningRateScale: (String) -> Double = { _ in 1 }) {
        self.parameters = parameters
        self.configuration = configuration
        learningRateScales = parameters.map { learningRateScale($0.name) }
    }

    public convenience init<M: Module>(_ model: M, _ configuration: AdamConfiguration) where M.Scalar == Scalar {
        self.init(model.namedParameters(), configuration)
    }

    /// One update from the parameters' current gradients; `learningRate` overrides the
    /// configured one (schedules).
    @_specialize(where Scalar == Float)
    @_specialize(where Scalar == Double)
    public func step(learningRate: Double? = nil) {
        state.step += 1
        let c = configuration
        let lr = learningRate ?? c.learningRate
        let t = Double(state.step)
        let correction2 = Scalar((1 - pow(c.beta2, t)).squareRoot())
        let b1 = Scalar(c.beta1), b2 = Scalar(c.beta2), eps = Scalar(c.eps), wd = Scalar(c.weightDecay)
        for ((name, parameter), scale) in zip(parameters, learningRateScales) {
            let stepSize = Scalar(lr * scale / (1 - pow(c.beta1, t)))
            let decay = Scalar(1 - lr * scale * c.weightDecay)
            var m = state.firstMoments[name] ?? [Scalar](repeating: 0, count: parameter.count)
            var v = state.secondMoments[name] ?? [Scalar](repeating: 0, count: parameter.count)
            let theta = parameter.values, g = parameter.gradients
            m.withUnsafeMutableBufferPointer { m in
                v.withUnsafeMutableBufferPointer { v in
                    for i in 0..<theta.count {
                        var grad = g[i]
                        if c.decoupledWeightDecay { theta[i] *= decay } else if c.weightDecay != 0 { grad += wd * theta[i] }
                        m[i] = b1 * m[i] + (1 - b1) * grad
                        v[i] = b2 * v[i] + (1 - b2) * grad * grad
                        theta[i] -= stepSize * m[i] / (v[i].squareRoot() / correction2 + eps)
                    }
                }
            }
            state.firstMoments[name] = m
            state.secondMoments[name] = v
        }
    }

    @_specialize(where Scalar == Float)
    @_specialize(where Scalar == Double)
    public func zeroGradients() { for (_, p) in parameters { p.zeroGradient() } }
}

/// Scales all gradients so their global L2 norm is at most `maxNorm` (torch.nn.utils.
/// clip_grad_norm_: factor maxNorm / (norm + 1e-6) when below 1). Returns the norm before clipping.
@discardableResult
@_specialize(where S == Float)
@_specialize(where S == Double)
public func clipGradientNorm<S>(_ parameters: [Parameter<S>], maxNorm: Double) -> Double {
    var sum = 0.0
    for p in parameters { for g in p.gradients { sum += Double(g) * Double(g) } }
    let norm = sum.squareRoot()
    let factor = maxNorm / (norm + 1e-6)
    if factor < 1 {
        let f = S(factor)
        for p in parameters { let g = p.gradients; for i in 0..<g.count { g[i] *= f } }
    }
    return norm
}

import Foundation
