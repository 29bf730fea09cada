import CGemmBF16

/// The arithmetic of the Float32 engine's matrix products. `bfloat16` rounds both operands to
/// bfloat16 (8 bits of mantissa, Float32's range) and sums in Float32, as mixed-precision training
/// does on accelerators: twice the products per cycle of Float32 on CPUs with AVX512_BF16, while
/// weights, activations, gradients and every other op stay Float32. Float64 products are always
/// Float64.
public enum MatrixProducts: String, Codable, Sendable, CaseIterable {
    case float32
    case bfloat16

    /// Whether this CPU (and its operating system) runs bfloat16 products.
    public static let bfloat16IsAvailable = lgmcl_gemm_bf16_available() != 0

    /// The products of this thread.
    public static var current: MatrixProducts { ThreadState.current.matrixProducts }

    /// Runs `body` with this thread's products in `self`, then restores the ones before.
    public func use<R>(_ body: () throws -> R) throws -> R {
        if self == .bfloat16, !Self.bfloat16IsAvailable {
            throw MatrixProductsError.bfloat16Unavailable
        }
        let state = ThreadState.current
        let saved = state.matrixProducts
        state.matrixProducts = self
        defer { state.matrixProducts = saved }
        return try body()
    }
}

public enum MatrixProductsError: Error, CustomStringConvertible {
    case bfloat16Unavailable

    public var description: String {
        "bfloat16 matrix products need a CPU with AVX512_BF16 (Intel Cooper Lake or Sapphire Rapids and later, AMD Zen 4 and later); this one has none: use --precision float32"
    }
}
