import LGMCL
import Testing

struct NativeLibrariesTests {
    @Test func versionsComeFromTheLibraries() {
        #expect(NativeLibraries.rdkit.hasPrefix("20"))
        #expect(NativeLibraries.hdf5.split(separator: ".").count == 3)
        #expect(NativeLibraries.openBLAS.contains("OpenBLAS"))
    }
}
