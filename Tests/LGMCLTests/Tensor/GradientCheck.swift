import Foundation
@testable import LGMCL
import Testing

/// Finite-difference gradient checking in Float64: the loss is ⟨f(inputs), r⟩ with a fixed random
/// r, so every output element's gradient path is exercised; each input element is perturbed by
/// ±h and the central difference compared with the tape's gradient.
func checkGradients(
    _ inputs: [Tensor<Double>], seed: UInt64 = 7, tolerance: Double = 1e-6,
    sourceLocation: SourceLocation = #_sourceLocation,
    _ f: ([Tensor<Double>]) -> Tensor<Double>
) {
    var rng = RandomGenerator(seed: seed)
    let probe = Tape.withoutGradients { f(inputs) }
    let weights: Tensor<Double> = rng.uniform(probe.shape, -1.0, 1.0)
    func loss(_ xs: [Tensor<Double>]) -> Double {
        Tape.withoutGradients { (f(xs) * weights).sum().item() }
    }

    let tracked = inputs.map { $0.requiringGradient() }
    (f(tracked) * weights).sum().backward()

    let h = 1e-6
    for (index, input) in inputs.enumerated() {
        let analytic = tracked[index].gradient?.scalars ?? [Double](repeating: 0, count: input.count)
        var numeric = [Double](repeating: 0, count: input.count)
        for i in 0..<input.count {
            var plus = input.scalars, minus = input.scalars
            plus[i] += h
            minus[i] -= h
            var xsPlus = inputs, xsMinus = inputs
            xsPlus[index] = Tensor(plus, shape: input.shape)
            xsMinus[index] = Tensor(minus, shape: input.shape)
            numeric[i] = (loss(xsPlus) - loss(xsMinus)) / (2 * h)
        }
        expectClose(analytic, numeric, atol: tolerance, rtol: 1e-5, "gradient of input \(index) \(input.shape)",
                    sourceLocation: sourceLocation)
    }
}

/// |a − b| ≤ atol + rtol·|b| elementwise; a failure shows the first values and the worst element.
func expectClose<S: TensorScalar>(
    _ actual: [S], _ expected: [S], atol: Double, rtol: Double, _ what: String,
    sourceLocation: SourceLocation = #_sourceLocation
) {
    guard actual.count == expected.count else {
        Issue.record("\(what): \(actual.count) values, expected \(expected.count)", sourceLocation: sourceLocation)
        return
    }
    var worst = -1, worstExcess = 0.0, maxDiff = 0.0
    for i in 0..<actual.count {
        let a = Double(actual[i]), b = Double(expected[i])
        let diff = Swift.abs(a - b)
        maxDiff = Swift.max(maxDiff, diff.isNaN ? .infinity : diff)
        let excess = diff - (atol + rtol * Swift.abs(b))
        if excess > worstExcess || diff.isNaN || (a.isInfinite != b.isInfinite) {
            if worst < 0 || excess > worstExcess || diff.isNaN { worst = i; worstExcess = diff.isNaN ? .infinity : excess }
        }
    }
    if worst >= 0 {
        Issue.record("""
            \(what): max |diff| \(maxDiff), worst at \(worst): \(actual[worst]) vs \(expected[worst])
              actual   \(actual.prefix(6).map { "\($0)" })
              expected \(expected.prefix(6).map { "\($0)" })
            """, sourceLocation: sourceLocation)
    }
}

func randomTensor(_ shape: [Int], seed: UInt64, low: Double = -1, high: Double = 1) -> Tensor<Double> {
    var rng = RandomGenerator(seed: seed)
    return rng.uniform(shape, low, high)
}
