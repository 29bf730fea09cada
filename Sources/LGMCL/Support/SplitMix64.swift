/// SplitMix64 (Steele, Lea and Flood, "Fast splittable pseudorandom number generators",
/// OOPSLA 2014, doi:10.1145/2660193.2660195), the generator behind every seeded split, every
/// epoch order and the numeric canary's inputs.
///
/// Splits must stay the same across Swift versions and machines, and be reproducible by other
/// tools, so neither the standard library's shuffle nor its bounded draws (whose algorithms may
/// change) are used. The whole procedure, documented in docs/finetune.md:
/// - state starts at the seed; each draw adds 0x9E3779B97F4A7C15 to the state and mixes it;
/// - a draw below n rejects values under (2⁶⁴ − n) mod n, then takes the value mod n;
/// - a shuffle is Fisher–Yates from the last position down: swap a[i] with a[draw below i + 1].
public struct SplitMix64: RandomNumberGenerator, Sendable {
    private var state: UInt64

    public init(seed: UInt64) { state = seed }

    /// A stream named by (seed, epoch, stream), for the epoch order: the state starts at
    /// mix(mix(mix(seed ⊕ "lgmcl_da") ⊕ epoch) ⊕ stream), with mix(x) = SplitMix64's output
    /// function of x + 0x9E3779B97F4A7C15, so distinct names give unrelated streams and no state
    /// needs saving.
    public init(seed: UInt64, epoch: UInt64, stream: UInt64) {
        let key = Self.mix(Self.mix(seed ^ 0x6C67_6D63_6C5F_6461) ^ epoch)
        state = Self.mix(key ^ stream)
    }

    public mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        return Self.output(state)
    }

    private static func mix(_ x: UInt64) -> UInt64 { output(x &+ 0x9E37_79B9_7F4A_7C15) }

    private static func output(_ state: UInt64) -> UInt64 {
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// Uniform in 0..<bound, without modulo bias.
    public mutating func below(_ bound: Int) -> Int {
        precondition(bound > 0, "SplitMix64.below: bound \(bound) must be positive")
        let n = UInt64(bound)
        let threshold = (0 &- n) % n
        while true {
            let value = next()
            if value >= threshold { return Int(value % n) }
        }
    }

    /// Fisher–Yates shuffle in place, from the last position down.
    public mutating func shuffle<T>(_ elements: inout [T]) {
        guard elements.count > 1 else { return }
        for i in stride(from: elements.count - 1, through: 1, by: -1) {
            elements.swapAt(i, below(i + 1))
        }
    }
}
