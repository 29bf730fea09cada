import CBLAS
import CHDF5
import CRDKit
import Distributed

/// Versions of the native libraries lgmcl runs on, as each library reports itself.
public enum NativeLibraries {
    public static var rdkit: String { String(cString: crdkit_version()) }

    public static var hdf5: String {
        var major: UInt32 = 0, minor: UInt32 = 0, release: UInt32 = 0
        H5get_libversion(&major, &minor, &release)
        return "\(major).\(minor).\(release)"
    }

    /// OpenBLAS's build configuration, e.g. "OpenBLAS 0.3.21 DYNAMIC_ARCH NO_AFFINITY Haswell MAX_THREADS=64".
    public static var openBLAS: String {
        guard let config = openblas_get_config() else { return "unknown" }
        return String(cString: config).trimmingCharacters(in: .whitespaces)
    }

    public static var openBLASThreads: Int { Int(openblas_get_num_threads()) }

    public static var mpi: String { Environment.libraryVersion }
}
