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
    @_specialize(where Scalar == Float)
    @_specialize(where Scalar == Double)
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
        case .gelu: for i in 0..<n { y[i] = Self.gelu(x[i]) }
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
            case .gelu: for i in 0..<n { dx[i] += g[i] * Self.geluDerivative(x[i]) }
            }
        }
    }

    /// x·Φ(x), Φ by erf: the one expression every GELU computes (`geluLinear` recomputes it in
    /// backward and must get the same bits).
    @inline(__always)
    static func gelu(_ x: Scalar) -> Scalar { 0.5 * x * (1 + Scalar.erf(x * (1 / Scalar(2).squareRoot()))) }

    /// d/dx x·Φ(x) = Φ(x) + x·φ(x).
    @inline(__always)
    static func geluDerivative(_ v: Scalar) -> Scalar { geluAndDerivative(v).derivative }

    /// GELU and its derivative from one erf, each bit for bit as `gelu` and `geluDerivative`.
    @inline(__always)
    static func geluAndDerivative(_ v: Scalar) -> (value: Scalar, derivative: Scalar) {
        let e = Scalar.erf(v * (1 / Scalar(2).squareRoot()))
        let cdf = 0.5 * (1 + e)
        return (0.5 * v * (1 + e), cdf + v * (1 / (2 * Scalar.pi).squareRoot()) * Scalar.exp(-0.5 * v * v))
    }

    @_specialize(where Scalar == Float)
    @_specialize(where Scalar == Double)
    public func exp() -> Tensor { pointwise(.exp) }
    @_specialize(where Scalar == Float)
    @_specialize(where Scalar == Double)
    public func log() -> Tensor { pointwise(.log) }
    @_specialize(where Scalar == Float)
    @_specialize(where Scalar == Double)
    public func sqrt() -> Tensor { pointwise(.sqrt) }
    @_specialize(where Scalar == Float)
    @_specialize(where Scalar == Double)
    public func squared() -> Tensor { pointwise(.square) }
    @_specialize(where Scalar == Float)
    @_specialize(where Scalar == Double)
    public func abs() -> Tensor { pointwise(.abs) }
    @_specialize(where Scalar == Float)
    @_specialize(where Scalar == Double)
    public func tanh() -> Tensor { pointwise(.tanh) }
    @_specialize(where Scalar == Float)
    @_specialize(where Scalar == Double)
    public func sigmoid() -> Tensor { pointwise(.sigmoid) }
    @_specialize(where Scalar == Float)
    @_specialize(where Scalar == Double)
    public func relu() -> Tensor { pointwise(.relu) }
    @_specialize(where Scalar == Float)
    @_specialize(where Scalar == Double)
    public func erf() -> Tensor { pointwise(.erf) }
    @_specialize(where Scalar == Float)
    @_specialize(where Scalar == Double)
    public func leakyReLU(slope: Scalar = 0.01) -> Tensor { pointwise(.leakyReLU(slope: slope)) }
    @_specialize(where Scalar == Float)
    @_specialize(where Scalar == Double)
    public func elu(alpha: Scalar = 1) -> Tensor { pointwise(.elu(alpha: alpha)) }
    @_specialize(where Scalar == Float)
    @_specialize(where Scalar == Double)
    public func gelu() -> Tensor { pointwise(.gelu) }
}

// Free-function spellings, as in mlx-swift and PyTorch's functional API.
@_specialize(where S == Float)
@_specialize(where S == Double)
public func relu<S>(_ x: Tensor<S>) -> Tensor<S> { x.relu() }
@_specialize(where S == Float)
@_specialize(where S == Double)
public func gelu<S>(_ x: Tensor<S>) -> Tensor<S> { x.gelu() }
@_specialize(where S == Float)
@_specialize(where S == Double)
public func sigmoid<S>(_ x: Tensor<S>) -> Tensor<S> { x.sigmoid() }
@_specialize(where S == Float)
@_specialize(where S == Double)
public func tanh<S>(_ x: Tensor<S>) -> Tensor<S> { x.tanh() }
@_specialize(where S == Float)
@_specialize(where S == Double)
public func exp<S>(_ x: Tensor<S>) -> Tensor<S> { x.exp() }
@_specialize(where S == Float)
@_specialize(where S == Double)
public func log<S>(_ x: Tensor<S>) -> Tensor<S> { x.log() }
@_specialize(where S == Float)
@_specialize(where S == Double)
public func elu<S>(_ x: Tensor<S>, alpha: S = 1) -> Tensor<S> { x.elu(alpha: alpha) }
@_specialize(where S == Float)
@_specialize(where S == Double)
public func leakyReLU<S>(_ x: Tensor<S>, slope: S = 0.01) -> Tensor<S> { x.leakyReLU(slope: slope) }
