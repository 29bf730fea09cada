import CMPI
import Foundation

/// A group of ranks and the collectives they run together.
///
/// Every rank must call the same collectives in the same order, from one thread (MPI is
/// initialised with `MPI_THREAD_FUNNELED`). Without `mpirun` the world is one rank and every
/// collective is a copy.
public final class Communicator: @unchecked Sendable {
    let comm: MPI_Comm
    public let rank: Int
    public let size: Int

    /// All ranks of the job. The first use initialises MPI.
    public static let world: Communicator = {
        do {
            try Environment.initialize()
            return try Communicator(comm: lgmcl_mpi_comm_world())
        } catch {
            FileHandle.standardError.write(Data("lgmcl: cannot start MPI: \(error)\n".utf8))
            exit(1)
        }
    }()

    init(comm: MPI_Comm) throws {
        self.comm = comm
        try check(MPI_Comm_set_errhandler(comm, lgmcl_mpi_errors_return()), "MPI_Comm_set_errhandler")
        var r: Int32 = 0
        var s: Int32 = 0
        try check(MPI_Comm_rank(comm, &r), "MPI_Comm_rank")
        try check(MPI_Comm_size(comm, &s), "MPI_Comm_size")
        rank = Int(r)
        size = Int(s)
    }

    public var isRoot: Bool { rank == 0 }

    /// The ranks of this communicator that pass the same `color`, numbered in the order of their
    /// rank here: independent groups whose collectives never meet (one data-parallel trial per
    /// group). Every rank must call it. Groups live as long as the job (no MPI_Comm_free: a job
    /// makes a handful, and freeing one after MPI_Finalize would be an error).
    public func split(color: Int) throws -> Communicator {
        var group: MPI_Comm? = lgmcl_mpi_comm_null()
        try check(MPI_Comm_split(comm, try int32(color), Int32(rank), &group), "MPI_Comm_split")
        guard let group else { throw MPIError(function: "MPI_Comm_split", code: -1, message: "no communicator returned") }
        return try Communicator(comm: group)
    }

    public func barrier() throws {
        try check(MPI_Barrier(comm), "MPI_Barrier")
    }

    // MARK: Broadcast

    /// Replaces `values` on every rank with rank `root`'s. All ranks must pass the same count.
    public func broadcast<T: MPIScalar>(_ values: inout [T], root: Int = 0) throws {
        let count = values.count
        try values.withUnsafeMutableBytes { buffer in
            try check(MPI_Bcast(buffer.baseAddress, Int32(count), T.mpiDatatype, Int32(root), comm), "MPI_Bcast")
        }
    }

    /// Replaces a buffer's contents on every rank with rank `root`'s (e.g. a parameter's values).
    public func broadcast<T: MPIScalar>(_ buffer: UnsafeMutableBufferPointer<T>, root: Int = 0) throws {
        try check(MPI_Bcast(buffer.baseAddress, try int32(buffer.count), T.mpiDatatype, Int32(root), comm), "MPI_Bcast")
    }

    /// Rank `root`'s array, whatever its length; other ranks' arguments are ignored.
    public func broadcast<T: MPIScalar>(array values: [T], root: Int = 0) throws -> [T] {
        var count = [rank == root ? values.count : 0]
        try broadcast(&count, root: root)
        var result = rank == root ? values : [T](repeating: .zero, count: count[0])
        try broadcast(&result, root: root)
        return result
    }

    /// Rank `root`'s bytes, e.g. an encoded configuration or vocabulary.
    public func broadcast(bytes: [UInt8], root: Int = 0) throws -> [UInt8] {
        try broadcast(array: bytes, root: root)
    }

    public func broadcast(string: String, root: Int = 0) throws -> String {
        String(decoding: try broadcast(bytes: Array(string.utf8), root: root), as: UTF8.self)
    }

    // MARK: Allreduce

    /// Reduces `values` element-wise over all ranks, in place.
    public func allreduce<T: MPIScalar>(_ values: inout [T], op: ReduceOp = .sum) throws {
        let count = values.count
        try values.withUnsafeMutableBytes { buffer in
            try check(
                MPI_Allreduce(lgmcl_mpi_in_place(), buffer.baseAddress, Int32(count), T.mpiDatatype, op.mpiOp, comm),
                "MPI_Allreduce")
        }
    }

    /// Reduces a buffer element-wise over all ranks, in place. The buffer must stay valid for
    /// the call only.
    public func allreduce<T: MPIScalar>(_ buffer: UnsafeMutableBufferPointer<T>, op: ReduceOp = .sum) throws {
        try check(
            MPI_Allreduce(lgmcl_mpi_in_place(), buffer.baseAddress, Int32(buffer.count), T.mpiDatatype, op.mpiOp, comm),
            "MPI_Allreduce")
    }

    public func allreduce<T: MPIScalar>(_ value: T, op: ReduceOp = .sum) throws -> T {
        var values = [value]
        try allreduce(&values, op: op)
        return values[0]
    }

    /// Starts a non-blocking in-place allreduce. The buffer must stay valid and untouched until
    /// the returned request completes.
    public func startAllreduce<T: MPIScalar>(_ buffer: UnsafeMutableBufferPointer<T>, op: ReduceOp = .sum) throws -> Request {
        let request = Request()
        try check(
            MPI_Iallreduce(lgmcl_mpi_in_place(), buffer.baseAddress, Int32(buffer.count), T.mpiDatatype, op.mpiOp, comm,
                           &request.handle),
            "MPI_Iallreduce")
        return request
    }

