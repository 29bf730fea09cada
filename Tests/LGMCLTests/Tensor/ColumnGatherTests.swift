@testable import LGMCL
import Testing

/// `gatheredColumns`: exact values, and its gradient against Float64 finite differences.
@Suite struct ColumnGatherTests {
    @Test func picksTheNamedColumnOfEveryRow() {
        let x = Tensor<Double>([0, 1, 2, 3, 4, 5, 10, 11, 12, 13, 14, 15], shape: [2, 2, 3])
        let y = x.gatheredColumns([2, 0, 1, 1])
        #expect(y.shape == [2, 2, 2])
        #expect(y.scalars == [2, 0, 4, 4, 12, 10, 14, 14])
    }

    @Test func gradientMatchesFiniteDifferences() {
        var rng = RandomGenerator(seed: 11)
        let x: Tensor<Double> = rng.uniform([3, 4, 6], -1.0, 1.0)
        // Repeated columns accumulate; some columns are never read.
        let index = [5, 0, 0, 2, 1, 1, 3, 3, 4, 0, 2, 5, 2, 2, 2, 0, 1, 3, 4, 5]
        checkGradients([x]) { $0[0].gatheredColumns(index) }
    }
}
