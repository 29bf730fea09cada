import CBLAS

/// Dense symmetric matrices in Float64, through OpenBLAS's LAPACK: what diagnostics (the spectrum
/// of embeddings) and linear probes (ridge regression) need, outside the tape.
public struct SymmetricMatrix: Sendable {
    public let order: Int
    /// order × order, row-major (symmetric, so column-major alike).
    public var values: [Double]

    public init(order: Int, values: [Double]) {
        precondition(values.count == order * order, "SymmetricMatrix: \(values.count) values for order \(order)")
        self.order = order
        self.values = values
    }

    /// XᵀX of an n × d row-major matrix: the d × d Gram matrix of its columns.
    public static func gram(_ x: [Double], rows n: Int, columns d: Int) -> SymmetricMatrix {
        precondition(x.count == n * d, "gram: \(x.count) values for \(n) × \(d)")
        var result = [Double](repeating: 0, count: d * d)
        cblas_dsyrk(CblasRowMajor, CblasUpper, CblasTrans, Int32(d), Int32(n), 1, x, Int32(d), 0, &result, Int32(d))
        // dsyrk fills one triangle; mirror it so that `values` is the whole matrix.
        for i in 0 ..< d { for j in 0 ..< i { result[i * d + j] = result[j * d + i] } }
        return SymmetricMatrix(order: d, values: result)
    }

    /// The eigenvalues in ascending order (LAPACK dsyevd).
    public func eigenvalues() throws -> [Double] {
        var n = Int32(order), info: Int32 = 0
        guard order > 0 else { return [] }
        var a = values, w = [Double](repeating: 0, count: order)
        var job = Int8(UInt8(ascii: "N")), upper = Int8(UInt8(ascii: "U"))
        // Workspace query first (lwork = -1), as LAPACK prescribes.
        var workSize = 0.0, iworkSize: Int32 = 0, query: Int32 = -1
        dsyevd_(&job, &upper, &n, &a, &n, &w, &workSize, &query, &iworkSize, &query, &info)
        var lwork = Int32(workSize), liwork = iworkSize
        var work = [Double](repeating: 0, count: Int(lwork)), iwork = [Int32](repeating: 0, count: Int(liwork))
        dsyevd_(&job, &upper, &n, &a, &n, &w, &work, &lwork, &iwork, &liwork, &info)
        guard info == 0 else { throw LinearAlgebraError(description: "dsyevd: info \(info) for a \(order) × \(order) matrix") }
        return w
    }

    /// X solving self · X = B for a positive definite self (LAPACK dposv, Cholesky); B is
    /// order × columns, row-major, and so is the result.
    public func solve(_ b: [Double], columns: Int) throws -> [Double] {
        precondition(b.count == order * columns, "solve: \(b.count) values for \(order) × \(columns)")
        var n = Int32(order), nrhs = Int32(columns), info: Int32 = 0
        var a = values
        var upper = Int8(UInt8(ascii: "U"))
        // LAPACK is column-major: B's transpose goes in, the solution's transpose comes out.
        var x = [Double](repeating: 0, count: b.count)
        for i in 0 ..< order { for j in 0 ..< columns { x[j * order + i] = b[i * columns + j] } }
        dposv_(&upper, &n, &nrhs, &a, &n, &x, &n, &info)
        guard info == 0 else {
            throw LinearAlgebraError(description: "dposv: the \(order) × \(order) matrix is not positive definite (info \(info))")
        }
        var result = [Double](repeating: 0, count: b.count)
        for i in 0 ..< order { for j in 0 ..< columns { result[i * columns + j] = x[j * order + i] } }
        return result
    }
}

public struct LinearAlgebraError: Error, CustomStringConvertible {
    public let description: String
}
