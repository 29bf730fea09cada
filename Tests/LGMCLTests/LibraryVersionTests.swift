import LGMCL
import Testing

/// Each native library's version comes from the library, through the wrapper that owns it.
struct LibraryVersionTests {
    @Test func versionsComeFromTheLibraries() {
        #expect(RDKit.version.hasPrefix("20"))
        #expect(HDF5.version.split(separator: ".").count == 3)
        #expect(OpenBLAS.configuration.contains("OpenBLAS"))
        #expect(!OpenBLAS.coreName.isEmpty && OpenBLAS.threadCount >= 1)
    }
}