    /// Sums a buffer over ranks in rank order (rank 0 + rank 1 + …) on every rank: the same
    /// floating-point result whatever the network, algorithm or launch. N times the traffic
    /// of an allreduce.
    public func sumInRankOrder<T: MPIScalar>(_ buffer: UnsafeMutableBufferPointer<T>) throws {
        guard size > 1 else { return }
        let count = buffer.count
        var gathered = [T](repeating: .zero, count: count * size)
        try gathered.withUnsafeMutableBytes { receive in
            try check(
                MPI_Allgather(buffer.baseAddress, Int32(count), T.mpiDatatype,
                              receive.baseAddress, Int32(count), T.mpiDatatype, comm),
                "MPI_Allgather")
        }
        for i in 0 ..< count {
            var total: T = .zero
            for r in 0 ..< size { total += gathered[r * count + i] }
            buffer[i] = total
        }
    }

    // MARK: Allgather

    /// Concatenates every rank's `values` in rank order. All ranks pass the same count.
    public func allgather<T: MPIScalar>(_ values: [T]) throws -> [T] {
        var result = [T](repeating: .zero, count: values.count * size)
        try values.withUnsafeBytes { send in
            try result.withUnsafeMutableBytes { receive in
                try check(
                    MPI_Allgather(send.baseAddress, Int32(values.count), T.mpiDatatype,
                                  receive.baseAddress, Int32(values.count), T.mpiDatatype, comm),
                    "MPI_Allgather")
            }
        }
        return result
    }

    /// Concatenates every rank's `values` in rank order when counts differ between ranks;
    /// also returns each rank's count.
    public func allgatherVariable<T: MPIScalar>(_ values: [T]) throws -> (values: [T], counts: [Int]) {
        let counts = try allgather([values.count])
        let displacements = exclusivePrefixSum(counts)
        var result = [T](repeating: .zero, count: counts.reduce(0, +))
        var counts32 = try counts.map(int32)
        var displacements32 = try displacements.map(int32)
        try values.withUnsafeBytes { send in
            try result.withUnsafeMutableBytes { receive in
                try check(
                    MPI_Allgatherv(send.baseAddress, Int32(values.count), T.mpiDatatype,
                                   receive.baseAddress, &counts32, &displacements32, T.mpiDatatype, comm),
                    "MPI_Allgatherv")
            }
        }
        return (result, counts)
    }

    /// Every rank's string, in rank order.
    public func allgather(string: String) throws -> [String] {
        let (bytes, counts) = try allgatherVariable(Array(string.utf8))
        var strings: [String] = []
        var start = 0
        for count in counts {
            strings.append(String(decoding: bytes[start ..< start + count], as: UTF8.self))
            start += count
        }
        return strings
    }

    /// The distinct hosts the ranks run on (MPI processor names), sorted: what a report names as
    /// the machines it measured.
    public func hostNames() throws -> [String] {
        Set(try allgather(string: Environment.processorName)).sorted()
    }

    // MARK: Reduce-scatter

    /// Sums `values` (the same length on every rank) element-wise over ranks and returns to rank r
    /// its block: elements `counts[..<r].sum ..< counts[...r].sum`. Blocks may be uneven.
    public func reduceScatter<T: MPIScalar>(_ values: [T], counts: [Int], op: ReduceOp = .sum) throws -> [T] {
        precondition(counts.count == size, "reduceScatter needs one count per rank")
        precondition(counts.reduce(0, +) == values.count, "reduceScatter counts must add up to the input length")
        var result = [T](repeating: .zero, count: counts[rank])
        var counts32 = try counts.map(int32)
        try values.withUnsafeBytes { send in
            try result.withUnsafeMutableBytes { receive in
                try check(
                    MPI_Reduce_scatter(send.baseAddress, receive.baseAddress, &counts32, T.mpiDatatype, op.mpiOp, comm),
                    "MPI_Reduce_scatter")
            }
        }
        return result
    }

    // MARK: Ending the job

    /// Ends every rank of the job with `code`. Prints `message` from this rank first, because
    /// MPI_Abort's own report does not reliably carry it.
    public func abort(message: String, code: Int32 = 1) -> Never {
        Environment.printError(message, rank: rank, size: size)
        RankErrorLog.finish()  // MPI_Abort ends the process without atexit handlers
        MPI_Abort(comm, code)
        exit(code)
    }
}

/// A non-blocking operation in flight.
public final class Request {
    var handle: MPI_Request? = lgmcl_mpi_request_null()

    /// Blocks until the operation completes.
    public func wait() throws {
        try check(MPI_Wait(&handle, lgmcl_mpi_status_ignore()), "MPI_Wait")
    }

    /// Drives progress and reports completion without blocking.
    public func test() throws -> Bool {
        var flag: Int32 = 0
        try check(MPI_Test(&handle, &flag, lgmcl_mpi_status_ignore()), "MPI_Test")
        return flag != 0
    }
}

func exclusivePrefixSum(_ counts: [Int]) -> [Int] {
    var offsets = [Int](repeating: 0, count: counts.count)
    var total = 0
    for (i, count) in counts.enumerated() {
        offsets[i] = total
        total += count
    }
    return offsets
}

/// MPI counts are C ints; a larger message is an error, not a silent wrap.
func int32(_ value: Int) throws -> Int32 {
    guard let v = Int32(exactly: value) else {
        throw MPIError(function: "count", code: -1, message: "\(value) elements exceed MPI's 32-bit count")
    }
    return v
}
