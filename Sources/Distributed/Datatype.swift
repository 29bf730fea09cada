import CMPI

/// Element types that cross the wire, each with its MPI datatype.
public protocol MPIScalar: Numeric {
    static var mpiDatatype: MPI_Datatype { get }
}

extension Float: MPIScalar { public static var mpiDatatype: MPI_Datatype { lgmcl_mpi_float() } }
extension Double: MPIScalar { public static var mpiDatatype: MPI_Datatype { lgmcl_mpi_double() } }
extension Int: MPIScalar {
    // Swift's Int is 64-bit on every platform lgmcl runs on.
    public static var mpiDatatype: MPI_Datatype { lgmcl_mpi_int64() }
}
extension Int64: MPIScalar { public static var mpiDatatype: MPI_Datatype { lgmcl_mpi_int64() } }
extension Int32: MPIScalar { public static var mpiDatatype: MPI_Datatype { lgmcl_mpi_int32() } }
extension UInt8: MPIScalar { public static var mpiDatatype: MPI_Datatype { lgmcl_mpi_uint8() } }

/// Reduction operators.
public enum ReduceOp: Sendable {
    case sum, max, min

    var mpiOp: MPI_Op {
        switch self {
        case .sum: return lgmcl_mpi_sum()
        case .max: return lgmcl_mpi_max()
        case .min: return lgmcl_mpi_min()
        }
    }
}
