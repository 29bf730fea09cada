import Foundation
@testable import LGMCL
import TestSupport
import Testing

/// Float32 parity with PyTorch, from fixtures written by scripts/make_tensor_fixtures.py (which
/// names the oracle of each file). Outputs and gradients within atol 1e-6 + rtol 1e-5; the loss
/// of every layer fixture is sum(output ⊙ r) with the stored upstream gradient r.
struct TorchParityTests {
    static func fixture(_ name: String) throws -> SafeTensors {
        try SafeTensors.read(repositoryRoot.appendingPathComponent("Tests/LGMCLTests/Fixtures/tensor/\(name).safetensors"))
    }

    func expectMatch(_ actual: Tensor<Float>?, _ file: SafeTensors, _ name: String, sourceLocation: SourceLocation = #_sourceLocation) throws {
        let expected: Tensor<Float> = try file.tensor(name)
        guard let actual else { Issue.record("\(name): no gradient", sourceLocation: sourceLocation); return }
        #expect(actual.shape == expected.shape, "\(name) shape", sourceLocation: sourceLocation)
        expectClose(actual.scalars, expected.scalars, atol: 1e-6, rtol: 1e-5, name, sourceLocation: sourceLocation)
    }

    @Test func linear() throws {
        let f = try Self.fixture("linear")
        let layer = Linear<Float>(5, 3)
        layer.weight.assign(try f.tensor("weight"))
        layer.bias!.assign(try f.tensor("bias"))
        let x = try f.tensor("x", as: Float.self).requiringGradient()
        let y = layer(x)
        (y * (try f.tensor("r"))).sum().backward()
        try expectMatch(y, f, "y")
        try expectMatch(x.gradient, f, "grad_x")
        try expectMatch(layer.weight.gradient, f, "grad_weight")
        try expectMatch(layer.bias!.gradient, f, "grad_bias")
    }

    @Test func layerNorm() throws {
        let f = try Self.fixture("layernorm")
        let layer = LayerNorm<Float>(6)
        layer.weight.assign(try f.tensor("weight"))
        layer.bias.assign(try f.tensor("bias"))
        let x = try f.tensor("x", as: Float.self).requiringGradient()
        let y = layer(x)
        (y * (try f.tensor("r"))).sum().backward()
        try expectMatch(y, f, "y")
        try expectMatch(x.gradient, f, "grad_x")
        try expectMatch(layer.weight.gradient, f, "grad_weight")
        try expectMatch(layer.bias.gradient, f, "grad_bias")
    }

    @Test func gruCell() throws {
        let f = try Self.fixture("grucell")
        let cell = GRUCell<Float>(5, 3)
        cell.weightIH.assign(try f.tensor("weight_ih"))
        cell.weightHH.assign(try f.tensor("weight_hh"))
        cell.biasIH.assign(try f.tensor("bias_ih"))
        cell.biasHH.assign(try f.tensor("bias_hh"))
        let x = try f.tensor("x", as: Float.self).requiringGradient()
        let h = try f.tensor("h", as: Float.self).requiringGradient()
        let y = cell(x, h)
        (y * (try f.tensor("r"))).sum().backward()
        try expectMatch(y, f, "y")
        try expectMatch(x.gradient, f, "grad_x")
        try expectMatch(h.gradient, f, "grad_h")
        try expectMatch(cell.weightIH.gradient, f, "grad_weight_ih")
        try expectMatch(cell.weightHH.gradient, f, "grad_weight_hh")
        try expectMatch(cell.biasIH.gradient, f, "grad_bias_ih")
        try expectMatch(cell.biasHH.gradient, f, "grad_bias_hh")
    }

