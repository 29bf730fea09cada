// swift-tools-version:6.0
import PackageDescription

// RDKit's C++ libraries that CRDKit links (Debian's librdkit-dev, in the default library path).
let rdkitLibraries = [
    "RDKitGraphMol", "RDKitSmilesParse", "RDKitFingerprints", "RDKitReducedGraphs",
    "RDKitDataStructs", "RDKitRDGeneral", "RDKitSubstructMatch", "RDKitDescriptors",
    "RDKitChemTransforms", "RDKitMolStandardize", "RDKitPartialCharges", "RDKitRDGeometryLib",
    "RDKitFileParsers", "RDKitCIPLabeler", "RDKitSubgraphs", "RDKitChemReactions", "RDKitMolDraw2D", "RDKitDepictor",
]

let package = Package(
    name: "lgmcl",
    platforms: [.macOS(.v13)],
    products: [
        .executable(name: "lgmcl-dist", targets: ["lgmcl-dist"]),
        .library(name: "LGMCL", targets: ["LGMCL"]),
        .library(name: "Distributed", targets: ["Distributed"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.0"),
        .package(url: "https://github.com/apple/swift-numerics", from: "1.0.0"),
        .package(url: "https://github.com/yaslab/CSV.swift", from: "2.5.0"),
    ],
    targets: [
        .systemLibrary(name: "CMPI", pkgConfig: "ompi", providers: [.apt(["libopenmpi-dev"])]),
        .systemLibrary(name: "CBLAS", pkgConfig: "openblas", providers: [.apt(["libopenblas-dev"])]),
        .systemLibrary(name: "CHDF5", pkgConfig: "hdf5", providers: [.apt(["libhdf5-dev"])]),
        .systemLibrary(name: "CZlib", providers: [.apt(["zlib1g-dev"])]),
        .systemLibrary(name: "CCrypto", pkgConfig: "libcrypto", providers: [.apt(["libssl-dev"])]),
        .systemLibrary(name: "CMalloc"),
        // Debian's librdkit-dev ships no pkg-config file and keeps its headers under
        // /usr/include/rdkit, so the path is given by hand (-isystem: RDKit's own warnings are not
        // ours). Unsafe flags are allowed in a root package; lgmcl is not meant to be a dependency.
        .target(
            name: "CRDKit",
            cxxSettings: [.unsafeFlags(["-isystem", "/usr/include/rdkit", "-Wno-deprecated-declarations"])],
            linkerSettings: rdkitLibraries.map { .linkedLibrary($0) }
        ),
        // Refuses to start a build on a CPU without the instructions its Swift code was compiled to
        // use (the Makefile's TARGET_CPU), instead of dying of SIGILL mid-run.
        .target(name: "CTargetCPU"),
        // The commit `make build` built from, compiled in (the Makefile's build-info step).
        .target(name: "CBuildInfo"),
        // Matrix products on bfloat16 inputs with Float32 sums (AVX512_BF16), for
        // `--precision bf16-mixed`: Debian's OpenBLAS has no sbgemm. Compiled per function for the
        // instructions it needs, called only after its CPU check.
        .target(name: "CGemmBF16"),
        .target(
            name: "Distributed",
            dependencies: ["CMPI", .product(name: "Logging", package: "swift-log")]
        ),
        .target(
            name: "LGMCL",
            dependencies: [
                "Distributed", "CBLAS", "CHDF5", "CZlib", "CRDKit", "CCrypto", "CTargetCPU", "CBuildInfo", "CGemmBF16",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "CSV", package: "CSV.swift"),
            ]
            // Preconditions stay on in release: the joint and text steps are as fast with them as
            // with -Ounchecked (docs/benchmarks-checks.md), and a shape bug then stops with a
            // message instead of corrupting memory.
        ),
        .executableTarget(
            name: "lgmcl-dist",
            dependencies: [
                "LGMCL", "Distributed", "CZlib", "CMalloc",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        // Launched under mpirun by the multi-rank tests: one case per collective and failure mode.
        .executableTarget(name: "mpi-checks", dependencies: ["Distributed"]),
        // Timing of the models for scripts/bench_models.py (docs/benchmarks-models.md).
        .executableTarget(name: "model-bench", dependencies: ["LGMCL"]),
        // Launching build products (under mpirun, with deadlines) and finding the repository's data/.
        .target(name: "TestSupport", path: "Tests/TestSupport"),
        .testTarget(
            name: "DistributedTests",
            dependencies: ["Distributed", "TestSupport", "mpi-checks", "lgmcl-dist"]
        ),
        .testTarget(
            name: "LGMCLTests",
            dependencies: [
                "LGMCL", "TestSupport", "lgmcl-dist", "CZlib",
                .product(name: "Numerics", package: "swift-numerics"),
            ],
            exclude: ["Fixtures"]
        ),
    ],
    swiftLanguageModes: [.v5],
    cxxLanguageStandard: .cxx17
)
