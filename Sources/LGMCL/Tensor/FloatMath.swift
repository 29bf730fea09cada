/// exp and erf for Float32, written so that a loop calling them vectorises.
///
/// Why: glibc's `expf` and `erff` are opaque calls, so every pointwise loop that used them ran one
/// element at a time; GELU, its derivative and their erf/exp were 16% of the joint `small`
/// pretraining step (docs/benchmarks-pretrain.md). These are straight-line code: polynomials,
/// one division, selects instead of branches, integer bit tricks with wrapping arithmetic (no
/// overflow traps), so LLVM turns a loop over them into SIMD code. The `Double` path keeps libm:
/// it is the reference that gradient checks and equivalence tests compare against.
///
/// Coefficients: `scripts/fit_float_math.py`, which fits them in float64 for the smallest maximum
/// relative error, rounds them to Float32, and measures the Float32 evaluation below (Horner's
/// rule, no fused multiply-add: Swift does not contract `a * b + c`) against float64 references.
/// Measured maximum errors, in units in the last place of the Float32 result:
/// - `exp`: 0.99 ulp over every Float32 in [−87.34, 88.72]; below it the result is 0 (the true
///   values there are subnormal), above it +∞; NaN stays NaN.
/// - `erf`: 0.82 ulp (absolute ≤ 4.9e-8) on 4.2 M points of [0, 5]; odd, ±1 beyond ±3.925.
/// glibc's are within 1 ulp too. `FloatMathTests` checks both bounds against `Foundation`'s Double
/// functions.
enum FloatMath {
    /// exp(x) = 2ⁿ · exp(r), n = round(x / ln 2), r = x − n·ln 2 in [−ln2/2, ln2/2], exp(r) by a
    /// degree-6 polynomial whose first two terms are exact (1 + r).
    @inline(__always)
    static func exp(_ x: Float) -> Float {
        let low: Float = -87.33655, high: Float = 88.72283   // exp(low) = FLT_MIN, exp(high) ≈ FLT_MAX
        // Comparisons with NaN are false, so NaN passes the clamp and propagates.
        let c = x < low ? low : (x > high ? high : x)
        // Adding 1.5·2²³ rounds to an integer (ties to even) and leaves it in the low bits.
        let magic: Float = 12_582_912
        let k = c * 1.4426950408889634 + magic
        let n = k - magic
        // ln 2 in two parts: the first has 15 significant bits, so n·ln2Hi is exact for |n| ≤ 512.
        let r = (c - n * 0.693145751953125) - n * 1.428606765330187e-06
        let p: Float = 1 + (r + r * r * (0.4999999403953552 + r * (0.1666652113199234
            + r * (0.04166838899254799 + r * (0.008368708193302155 + r * 0.0013814603444188833)))))
        // 2ⁿ as two powers of two: n reaches 128 at the upper clamp, beyond Float's exponent range.
        let exponent = Int32(bitPattern: k.bitPattern &- magic.bitPattern)
        let half = exponent &>> 1
        let scale1 = Float(bitPattern: UInt32(bitPattern: (half &+ 127) &<< 23))
        let scale2 = Float(bitPattern: UInt32(bitPattern: (exponent &- half &+ 127) &<< 23))
        let y = p * scale1 * scale2
        return x < low ? 0 : (x > high ? .infinity : y)
    }

    /// erf(x) = x · P(x²) / Q(x²) for |x| ≤ 3.925 (degrees 5 and 5), the sign copied from x.
    /// A rational form needs no exp and keeps the relative error bounded near 0, where
    /// erf(x) ≈ 2x/√π; beyond 3.925 erf rounds to 1 in Float32. P and Q are evaluated in Double
    /// and the quotient rounded once: in Float32 their ten Horner steps, all terms of one sign,
    /// add up to 6.7 ulp; in Double only the fit's 2e-8 and the last rounding remain (still
    /// vectorised, two lanes per register instead of four).
    @inline(__always)
    static func erf(_ x: Float) -> Float {
        let sign = x.bitPattern & 0x8000_0000
        let magnitude = Float(bitPattern: x.bitPattern & 0x7FFF_FFFF)
        let a = Double(magnitude > 3.925 ? 3.925 : magnitude)   // NaN passes (the comparison is false)
        let t = a * a
        let p = 1.1283791457692078 + t * (0.19059444296202482 + t * (0.05276939179472817
            + t * (0.0037725803197863742 + t * (0.00028484433250061425 + t * 2.0460236899754235e-06))))
        let q = 1 + t * (0.5022426575988455 + t * (0.1141830081229657
            + t * (0.014983258312652608 + t * (0.0011638653202642197 + t * 3.804777815897569e-05))))
        return Float(bitPattern: Float(a * p / q).bitPattern | sign)
    }
}
