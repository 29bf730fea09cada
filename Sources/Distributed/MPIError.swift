import CMPI

/// A failed MPI call: the function's name, its return code and Open MPI's text for that code.
public struct MPIError: Error, CustomStringConvertible {
    public let function: String
    public let code: Int32
    public let message: String

    public var description: String { "\(function) failed (code \(code)): \(message)" }
}

/// Every MPI return code goes through here (the communicator sets MPI_ERRORS_RETURN, so errors
/// come back as codes instead of aborting inside the library without a word).
@inline(__always)
func check(_ rc: Int32, _ function: @autoclosure () -> String) throws {
    guard rc != MPI_SUCCESS else { return }
    throw MPIError(function: function(), code: rc, message: errorString(rc))
}

func errorString(_ rc: Int32) -> String {
    var buffer = [CChar](repeating: 0, count: Int(lgmcl_mpi_max_error_string()) + 1)
    var length: Int32 = 0
    guard MPI_Error_string(rc, &buffer, &length) == MPI_SUCCESS else { return "unknown error" }
    return String(decoding: buffer.prefix(Int(length)).map { UInt8(bitPattern: $0) }, as: UTF8.self)
}
