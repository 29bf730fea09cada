import Distributed
import Foundation

/// Prints a line on rank 0 only, flushed at once: under mpirun stdout is a pipe, and buffered
/// lines would reach the terminal only when the job ends.
func rootPrinter(_ world: Communicator) -> (String) -> Void {
    { line in
        guard world.isRoot else { return }
        print(line)
        fflush(stdout)
    }
}
