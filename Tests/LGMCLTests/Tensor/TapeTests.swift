@testable import LGMCL
import Testing

struct TapeTests {
    final class TwoLayer: Module {
        typealias Scalar = Double
        let first = Linear<Double>(3, 4)
        let layers = [Linear<Double>(4, 4), Linear<Double>(4, 4, bias: false)]
        let unused: Linear<Double>? = nil
        func callAsFunction(_ x: Tensor<Double>) -> Tensor<Double> {
            layers.reduce(first(x).tanh()) { $1($0).tanh() }
        }
    }

    @Test func parameterNamesAreHierarchicalAndOrdered() {
        let model = TwoLayer()
        #expect(model.namedParameters().map(\.name) == [
            "first.weight", "first.bias", "layers.0.weight", "layers.0.bias", "layers.1.weight",
        ])
        #expect(model.parameterCount == 3 * 4 + 4 + 16 + 4 + 16)
    }

    @Test func noGradModeRecordsNothing() {
        let model = TwoLayer()
        let y = Tape.withoutGradients { model(randomTensor([2, 3], seed: 1)) }
        #expect(!y.requiresGradient)
        #expect(model(randomTensor([2, 3], seed: 1)).requiresGradient)
    }

    @Test func gradientReadyFiresOncePerParameterWithItsFinalValue() {
        let model = TwoLayer()
        let x = randomTensor([5, 3], seed: 2)
        var snapshots: [ObjectIdentifier: [Double]] = [:]
        var order: [String] = []
        let names = Dictionary(uniqueKeysWithValues: model.namedParameters().map { (ObjectIdentifier($0.parameter), $0.name) })
        // The first layer is used twice: its gradient is final only after both uses.
        let loss = (model(x).sum() + model.first(x).squared().sum())
        loss.backward { parameter in
            #expect(snapshots[ObjectIdentifier(parameter)] == nil)
            snapshots[ObjectIdentifier(parameter)] = Array(parameter.gradients)
            order.append(names[ObjectIdentifier(parameter)]!)
        }
        #expect(snapshots.count == 5)
        for p in model.parameters() { #expect(snapshots[ObjectIdentifier(p)] == Array(p.gradients)) }
        // Reverse order of use: the last layer's weight is ready first.
        #expect(order.first == "layers.1.weight")
        #expect(order.suffix(2).sorted() == ["first.bias", "first.weight"])
    }

    @Test func gradientsAccumulateUntilZeroed() {
        let model = TwoLayer()
        let x = randomTensor([2, 3], seed: 3)
        model(x).sum().backward()
        let once = Array(model.first.weight.gradients)
        model(x).sum().backward()
        expectClose(Array(model.first.weight.gradients), once.map { 2 * $0 }, atol: 1e-14, rtol: 1e-12, "accumulated")
        model.zeroGradients()
        #expect(model.first.weight.gradients.allSatisfy { $0 == 0 })
    }

    @Test func backwardReleasesSavedActivations() {
        let x = randomTensor([2, 3], seed: 4).requiringGradient()
        let y = x.tanh()
        let loss = y.sum()
        weak var saved = y.node
        loss.backward()
        #expect(y.node?.backward == nil && y.node?.inputs.isEmpty == true)
        _ = saved
    }
}
