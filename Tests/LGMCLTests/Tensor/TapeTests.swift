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

    @Test func frozenParametersAreConstantsToTheTape() {
        let x = randomTensor([5, 3], seed: 5)
        let reference = TwoLayer()
        reference(x).sum().backward()
        let referenceParameters = Dictionary(uniqueKeysWithValues: reference.namedParameters().map { ($0.name, $0.parameter) })
        let model = TwoLayer()
        for (name, parameter) in model.namedParameters() { parameter.assign(referenceParameters[name]!.value.detached()) }
        model.first.weight.requiresGradient = false
        model.first.bias!.requiresGradient = false
        // What only frozen parameters computed is not recorded at all: backward stops there.
        #expect(!model.first(x).requiresGradient)
        var ready: [String] = []
        let names = Dictionary(uniqueKeysWithValues: model.namedParameters().map { (ObjectIdentifier($0.parameter), $0.name) })
        model(x).sum().backward { ready.append(names[ObjectIdentifier($0)]!) }
        #expect(ready.sorted() == ["layers.0.bias", "layers.0.weight", "layers.1.weight"])
        #expect(model.first.weight.gradients.allSatisfy { $0 == 0 } && model.first.bias!.gradients.allSatisfy { $0 == 0 })
        for (name, parameter) in model.namedParameters() where name.hasPrefix("layers") {
            #expect(Array(parameter.gradients) == Array(referenceParameters[name]!.gradients), "\(name)")
        }
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
