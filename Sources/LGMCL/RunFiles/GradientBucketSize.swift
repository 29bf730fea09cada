/// How much gradient one bucket carries: the unit whose allreduce starts as soon as backward has
/// filled it. Every trainer and `benchmark allreduce --gradients-of` size buckets this way.
public enum GradientBucketSize {
    /// `--bucket-mib` when not given, chosen from the measurements in docs/benchmarks-pretrain.md.
    public static let defaultMiB = 1.0

    /// Values of `Scalar` in a bucket of `mib` MiB (at least one).
    public static func capacity<Scalar>(mib: Double, of _: Scalar.Type) -> Int {
        max(1, Int(mib * 1_048_576) / MemoryLayout<Scalar>.stride)
    }
}
