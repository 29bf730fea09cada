import ArgumentParser
import Foundation
import LGMCL

/// `lgmcl-dist benchmark ops`: forward + backward of one transformer layer (small preset width,
/// batch 128 × 64 tokens, d 256) and of a 3-layer MLP on one thread, with the time spent in BLAS
/// and the rate of bare sgemm on the same call shapes. scripts/bench_tensor.py runs it beside
/// PyTorch and writes docs/benchmarks-tensor.md. `--memory-steps N` instead trains a small model
/// for N steps and reports resident memory after warm-up and at the end (the memory test).
struct BenchmarkOps: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "ops",
        abstract: "Tensor engine: transformer layer and MLP forward+backward, BLAS share, memory.")

    @Option(help: "Timed iterations per case (after one warm-up).") var iterations = 5
    @Option(help: "Instead of timing: train a small model this many steps and report resident memory.") var memorySteps: Int?
    @Flag(help: "Print one JSON object per line.") var json = false

    func validate() throws {
        guard iterations > 0 else { throw ValidationError("--iterations must be positive") }
        if let memorySteps, memorySteps < 200 { throw ValidationError("--memory-steps must be at least 200 (100 are warm-up)") }
    }

    func run() throws {
        if let memorySteps { return memoryCheck(steps: memorySteps) }
        Initialization.seed(0)
        var rng = RandomGenerator(seed: 1)

        let layer = TransformerLayer(dims: 256, heads: 8, hidden: 1024)
        let tokens: Tensor<Float> = rng.normal([128, 64, 256])
        report("transformer_layer", "B128 T64 d256 h8 ffn1024, pre-LN, GELU") {
            layer.zeroGradients()
            layer(tokens).mean().backward()
        }

        let mlp = MLP(widths: [512, 1024, 1024, 256])
        let batch: Tensor<Float> = rng.normal([2048, 512])
        report("mlp3", "batch 2048, 512-1024-1024-256, ReLU") {
            mlp.zeroGradients()
            mlp(batch).mean().backward()
        }
    }

    func report(_ name: String, _ shape: String, _ step: () -> Void) {
        step()
        var seconds: [Double] = []
        var profile = GemmProfile()
        for i in 0..<iterations {
            let start = DispatchTime.now().uptimeNanoseconds
            if i == 0 { profile = GemmProfile.measure(step).1 } else { step() }
            seconds.append(Double(DispatchTime.now().uptimeNanoseconds - start) * 1e-9)
        }
        let median = seconds.sorted()[seconds.count / 2]
        let bare = bareGemmSeconds(profile.calls)
        let row: [String: Any] = [
            "case": name, "shape": shape, "iterations": iterations, "seconds_median": median,
            "seconds_min": seconds.min()!, "gemm_seconds": profile.seconds, "gemm_calls": profile.calls.count,
            "gemm_gflop": profile.flops / 1e9, "gemm_gflops_rate": profile.flops / profile.seconds / 1e9,
            "bare_sgemm_seconds": bare, "bare_sgemm_gflops_rate": profile.flops / bare / 1e9,
            "blas": OpenBLAS.configuration, "blas_threads": OpenBLAS.threadCount,
        ]
        if json {
            let data = try! JSONSerialization.data(withJSONObject: row, options: [.sortedKeys])
            print(String(decoding: data, as: UTF8.self))
        } else {
            print(String(format: "%@ (%@): %.3f s/iter (min %.3f); gemm %.3f s in %d calls, %.1f GFLOP/s; bare sgemm %.3f s, %.1f GFLOP/s",
                         name, shape, median, seconds.min()!, profile.seconds, profile.calls.count,
                         profile.flops / profile.seconds / 1e9, bare, profile.flops / bare / 1e9))
        }
    }

    /// The same gemm calls on bare cblas_sgemm (fresh operands, best of three).
    func bareGemmSeconds(_ calls: [GemmProfile.Call]) -> Double {
        var best = Double.infinity
        for _ in 0..<3 {
            var total = 0.0
            for call in calls {
                let lda = call.transposeA ? call.m : call.k, ldb = call.transposeB ? call.k : call.n
                let a = [Float](repeating: 0.5, count: call.m * call.k), b = [Float](repeating: 0.25, count: call.k * call.n)
                var c = [Float](repeating: 0, count: call.m * call.n)
                let start = DispatchTime.now().uptimeNanoseconds
                Float.gemm(transposeA: call.transposeA, transposeB: call.transposeB, m: call.m, n: call.n, k: call.k,
                           alpha: 1, a: a, lda: lda, b: b, ldb: ldb, beta: call.beta ? 1 : 0, c: &c, ldc: call.n, products: .float32)
                total += Double(DispatchTime.now().uptimeNanoseconds - start) * 1e-9
            }
            best = min(best, total)
        }
        return best
    }

    /// Resident set size from /proc/self/statm (pages × page size).
    static func residentBytes() -> Int {
        guard let text = try? String(contentsOfFile: "/proc/self/statm", encoding: .utf8) else { return 0 }
        let fields = text.split(separator: " ")
        return (fields.count > 1 ? Int(fields[1]) ?? 0 : 0) * Int(sysconf(Int32(_SC_PAGESIZE)))
    }

    func memoryCheck(steps: Int) {
        Initialization.seed(3)
        var rng = RandomGenerator(seed: 4)
        let model = MLP(widths: [64, 128, 128, 1], normalized: true)
        let x: Tensor<Float> = rng.normal([64, 64]), y: Tensor<Float> = rng.normal([64, 1])
        let rows = MoleculeRows.molecules(Array(0..<64))
        let adam = Adam(model, AdamConfiguration(learningRate: 1e-3, weightDecay: 1e-3))
        var afterWarmup = 0, firstLoss: Float = 0, lastLoss: Float = 0
        for step in 0..<steps {
            adam.zeroGradients()
            let loss = meanSquaredError(model(x, dropout: RandomStream(seed: 5, step: UInt64(step)), rows: rows), y)
            loss.backward()
            clipGradientNorm(model.parameters(), maxNorm: 1)
            adam.step()
            if step == 0 { firstLoss = loss.item() }
            lastLoss = loss.item()
            _ = Tape.withoutGradients { model(x) }
            if step == 99 { afterWarmup = Self.residentBytes() }
        }
        let final = Self.residentBytes()
        print("{\"steps\": \(steps), \"rss_after_warmup_bytes\": \(afterWarmup), \"rss_final_bytes\": \(final), \"first_loss\": \(firstLoss), \"last_loss\": \(lastLoss)}")
    }
}

