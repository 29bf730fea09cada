import CBLAS
import Foundation

/// The OpenBLAS library every matrix product runs on, as it reports itself.
public enum OpenBLAS {
    /// The build configuration, e.g. "OpenBLAS 0.3.21 DYNAMIC_ARCH NO_AFFINITY Haswell MAX_THREADS=64".
    public static var configuration: String {
        guard let configuration = openblas_get_config() else { return "unknown" }
        return String(cString: configuration).trimmingCharacters(in: .whitespaces)
    }

    /// The kernel family in use, e.g. "Haswell", "Cooperlake": chosen for the CPU, or the one
    /// `OPENBLAS_CORETYPE` forces.
    public static var coreName: String { String(cString: openblas_get_corename()) }

    public static var threadCount: Int { Int(openblas_get_num_threads()) }
}