    @Test func multiHeadAttention() throws {
        let f = try Self.fixture("mha")
        let attention = MultiHeadAttention<Float>(8, heads: 2)
        let inWeight: Tensor<Float> = try f.tensor("in_proj_weight"), inBias: Tensor<Float> = try f.tensor("in_proj_bias")
        let projections = [attention.query, attention.key, attention.value]
        for (i, p) in projections.enumerated() {
            p.weight.assign(inWeight.sliced(axis: 0, (8 * i)..<(8 * i + 8)))
            p.bias!.assign(inBias.sliced(axis: 0, (8 * i)..<(8 * i + 8)))
        }
        attention.output.weight.assign(try f.tensor("out_weight"))
        attention.output.bias!.assign(try f.tensor("out_bias"))
        let q = try f.tensor("q", as: Float.self).requiringGradient()
        let k = try f.tensor("k", as: Float.self).requiringGradient()
        let v = try f.tensor("v", as: Float.self).requiringGradient()
        let y = attention(q, key: k, value: v, mask: try f.tensor("mask"))
        (y * (try f.tensor("r"))).sum().backward()
        try expectMatch(y, f, "y")
        try expectMatch(q.gradient, f, "grad_q")
        try expectMatch(k.gradient, f, "grad_k")
        try expectMatch(v.gradient, f, "grad_v")
        let weightGrads = concatenated(projections.map(\.weight.gradient), axis: 0)
        let biasGrads = concatenated(projections.map { $0.bias!.gradient }, axis: 0)
        try expectMatch(weightGrads, f, "grad_in_proj_weight")
        try expectMatch(biasGrads, f, "grad_in_proj_bias")
        try expectMatch(attention.output.weight.gradient, f, "grad_out_weight")
        try expectMatch(attention.output.bias!.gradient, f, "grad_out_bias")
    }

    @Test func ntXent() throws {
        let f = try Self.fixture("ntxent")
        let z1 = try f.tensor("z1", as: Float.self).requiringGradient()
        let z2 = try f.tensor("z2", as: Float.self).requiringGradient()
        let loss = ntXentLoss(z1, z2, temperature: try f.tensor("temperature", as: Float.self).item())
        loss.backward()
        try expectMatch(loss, f, "loss")
        try expectMatch(z1.gradient, f, "grad_z1")
        try expectMatch(z2.gradient, f, "grad_z2")
    }

    @Test func maskedBCE() throws {
        let f = try Self.fixture("masked_bce")
        let logits = try f.tensor("logits", as: Float.self).requiringGradient()
        let loss = maskedBinaryCrossEntropy(logits: logits, targets: try f.tensor("targets"))
        loss.backward()
        try expectMatch(loss, f, "loss")
        try expectMatch(logits.gradient, f, "grad_logits")
    }

    final class MLP: Module {
        typealias Scalar = Float
        let first = Linear<Float>(5, 8)
        let second = Linear<Float>(8, 3)
        func callAsFunction(_ x: Tensor<Float>) -> Tensor<Float> { second(first(x).relu()) }
    }

    @Test(arguments: [("adam_mlp", AdamConfiguration(learningRate: 1e-2, weightDecay: 0.1)),
                      ("adamw_mlp", AdamConfiguration.adamW(learningRate: 1e-2, weightDecay: 0.1))])
    func tenOptimizerSteps(_ name: String, _ configuration: AdamConfiguration) throws {
        let f = try Self.fixture(name)
        let model = MLP()
        let torchNames = ["first.weight": "0.weight", "first.bias": "0.bias", "second.weight": "2.weight", "second.bias": "2.bias"]
        for (n, p) in model.namedParameters() { p.assign(try f.tensor("initial.\(torchNames[n]!)")) }
        let x: Tensor<Float> = try f.tensor("x"), y: Tensor<Float> = try f.tensor("y")
        let optimizer = Adam(model, configuration)
        var losses: [Float] = []
        for _ in 0..<10 {
            optimizer.zeroGradients()
            let loss = meanSquaredError(model(x), y)
            loss.backward()
            optimizer.step()
            losses.append(loss.item())
        }
        try expectMatch(Tensor(losses, shape: [10]), f, "losses")
        for (n, p) in model.namedParameters() { try expectMatch(p.value.detached(), f, "final.\(torchNames[n]!)") }
    }
}
