import Foundation
@testable import LGMCL
import Testing

/// `FloatMath`'s Float32 exp and erf against Foundation's Double functions (correctly rounded to
/// far below a Float32 ulp, so exact for this purpose), over strided sweeps of every Float32 bit
/// pattern in range, and at the special values. The bounds are those `scripts/fit_float_math.py`
/// measured for the shipped coefficients, rounded up; the same numbers are in FloatMath's doc
/// comment.
struct FloatMathTests {
    /// |y − reference| in units of the last place of the reference rounded to Float32.
    func ulpError(_ y: Float, _ reference: Double) -> Double {
        Swift.abs(Double(y) - reference) / Double(Float(reference).ulp)
    }

    /// Every `stride`-th Float32 between two bit patterns of the same sign (inclusive).
    func floats(from first: Float, to last: Float, stride: UInt32) -> [Float] {
        let (a, b) = (Swift.min(first.bitPattern, last.bitPattern), Swift.max(first.bitPattern, last.bitPattern))
        return Swift.stride(from: a, through: b, by: Int(stride)).map { Float(bitPattern: $0) } + [last]
    }

    @Test func expWithinItsBoundOverTheWholeRange() {
        var worst = 0.0, worstAt: Float = 0
        // Both signs, every 61st bit pattern (a prime stride, so every exponent and mantissa
        // pattern class is visited): 35 M values.
        for x in floats(from: 0, to: 88.72283, stride: 61) + floats(from: -0.0, to: -87.33655, stride: 61) {
            let e = ulpError(FloatMath.exp(x), Foundation.exp(Double(x)))
            if e > worst { worst = e; worstAt = x }
        }
        #expect(worst <= 1.0, "exp: \(worst) ulp at x = \(worstAt)")
    }

    @Test func expSpecialValues() {
        #expect(FloatMath.exp(0) == 1 && FloatMath.exp(-0.0) == 1)
        #expect(FloatMath.exp(-.infinity) == 0, "masked softmax scores are −∞ and must give exactly 0")
        #expect(FloatMath.exp(-87.4) == 0 && FloatMath.exp(-1e30) == 0)
        #expect(FloatMath.exp(.infinity) == .infinity && FloatMath.exp(88.8) == .infinity)
        #expect(FloatMath.exp(.nan).isNaN)
        #expect(FloatMath.exp(88.72283).isFinite && FloatMath.exp(-87.33655) >= Float.leastNormalMagnitude * 0.99)
    }

    @Test func erfWithinItsBoundOverTheWholeRange() {
        var worst = 0.0, worstAt: Float = 0, worstAbsolute = 0.0, odd = true
        // Every 31st positive Float32 up to 5 (35 M values, including the subnormals near 0).
        for x in floats(from: Float.leastNonzeroMagnitude, to: 5, stride: 31) {
            let y = FloatMath.erf(x), reference = Foundation.erf(Double(x))
            let e = ulpError(y, reference)
            if e > worst { worst = e; worstAt = x }
            worstAbsolute = Swift.max(worstAbsolute, Swift.abs(Double(y) - reference))
            odd = odd && FloatMath.erf(-x) == -y
        }
        #expect(odd, "erf(−x) = −erf(x)")
        #expect(worst <= 0.85, "erf: \(worst) ulp at x = \(worstAt)")
        #expect(worstAbsolute <= 5e-8, "erf: absolute error \(worstAbsolute)")
    }

    @Test func erfSpecialValues() {
        #expect(FloatMath.erf(0) == 0 && FloatMath.erf(-0.0).sign == .minus)
        #expect(FloatMath.erf(.infinity) == 1 && FloatMath.erf(-.infinity) == -1)
        #expect(FloatMath.erf(3.925) == 1 && FloatMath.erf(10) == 1 && FloatMath.erf(-10) == -1)
        #expect(FloatMath.erf(.nan).isNaN)
    }

    /// The Float32 GELU and its derivative, as the tensor op computes them (FloatMath inside),
    /// against the exact expressions in Double.
    @Test func geluAndItsDerivative() {
        let values = stride(from: -12.0, through: 12.0, by: 0.001).map { Float($0) }
        let x = Tensor<Float>(values, shape: [values.count]).requiringGradient()
        let y = x.gelu()
        y.sum().backward()
        let dx = x.gradient!.scalars
        var worstValue = 0.0, worstSlope = 0.0
        for (i, v) in values.enumerated() {
            let d = Double(v)
            let cdf = 0.5 * (1 + Foundation.erf(d / 2.0.squareRoot()))
            let density = Foundation.exp(-0.5 * d * d) / (2 * Double.pi).squareRoot()
            worstValue = Swift.max(worstValue, Swift.abs(Double(y.scalars[i]) - d * cdf) / Swift.max(1, Swift.abs(d)))
            worstSlope = Swift.max(worstSlope, Swift.abs(Double(dx[i]) - (cdf + d * density)))
        }
        // A few Float32 ulps of values of size up to 1 (relative to |x| above it).
        #expect(worstValue <= 4e-7, "gelu: \(worstValue)")
        #expect(worstSlope <= 4e-7, "gelu': \(worstSlope)")
    }
}
