import Foundation
import LGMCL
import Testing
import TestSupport

/// Embedding diagnostics against numpy (Fixtures/training/diagnostics.json, written by
/// scripts/make_diagnostics_fixtures.py): alignment and uniformity as Wang & Isola define them,
/// effective rank from numpy's SVD where lgmcl uses the Gram matrix's eigenvalues (LAPACK).
struct DiagnosticsTests {
    struct Case: Decodable {
        let name: String
        let rows: Int, dimension: Int, widths: [Int]
        let a: [Double], b: [Double], pooled_a: [Double], pooled_b: [Double]
        let alignment: Double, uniformity: [Double], effective_rank: [Double]
    }
    struct Fixtures: Decodable { let cases: [Case] }

    static let cases: [Case] = {
        let url = repositoryRoot.appendingPathComponent("Tests/LGMCLTests/Fixtures/training/diagnostics.json")
        return try! JSONDecoder().decode(Fixtures.self, from: Data(contentsOf: url)).cases
    }()

    static func close(_ a: Double, _ b: Double, rtol: Double) -> Bool { abs(a - b) <= 1e-9 + rtol * abs(b) }

    @Test(arguments: cases.map(\.name))
    func diagnosticsMatchNumpy(name: String) throws {
        let c = Self.cases.first { $0.name == name }!
        let got = try EmbeddingDiagnostics(projected: (c.a.map(Float.init), c.b.map(Float.init)), dimension: c.dimension,
                                           pooled: (c.pooled_a.map(Float.init), c.pooled_b.map(Float.init)),
                                           widths: (c.widths[0], c.widths[1]))
        #expect(Self.close(got.alignment, c.alignment, rtol: 1e-9), "alignment \(got.alignment) vs numpy \(c.alignment)")
        for view in 0 ..< 2 {
            #expect(Self.close(got.uniformity[view], c.uniformity[view], rtol: 1e-9),
                    "uniformity of view \(view): \(got.uniformity[view]) vs numpy \(c.uniformity[view])")
            // Eigenvalues of XᵀX near 0 carry rounding of order 1e-16 · σ_max², whose square roots
            // move the smallest singular values by ~1e-8 · σ_max: a few 1e-7 of the entropy.
            #expect(Self.close(got.effectiveRank[view], c.effective_rank[view], rtol: 1e-6),
                    "effective rank of view \(view): \(got.effectiveRank[view]) vs numpy \(c.effective_rank[view])")
        }
    }

    @Test func symmetricEigenvaluesAndSolveAreExact() throws {
        // [[2, 1], [1, 2]] has eigenvalues 1 and 3; it maps (1, 1) to (3, 3).
        let m = SymmetricMatrix(order: 2, values: [2, 1, 1, 2])
        let values = try m.eigenvalues()
        #expect(abs(values[0] - 1) < 1e-14 && abs(values[1] - 3) < 1e-14, "\(values)")
        let x = try m.solve([3, 6, 3, 6], columns: 2)
        #expect(zip(x, [1.0, 2, 1, 2]).allSatisfy { abs($0 - $1) < 1e-14 }, "\(x)")
        #expect(throws: LinearAlgebraError.self) { try SymmetricMatrix(order: 2, values: [1, 2, 2, 1]).solve([1, 1], columns: 1) }
    }
}