/// A pre-LayerNorm transformer encoder layer: x + MHA(LN(x)), then h + FFN(LN(h)).
final class TransformerLayer: Module {
    typealias Scalar = Float
    let attentionNorm: LayerNorm<Float>
    let attention: MultiHeadAttention<Float>
    let feedForwardNorm: LayerNorm<Float>
    let feedForward: FeedForward<Float>

    init(dims: Int, heads: Int, hidden: Int) {
        attentionNorm = LayerNorm(dims)
        attention = MultiHeadAttention(dims, heads: heads)
        feedForwardNorm = LayerNorm(dims)
        feedForward = FeedForward(dims, hidden: hidden, activation: .gelu)
    }

    func callAsFunction(_ x: Tensor<Float>) -> Tensor<Float> {
        let h = x + attention(attentionNorm(x))
        return h + feedForward(feedForwardNorm(h))
    }
}

/// Linear layers with ReLU between them; optionally LayerNorm and dropout after each hidden layer.
final class MLP: Module {
    typealias Scalar = Float
    let layers: [Linear<Float>]
    let norms: [LayerNorm<Float>]
    let dropout = Dropout<Float>(0.1, site: 1)

    init(widths: [Int], normalized: Bool = false) {
        layers = zip(widths, widths.dropFirst()).map { Linear($0, $1) }
        norms = normalized ? widths.dropFirst().dropLast().map { LayerNorm($0) } : []
    }

    func callAsFunction(_ x: Tensor<Float>, dropout stream: RandomStream? = nil, rows: MoleculeRows? = nil) -> Tensor<Float> {
        var h = x
        for (i, layer) in layers.enumerated() {
            h = layer(h)
            guard i < layers.count - 1 else { break }
            h = h.relu()
            if i < norms.count { h = norms[i](h) }
            if let rows { h = dropout(h, stream, rows: rows) }
        }
        return h
    }
}
