import Foundation
import LGMCL
import Testing
import TestSupport

/// The built-in catalogue against what the repository commits, and its JSON form (what
/// --catalogue reads and `datasets list --json` prints).
struct StandardCatalogueTests {
    /// data/moleculenet is the catalogue's moleculenet dataset, byte for byte: downloading it
    /// into the repository changes nothing.
    @Test func theCommittedMoleculeNetSetsAreTheCataloguesFiles() throws {
        let installer = DatasetInstaller(directory: repositoryData, report: { _ in })
        let moleculeNet = try DatasetCatalogue.standard.dataset(named: "moleculenet")
        #expect(moleculeNet.files.map(\.path) == BenchmarkDataset.moleculeNetNames.sorted().map { "moleculenet/\($0).csv" })
        for file in moleculeNet.files {
            #expect(installer.isInstalled(file), "\(file.path)")
        }
    }

    /// The paths are the ones `benchmark moleculenet --data-dir` reads.
    @Test func downloadedFilesLandWhereTheBenchmarkReadsThem() throws {
        let catalogue = DatasetCatalogue.standard
        #expect(catalogue.names == ["moleculenet", "moses", "llm-text"])
        let llmPaths = try catalogue.dataset(named: "llm-text").files.map(\.path)
        let directory = URL(fileURLWithPath: "/data")
        let expected = BenchmarkDataset.moleculeNetNames.compactMap {
            BenchmarkDataset.moleculeNet($0, dataDirectory: directory)?.llmText?.file.path.replacingOccurrences(of: "/data/", with: "")
        }
        #expect(Set(llmPaths) == Set(expected))
        #expect(try catalogue.dataset(named: "moses").files.map(\.path) == ["pretrain/moses_train.csv.gz"])
    }

    @Test func theCatalogueReadsBackFromItsJSON() throws {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("lgmcl-catalogue-\(UUID().uuidString).json")
        defer { try? FileManager.default.removeItem(at: url) }
        try DatasetCatalogue.standard.jsonData().write(to: url)
        #expect(try DatasetCatalogue(contentsOf: url) == DatasetCatalogue.standard)

        let printed = try run(productPath("lgmcl-dist"), ["datasets", "list", "--json"])
        #expect(printed.status == 0, "\(printed.output)")
        #expect(try JSONDecoder().decode(DatasetCatalogue.self, from: Data(printed.stdout.utf8)) == DatasetCatalogue.standard)
    }

    @Test func listSaysWhatIsPresentAndWhatIsMissing() throws {
        let result = try run(productPath("lgmcl-dist"), ["datasets", "list", "--to", repositoryData.path])
        #expect(result.status == 0, "\(result.output)")
        #expect(result.stdout.contains("\(repositoryData.path)/moleculenet/bbbp.csv  111.3 kB  present"), "\(result.stdout)")
        let empty = try run(productPath("lgmcl-dist"), ["datasets", "list", "--to", "/nonexistent"])
        #expect(empty.stdout.contains("/nonexistent/pretrain/moses_train.csv.gz  10.2 MB  missing"), "\(empty.stdout)")
    }
}
