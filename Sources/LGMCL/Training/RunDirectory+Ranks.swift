import Distributed
import Foundation

/// What the ranks of a data-parallel run do together with its directory.
extension RunDirectory {
    /// Rank 0 creates the directory; every rank returns once it exists.
    func create(world: Communicator) throws {
        if world.isRoot { try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true) }
        try world.barrier()
    }

    /// A watchdog for this rank that writes its heartbeats here; the trainer starts and stops it.
    func watchdog(world: Communicator, timeout: Double) throws -> Watchdog {
        try Watchdog(directory: heartbeats, rank: world.rank, size: world.size, timeout: timeout)
    }
}
