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

    @Option(help: "Arithmetic: float32 (training) or float64 (equivalence checks).")
    var precision: Precision = .float32

    /// Copies the options into a trainer's settings (the precision picks the trainer's type instead).
    func apply(to settings: inout some DataParallelSettings) {
        settings.bucketMiB = bucketMib
        settings.deterministic = deterministic
        settings.collectiveTimeout = collectiveTimeout
    }
}

/// The arithmetic of a run.
enum Precision: String, ExpressibleByArgument {
    case float32, float64
}
