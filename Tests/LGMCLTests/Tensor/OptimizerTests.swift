import Foundation
@testable import LGMCL
import Testing
import TestSupport

struct OptimizerTests {
    @Test func schedules() {
        #expect(ConstantSchedule(0.1)(0) == 0.1 && ConstantSchedule(0.1)(10_000) == 0.1)
        let s = WarmupCosineSchedule(peak: 1e-3, warmupSteps: 10, totalSteps: 110, minimum: 1e-5)
        #expect(Swift.abs(s(0) - 1e-4) < 1e-15 && Swift.abs(s(9) - 1e-3) < 1e-15)
        #expect(Swift.abs(s(10) - 1e-3) < 1e-15)
        #expect(Swift.abs(s(60) - (1e-5 + (1e-3 - 1e-5) * 0.5)) < 1e-15)
        #expect(Swift.abs(s(110) - 1e-5) < 1e-15 && Swift.abs(s(500) - 1e-5) < 1e-15)
    }

    /// chemprop's warm-up and exponential decay, rate by rate against chemprop 2.3.1 stepping a
    /// PyTorch Adam (Fixtures/training/noam_schedule.json, scripts/make_schedule_fixtures.py).
    @Test func noamLikeScheduleMatchesChemprop() throws {
        struct Case: Decodable {
            let warmup_steps: Int, cooldown_steps: Int, init_lr: Double, max_lr: Double, final_lr: Double, rates: [Double]
        }
        struct File: Decodable { let cases: [Case] }
        let url = repositoryRoot.appendingPathComponent("Tests/LGMCLTests/Fixtures/training/noam_schedule.json")
        let file = try JSONDecoder().decode(File.self, from: Data(contentsOf: url))
        #expect(file.cases.count == 3)
        for c in file.cases {
            let schedule = NoamLikeSchedule(initial: c.init_lr, peak: c.max_lr, final: c.final_lr,
                                            warmupSteps: c.warmup_steps, cooldownSteps: c.cooldown_steps)
            for (step, rate) in c.rates.enumerated() {
                #expect(Swift.abs(schedule(step) - rate) <= 1e-15 * rate, "step \(step): \(schedule(step)) vs chemprop's \(rate)")
            }
        }
    }

    @Test func gradientClipping() {
        let a = Parameter(Tensor<Double>.zeros([2])), b = Parameter(Tensor<Double>.zeros([1]))
        a.gradients[0] = 3; a.gradients[1] = 0; b.gradients[0] = 4
        let norm = clipGradientNorm([a, b], maxNorm: 1)
        #expect(norm == 5)
        let f = 1 / (5 + 1e-6)
        #expect(Swift.abs(a.gradients[0] - 3 * f) < 1e-15 && Swift.abs(b.gradients[0] - 4 * f) < 1e-15)
        #expect(clipGradientNorm([a, b], maxNorm: 10) < 1.0000001)
        #expect(Swift.abs(a.gradients[0] - 3 * f) < 1e-15)
    }

    /// One Adam step from zero state by hand: m̂ = g, v̂ = g², θ −= lr·g/(|g| + ε).
    @Test func firstAdamStepIsSignTimesLearningRate() {
        let p = Parameter(Tensor<Double>([1, -2, 0.5], shape: [3]))
        p.gradients[0] = 0.3; p.gradients[1] = -4; p.gradients[2] = 0
        let adam = Adam([("p", p)], AdamConfiguration(learningRate: 0.1, eps: 1e-12))
        adam.step()
        expectClose(Array(p.values), [0.9, -1.9, 0.5].map { $0 }, atol: 1e-10, rtol: 0, "after one step")
    }

    /// A parameter whose learning rate is scaled by s follows exactly the trajectory of an Adam
    /// configured with s·lr (PyTorch's parameter groups), weight decay included; scale 0 freezes.
    @Test func learningRateScalesActPerParameter() {
        func trajectory(_ configuration: AdamConfiguration, scales: [String: Double]) -> [[Double]] {
            let a = Parameter(Tensor<Double>([1, -2, 0.5], shape: [3])), b = Parameter(Tensor<Double>([0.25, 3], shape: [2]))
            let adam = Adam([("a", a), ("b", b)], configuration, learningRateScale: { scales[$0] ?? 1 })
            for step in 1...4 {
                for p in [a, b] { for i in 0..<p.count { p.gradients[i] = p.values[i] * Double(step) - 0.3 } }
                adam.step(learningRate: 0.1 / Double(step))
            }
            return [Array(a.values), Array(b.values)]
        }
        for decoupled in [false, true] {
            let base = AdamConfiguration(learningRate: 0, weightDecay: 0.01, decoupledWeightDecay: decoupled)
            let grouped = trajectory(base, scales: ["a": 0.25, "b": 0])
            // The same run with the scale folded into the learning rate (schedule × 0.25).
            let a = Parameter(Tensor<Double>([1, -2, 0.5], shape: [3]))
            let alone = Adam([("a", a)], base)
            for step in 1...4 {
                for i in 0..<a.count { a.gradients[i] = a.values[i] * Double(step) - 0.3 }
                alone.step(learningRate: 0.25 * 0.1 / Double(step))
            }
            expectClose(grouped[0], Array(a.values), atol: 1e-15, rtol: 0, "scaled parameter, decoupled \(decoupled)")
            #expect(grouped[1] == [0.25, 3], "scale 0 leaves the parameter as it was")
            #expect(trajectory(base, scales: [:])[0] != grouped[0], "the scale changes the trajectory")
        }
    }

    /// Saving the state after 3 steps into safetensors and resuming gives the same 5-step result.
    @Test func stateRoundTripsThroughSafeTensors() throws {
        func run(steps: Int, resumeAt: Int?) throws -> [Float] {
            Initialization.seed(5)
            let layer = Linear<Float>(3, 2)
            let x = Tensor<Float>([1, 2, 3, -1, 0, 1], shape: [2, 3])
            var adam = Adam(layer, .adamW(learningRate: 0.05))
            for step in 0..<steps {
                if step == resumeAt {
                    let file = adam.state.file(shapes: Dictionary(uniqueKeysWithValues: layer.namedParameters().map { ($0.name, $0.parameter.shape) }))
                    let url = FileManager.default.temporaryDirectory.appendingPathComponent("adam-\(UUID().uuidString).safetensors")
                    defer { try? FileManager.default.removeItem(at: url) }
                    try file.write(to: url)
                    let back = try SafeTensors.read(url)
                    adam = Adam(layer, .adamW(learningRate: 0.05))
                    adam.state = try AdamState(file: back)
                }
                adam.zeroGradients()
                layer(x).squared().sum().backward()
                adam.step()
            }
            return layer.parameters().flatMap { Array($0.values) }
        }
        #expect(try run(steps: 5, resumeAt: nil) == run(steps: 5, resumeAt: 3))
    }
}
