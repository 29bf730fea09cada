import ArgumentParser
import LGMCL

/// How the replicas of a data-parallel run train together: gradient bucketing and summation,
/// the watchdog, the arithmetic. `pretrain`, `finetune` and the benchmarks built on them share
/// these flags, as they share `ModelOptions`.
struct DataParallelOptions: ParsableArguments {
    @Option(help: "Gradient bucket size in MiB (allreduced while backward goes on).")
    var bucketMib = GradientBucketSize.defaultMiB

    @Flag(help: "Sum gradients in rank order (bit-identical across hosts and launches; slower, no overlap).")
    var deterministic = false

    @Option(help: "Seconds without a completed step before the watchdog ends the job.")
    var collectiveTimeout = 600.0

    @Option(help: "Arithmetic: float32 (training), bf16-mixed (Float32 weights and arithmetic, matrix products on bfloat16 operands with Float32 sums: about twice as fast on CPUs with AVX512_BF16), or float64 (equivalence checks).")
    var precision: Precision = .float32

    func validate() throws {
        try validateMatrixProducts(precision.matrixProducts)
    }

    /// Copies the options into a trainer's settings (the precision picks the trainer's type instead).
    func apply(to settings: inout some DataParallelSettings) {
        settings.bucketMiB = bucketMib
        settings.deterministic = deterministic
        settings.collectiveTimeout = collectiveTimeout
        settings.matrixProducts = precision.matrixProducts
    }
}

/// Refuses bfloat16 products on a CPU without them before MPI starts.
func validateMatrixProducts(_ products: MatrixProducts?) throws {
    if products == .bfloat16, !MatrixProducts.bfloat16IsAvailable {
        throw ValidationError("\(MatrixProductsError.bfloat16Unavailable)")
    }
}

/// The arithmetic of a run.
enum Precision: String, ExpressibleByArgument {
    case float32, float64
    case bf16Mixed = "bf16-mixed"

    /// The products a run's settings record: nil for Float32's, as manifests without the field mean.
    var matrixProducts: MatrixProducts? { self == .bf16Mixed ? .bfloat16 : nil }
}
