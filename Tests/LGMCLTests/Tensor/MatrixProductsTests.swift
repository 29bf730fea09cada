import Foundation
@testable import LGMCL
import Testing

/// `--precision bf16-mixed`'s products against exact arithmetic: each operand rounded to bfloat16
/// (nearest, ties to even: what VCVTNE2PS2BF16 does), the products summed in Double. The kernel sums
/// in Float32, so it may differ from that by Float32 rounding of the sum, never by more.
@Suite struct MatrixProductsTests {
    /// Float32 → bfloat16 → Float32: the upper 16 bits after rounding to nearest, ties to even.
    static func bfloat16(_ x: Float) -> Float {
        let bits = x.bitPattern
        let rounded = bits &+ 0x7FFF &+ ((bits >> 16) & 1)
        return Float(bitPattern: rounded & 0xFFFF_0000)
    }

    /// C ← α·op(A)·op(B) + β·C on bfloat16-rounded operands, summed in Double; also Σ|a·b| per
    /// element, the scale of the Float32 summation's error.
    static func reference(transposeA: Bool, transposeB: Bool, m: Int, n: Int, k: Int, alpha: Float, a: [Float], lda: Int,
                          b: [Float], ldb: Int, beta: Float, c: [Float], ldc: Int) -> (values: [Double], scale: [Double]) {
        var values = [Double](repeating: 0, count: m * ldc), scale = values
        for i in 0 ..< m {
            for j in 0 ..< n {
                var sum = 0.0, magnitude = 0.0
                for p in 0 ..< k {
                    let x = Double(bfloat16(transposeA ? a[p * lda + i] : a[i * lda + p]))
                    let y = Double(bfloat16(transposeB ? b[j * ldb + p] : b[p * ldb + j]))
                    sum += x * y
                    magnitude += abs(x * y)
                }
                let previous = beta == 0 ? 0 : Double(beta) * Double(c[i * ldc + j])
                values[i * ldc + j] = Double(alpha) * sum + previous
                scale[i * ldc + j] = abs(Double(alpha)) * magnitude + abs(previous)
            }
        }
        return (values, scale)
    }

    @Test(.enabled(if: MatrixProducts.bfloat16IsAvailable, "this CPU has no AVX512_BF16"),
          arguments: [(1, 1, 1), (7, 17, 31), (33, 65, 64), (160, 32, 160), (127, 255, 513), (14, 32, 1030), (340, 1030, 5)])
    func everyTransposeMatchesExactArithmeticOnRoundedOperands(shape: (Int, Int, Int)) throws {
        // Shapes past every block edge: 14-row tiles, 32-column tiles, K 512, M 336, N 1024.
        let (m, n, k) = shape
        var rng = RandomGenerator(seed: UInt64(m * 1_000_003 + n * 1_009 + k))
        for (transposeA, transposeB) in [(false, false), (false, true), (true, false), (true, true)] {
            for (alpha, beta) in [(Float(1), Float(0)), (0.75, 1), (-1.5, 0.3)] {
                // Leading dimensions wider than the rows, as the engine's strided views pass them.
                let lda = (transposeA ? m : k) + 3, ldb = (transposeB ? k : n) + 5, ldc = n + 2
                let a = (0 ..< (transposeA ? k : m) * lda).map { _ in rng.uniform(Float(-1), 1) }
                let b = (0 ..< (transposeB ? n : k) * ldb).map { _ in rng.uniform(Float(-1), 1) }
                // β = 0 must not read C: NaN there would show.
                var c = (0 ..< m * ldc).map { _ in beta == 0 ? Float.nan : rng.uniform(Float(-1), 1) }
                let expected = Self.reference(transposeA: transposeA, transposeB: transposeB, m: m, n: n, k: k, alpha: alpha,
                                              a: a, lda: lda, b: b, ldb: ldb, beta: beta, c: c, ldc: ldc)
                let padding = (0 ..< m).map { i in Array(c[(i * ldc + n) ..< (i * ldc + ldc)]) }
                Float.gemm(transposeA: transposeA, transposeB: transposeB, m: m, n: n, k: k, alpha: alpha, a: a, lda: lda,
                           b: b, ldb: ldb, beta: beta, c: &c, ldc: ldc, products: .bfloat16)
                var worst = 0.0
                for i in 0 ..< m {
                    for j in 0 ..< n {
                        let index = i * ldc + j
                        // Float32 sums of k terms: a few ulps of the largest partial sum per term.
                        worst = max(worst, abs(Double(c[index]) - expected.values[index]) / (expected.scale[index] + 1e-30))
                    }
                    // Nothing written beyond column n.
                    let after: [Float] = Array(c[(i * ldc + n) ..< (i * ldc + ldc)])
                    let kept = zip(after, padding[i]).allSatisfy { (x: Float, y: Float) -> Bool in x == y || (x.isNaN && y.isNaN) }
                    #expect(kept, "row \(i): \(after) was \(padding[i])")
                }
                let bound = Double(k + 2) * 6e-8
                #expect(worst < bound, "\(m)×\(n)×\(k) T\(transposeA)\(transposeB) α \(alpha) β \(beta): relative error \(worst)")
            }
        }
    }

    /// The engine's products follow the thread's setting, and only inside `use`: a product whose
    /// operands need more than bfloat16's 8 bits differs, one whose operands fit is the same.
    @Test(.enabled(if: MatrixProducts.bfloat16IsAvailable, "this CPU has no AVX512_BF16"))
    func theEngineRoundsOnlyInsideUse() throws {
        let e: Float = 1.0 / 1024
        let fine = Tensor<Float>([1 + e, 1, 1, 1], shape: [2, 2]), ones = Tensor<Float>([1, 1, 1, 1], shape: [2, 2])
        let exact = matmul(fine, ones)
        let rounded = try MatrixProducts.bfloat16.use { matmul(fine, ones) }
        let exactExpected: [Float] = [2 + e, 2 + e, 2, 2], roundedExpected: [Float] = [2, 2, 2, 2]
        #expect(exact.scalars == exactExpected)
        #expect(rounded.scalars == roundedExpected)
        #expect(MatrixProducts.current == .float32)
        #expect(matmul(fine, ones).scalars == exact.scalars)
        let coarse = Tensor<Float>([1.5, -2, 0.25, 3], shape: [2, 2])
        #expect(try MatrixProducts.bfloat16.use { matmul(coarse, coarse) }.scalars == matmul(coarse, coarse).scalars)
    }
}
