import Foundation

/// Elementwise functions y = f(x), each with its derivative written beside it (from x or, where
/// cheaper, from y). `sigmoid`, `tanh`, `gelu`, `elu` and `leakyReLU` are single kernels rather
/// than compositions of exp/add/div: why — one pass and one saved tensor instead of four or five
/// over activations of size batch × tokens × width, and the numerically stable forms
/// (sigmoid of large |x|, expm1 in ELU) come for free.
enum PointwiseFunction<Scalar: TensorScalar> {
    case negate, exp, log, sqrt, square, abs, tanh, sigmoid, relu, erf
    case leakyReLU(slope: Scalar)
    case elu(alpha: Scalar)
    /// x·Φ(x) with the exact (erf) normal CDF, as PyTorch's default `gelu`.
    case gelu
}

extension Tensor {
    func pointwise(_ f: PointwiseFunction<Scalar>) -> Tensor {
        let n = count
        let out = TensorStorage<Scalar>(uninitializedCount: n)
        let x = storage.base, y = out.base
        switch f {
        case .negate: for i in 0..<n { y[i] = -x[i] }
        case .exp: for i in 0..<n { y[i] = Scalar.exp(x[i]) }
        case .log: for i in 0..<n { y[i] = Scalar.log(x[i]) }
        case .sqrt: for i in 0..<n { y[i] = x[i].squareRoot() }
        case .square: for i in 0..<n { y[i] = x[i] * x[i] }
        case .abs: for i in 0..<n { y[i] = Swift.abs(x[i]) }
        case .tanh: for i in 0..<n { y[i] = Scalar.tanh(x[i]) }
        case .sigmoid:
            for i in 0..<n {
                let v = x[i]
                if v >= 0 { y[i] = 1 / (1 + Scalar.exp(-v)) } else { let e = Scalar.exp(v); y[i] = e / (1 + e) }
            }
        case .relu: for i in 0..<n { y[i] = x[i] > 0 ? x[i] : 0 }
        case .erf: for i in 0..<n { y[i] = Scalar.erf(x[i]) }
        case .leakyReLU(let slope): for i in 0..<n { y[i] = x[i] > 0 ? x[i] : slope * x[i] }
        case .elu(let alpha): for i in 0..<n { y[i] = x[i] > 0 ? x[i] : alpha * Scalar.expm1(x[i]) }
        case .gelu:
            let invSqrt2 = 1 / Scalar(2).squareRoot()
            for i in 0..<n { y[i] = 0.5 * x[i] * (1 + Scalar.erf(x[i] * invSqrt2)) }
        }
        let input = storage
        return Tensor.result(shape: shape, storage: out, inputs: [self]) { grad, sink in
            guard let dx = sink[0]?.baseAddress else { return }
            let x = input.base, y = out.base
            let g = grad.baseAddress!
            switch f {
            case .negate: for i in 0..<n { dx[i] -= g[i] }
            case .exp: for i in 0..<n { dx[i] += g[i] * y[i] }
            case .log: for i in 0..<n { dx[i] += g[i] / x[i] }
            case .sqrt: for i in 0..<n { dx[i] += g[i] / (2 * y[i]) }
            case .square: for i in 0..<n { dx[i] += 2 * g[i] * x[i] }
            case .abs: for i in 0..<n { dx[i] += x[i] > 0 ? g[i] : (x[i] < 0 ? -g[i] : 0) }
            case .tanh: for i in 0..<n { dx[i] += g[i] * (1 - y[i] * y[i]) }
            case .sigmoid: for i in 0..<n { dx[i] += g[i] * y[i] * (1 - y[i]) }
            case .relu: for i in 0..<n { dx[i] += x[i] > 0 ? g[i] : 0 }
            case .erf:
                let c = 2 / Scalar.pi.squareRoot()
                for i in 0..<n { dx[i] += g[i] * c * Scalar.exp(-x[i] * x[i]) }
            case .leakyReLU(let slope): for i in 0..<n { dx[i] += x[i] > 0 ? g[i] : slope * g[i] }
            case .elu(let alpha): for i in 0..<n { dx[i] += x[i] > 0 ? g[i] : g[i] * (y[i] + alpha) }
            case .gelu:
                // d/dx x·Φ(x) = Φ(x) + x·φ(x)
                let invSqrt2 = 1 / Scalar(2).squareRoot()
                let invSqrt2Pi = 1 / (2 * Scalar.pi).squareRoot()
                for i in 0..<n {
                    let v = x[i]
                    let cdf = 0.5 * (1 + Scalar.erf(v * invSqrt2))
                    dx[i] += g[i] * (cdf + v * invSqrt2Pi * Scalar.exp(-0.5 * v * v))
                }
            }
        }
    }

    public func exp() -> Tensor { pointwise(.exp) }
    public func log() -> Tensor { pointwise(.log) }
    public func sqrt() -> Tensor { pointwise(.sqrt) }
    public func squared() -> Tensor { pointwise(.square) }
    public func abs() -> Tensor { pointwise(.abs) }
    public func tanh() -> Tensor { pointwise(.tanh) }
    public func sigmoid() -> Tensor { pointwise(.sigmoid) }
    public func relu() -> Tensor { pointwise(.relu) }
    public func erf() -> Tensor { pointwise(.erf) }
    public func leakyReLU(slope: Scalar = 0.01) -> Tensor { pointwise(.leakyReLU(slope: slope)) }
    public func elu(alpha: Scalar = 1) -> Tensor { pointwise(.elu(alpha: alpha)) }
    public func gelu() -> Tensor { pointwise(.gelu) }
}

// Free-function spellings, as in mlx-swift and PyTorch's functional API.
public func relu<S>(_ x: Tensor<S>) -> Tensor<S> { x.relu() }
public func gelu<S>(_ x: Tensor<S>) -> Tensor<S> { x.gelu() }
public func sigmoid<S>(_ x: Tensor<S>) -> Tensor<S> { x.sigmoid() }
public func tanh<S>(_ x: Tensor<S>) -> Tensor<S> { x.tanh() }
public func exp<S>(_ x: Tensor<S>) -> Tensor<S> { x.exp() }
public func log<S>(_ x: Tensor<S>) -> Tensor<S> { x.log() }
public func elu<S>(_ x: Tensor<S>, alpha: S = 1) -> Tensor<S> { x.elu(alpha: alpha) }
public func leakyReLU<S>(_ x: Tensor<S>, slope: S = 0.01) -> Tensor<S> { x.leakyReLU(slope: slope) }
