import CMalloc

/// glibc gives freed memory back to the kernel (trims the heap, unmaps large blocks) as soon as
/// enough of it is free, and a training step frees all of its activations at once: the next
/// step then faults every page in again, zeroed by the kernel. On `small` text pretraining that
/// churn cost 1.4× in throughput (docs/benchmarks-pretrain.md). A trainer's working set is
/// the same every step, so it keeps its pages.
enum Allocator {
    static func keepFreedMemory() {
        // Blocks up to 32 MiB (glibc's largest mmap threshold) come from the heap, and the heap
        // is never trimmed; larger ones are still mapped and unmapped.
        _ = mallopt(M_MMAP_THRESHOLD, 32 << 20)
        _ = mallopt(M_TRIM_THRESHOLD, Int32.max)
    }
}
