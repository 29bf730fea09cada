import Foundation
import LGMCL
import Testing
import TestSupport

/// `lgmcl-dist datasets download` as a user runs it, against a real HTTP server on 127.0.0.1
/// serving files the test writes, through a catalogue JSON (--catalogue) pointing there.
@Suite(.serialized)
struct DatasetDownloadTests {
    /// A served directory, a data directory to fill, and the server; removed at the end.
    final class Site {
        let root: URL
        let served: URL
        let data: URL
        let server: LocalHTTPServer

        init() throws {
            root = FileManager.default.temporaryDirectory.appendingPathComponent("lgmcl-download-\(UUID().uuidString)")
            served = root.appendingPathComponent("served")
            data = root.appendingPathComponent("data")
            try FileManager.default.createDirectory(at: served, withIntermediateDirectories: true)
            server = try LocalHTTPServer(serving: served)
        }

        deinit {
            server.stop()
            try? FileManager.default.removeItem(at: root)
        }

        /// Serves `contents` at `path` and returns its catalogue entry (its own hash and size
        /// unless the test says otherwise).
        @discardableResult
        func serve(_ path: String, _ contents: Data) throws -> RemoteFile {
            let url = served.appendingPathComponent(path)
            try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
            try contents.write(to: url)
            return RemoteFile(url: server.url(path), sha256: SHA256Digest.of(contents), size: Int64(contents.count))
        }

        func download(_ dataset: DatasetCatalogue.Dataset, _ extra: [String] = []) throws -> ProcessResult {
            let catalogue = root.appendingPathComponent("catalogue.json")
            try DatasetCatalogue(datasets: [dataset]).jsonData().write(to: catalogue)
            return try run(productPath("lgmcl-dist"),
                           ["datasets", "download", dataset.name, "--to", data.path, "--catalogue", catalogue.path] + extra,
                           timeout: 120)
        }

        /// Every file under the data directory, hidden ones (transfers in flight) included.
        var dataFiles: [String] {
            guard let walker = FileManager.default.enumerator(at: data, includingPropertiesForKeys: [.isRegularFileKey]) else { return [] }
            let prefix = data.resolvingSymlinksInPath().path + "/"
            return walker.compactMap { $0 as? URL }
                .filter { (try? $0.resourceValues(forKeys: [.isRegularFileKey]).isRegularFile) == true }
                .map { $0.resolvingSymlinksInPath().path.replacingOccurrences(of: prefix, with: "") }
                .sorted()
        }
    }

    static let table = Data("smiles,y\nCCO,1\nc1ccccc1,0\nCC(=O)O,1\n".utf8)

    static func plain(_ source: RemoteFile, sha256: String = SHA256Digest.of(table), size: Int64 = Int64(table.count)) -> DatasetCatalogue.Dataset {
        DatasetCatalogue.Dataset(name: "toy", summary: "a small table",
                                 files: [.init(path: "toy/table.csv", sha256: sha256, size: size, origin: .download(source))])
    }

    @Test func aDownloadIsCheckedAndRenamedIntoPlace() throws {
        let site = try Site()
        let source = try site.serve("sets/table.csv", Self.table)
        let result = try site.download(Self.plain(source))
        #expect(result.status == 0, "\(result.output)")
        #expect(try Data(contentsOf: site.data.appendingPathComponent("toy/table.csv")) == Self.table)
        #expect(site.dataFiles == ["toy/table.csv"])
        // The progress line: bytes of the total, and a rate.
        let size = Self.table.count
        #expect(result.stderr.contains("table.csv: \(size) B of \(size) B (100%), "), "\(result.stderr)")
        #expect(result.stderr.contains(" B/s") || result.stderr.contains("B/s"), "\(result.stderr)")
        #expect(result.stderr.contains("toy: wrote toy/table.csv"))
    }

    /// Running again fetches nothing that is already there with its hash; a partial file left
    /// by an interrupted run is resumed, or replaced when the server sends the whole file.
    @Test func aRepeatedDownloadFetchesOnlyWhatIsMissing() throws {
        let site = try Site()
        let source = try site.serve("sets/table.csv", Self.table)
        let dataset = Self.plain(source)
        #expect(try site.download(dataset).status == 0)
        let again = try site.download(dataset)
        #expect(again.status == 0, "\(again.output)")
        #expect(again.stderr.contains("toy/table.csv is up to date"), "\(again.stderr)")
        #expect(site.server.requests(for: "sets/table.csv") == 1, "\(site.server.process.stderr)")

        // An interrupted transfer's bytes, where the installer keeps them.
        try FileManager.default.removeItem(at: site.data.appendingPathComponent("toy/table.csv"))
        let staged = DatasetInstaller(directory: site.data, report: { _ in }).stagingFile(for: source)
        for partial in [Self.table.prefix(9), Data("garbage".utf8)] {
            try FileManager.default.createDirectory(at: staged.deletingLastPathComponent(), withIntermediateDirectories: true)
            try Data(partial).write(to: staged)
            let resumed = try site.download(dataset)
            #expect(resumed.status == 0, "\(resumed.output)")
            #expect(try Data(contentsOf: site.data.appendingPathComponent("toy/table.csv")) == Self.table)
            #expect(site.dataFiles == ["toy/table.csv"])
            try FileManager.default.removeItem(at: site.data.appendingPathComponent("toy/table.csv"))
        }
    }

    @Test func aMirrorIsCopiedAndCheckedLikeADownload() throws {
        let site = try Site()
        let mirror = site.root.appendingPathComponent("mirror")
        try FileManager.default.createDirectory(at: mirror.appendingPathComponent("toy"), withIntermediateDirectories: true)
        try Self.table.write(to: mirror.appendingPathComponent("toy/table.csv"))
        // The URL is never asked for: nothing is served.
        let dataset = Self.plain(RemoteFile(url: site.server.url("nowhere.csv")))
        let copied = try site.download(dataset, ["--mirror", mirror.path])
        #expect(copied.status == 0, "\(copied.output)")
        #expect(try Data(contentsOf: site.data.appendingPathComponent("toy/table.csv")) == Self.table)
        #expect(site.server.requests(for: "nowhere.csv") == 0)

        try FileManager.default.removeItem(at: site.data)
        try Data("smiles,y\nCCO,0\nc1ccccc1,0\nCC(=O)O,0\n".utf8).write(to: mirror.appendingPathComponent("toy/table.csv"))
        let altered = try site.download(dataset, ["--mirror", mirror.path])
        #expect(altered.status != 0)
        #expect(altered.stderr.contains("\(mirror.path)/toy/table.csv: wrong checksum"), "\(altered.stderr)")
        #expect(site.dataFiles == [])

        let empty = site.root.appendingPathComponent("empty-mirror")
        let missing = try site.download(dataset, ["--mirror", empty.path])
        #expect(missing.status != 0)
        #expect(missing.stderr.contains("\(empty.path)/toy/table.csv: not in the mirror"), "\(missing.stderr)")
        #expect(site.dataFiles == [])
    }

    /// The pretraining corpus's shape: a gzip file inside a .tar.gz, taken out byte for byte and
    /// checked against the archive's hash and its own.
    @Test func anArchiveMemberIsExtractedUnchanged() throws {
        let site = try Site()
        let package = site.root.appendingPathComponent("package")
        let member = package.appendingPathComponent("pkg-1.0/data/train.csv.gz")
        try FileManager.default.createDirectory(at: member.deletingLastPathComponent(), withIntermediateDirectories: true)
        let plain = site.root.appendingPathComponent("train.csv")
        try Self.table.write(to: plain)
        let gzip = try run("/bin/sh", ["-c", "gzip -9 -n -c '\(plain.path)' > '\(member.path)'"])
        #expect(gzip.status == 0, "\(gzip.output)")
        let archive = site.served.appendingPathComponent("pkg-1.0.tar.gz")
        let tar = try run("/bin/tar", ["-czf", archive.path, "-C", package.path, "pkg-1.0"])
        #expect(tar.status == 0, "\(tar.output)")
        let memberBytes = try Data(contentsOf: member)
        let archiveBytes = try Data(contentsOf: archive)

        let dataset = DatasetCatalogue.Dataset(name: "corpus", summary: "a packaged corpus", files: [
            .init(path: "pretrain/train.csv.gz", sha256: SHA256Digest.of(memberBytes), size: Int64(memberBytes.count),
                  origin: .archiveMember(archive: RemoteFile(url: site.server.url("pkg-1.0.tar.gz"), sha256: SHA256Digest.of(archiveBytes),
                                                             size: Int64(archiveBytes.count)),
                                         member: "pkg-1.0/data/train.csv.gz")),
        ])
        let result = try site.download(dataset)
        #expect(result.status == 0, "\(result.output)")
        #expect(try Data(contentsOf: site.data.appendingPathComponent("pretrain/train.csv.gz")) == memberBytes)
        #expect(site.dataFiles == ["pretrain/train.csv.gz"])

        // A member the archive does not have: the error names it, and the archive is not kept.
        var wrongMember = dataset
        wrongMember.files[0].path = "pretrain/other.csv.gz"
        wrongMember.files[0].origin = .archiveMember(archive: dataset.files[0].origin.sources[0], member: "pkg-1.0/data/other.csv.gz")
        let missing = try site.download(wrongMember)
        #expect(missing.status != 0)
        #expect(missing.stderr.contains("no member pkg-1.0/data/other.csv.gz"), "\(missing.stderr)")
        #expect(site.dataFiles == ["pretrain/train.csv.gz"])
    }

    /// The LLM-text shape: two upstream files and a measured-label file joined into one table.
    @Test func llmDescriptionsAreJoinedFromTheirSources() throws {
        let site = try Site()
        let molecules = try site.serve("repo/Process_Datasets/TOY.csv", Data("smiles,predicted\r\nCCO ,0.1\r\nc1ccccc1,0.2\r\n".utf8))
        let descriptions = try site.serve("repo/Process_Text_Datasets/TOY_text.csv",
                                          Data("id,text\r\n1,\"\n  \"\"size\"\": \"\"small\"\"\n  ,\n\"\r\n2,\"\n  \"\"size\"\":  \"\"medium\"\"\n\"\r\n".utf8))
        let measured = try site.serve("other/toy.csv", Data("smiles,measured\nOCC,-0.5\nc1ccccc1,-2.1\n".utf8))
        let expected = Data("smiles,measured,description\r\nCCO,-0.5,\"\"\"size\"\": \"\"small\"\" ,\"\r\nc1ccccc1,-2.1,\"\"\"size\"\": \"\"medium\"\"\"\r\n".utf8)
        let dataset = DatasetCatalogue.Dataset(name: "toy-text", summary: "described molecules", files: [
            .init(path: "llm_text/toy_llm.csv", sha256: SHA256Digest.of(expected), size: Int64(expected.count),
                  origin: .llmDescriptions(LLMDescriptionSources(molecules: molecules, descriptions: descriptions,
                                                                 measuredLabels: .init(file: measured, column: "measured")))),
        ])
        let result = try site.download(dataset)
        #expect(result.status == 0, "\(result.output)")
        #expect(try Data(contentsOf: site.data.appendingPathComponent("llm_text/toy_llm.csv")) == expected)
        #expect(site.dataFiles == ["llm_text/toy_llm.csv"])
    }

    /// What a server can give instead of the file; each must stop the command with the URL and
    /// the reason, and leave nothing in the data directory.
    enum Failure: String, CaseIterable, Sendable {
        case wrongChecksum, htmlPage, lfsPointer, truncated, notFound, wrongOutput
    }

    @Test(arguments: Failure.allCases)
    func aBadDownloadStopsWithTheReasonAndLeavesNoFile(_ failure: Failure) throws {
        let site = try Site()
        let path = "sets/table.csv"
        var source = RemoteFile(url: site.server.url(path), sha256: SHA256Digest.of(Self.table), size: Int64(Self.table.count))
        var fileHash = SHA256Digest.of(Self.table)
        let reason: String
        switch failure {
        case .wrongChecksum:
            // Same length, one label changed: only the hash can tell.
            try site.serve(path, Data("smiles,y\nCCO,0\nc1ccccc1,0\nCC(=O)O,1\n".utf8))
            reason = "wrong checksum: SHA-256 "
        case .htmlPage:
            try site.serve(path, Data("<!DOCTYPE html>\n<html><body>Sign in to continue</body></html>\n".utf8))
            reason = "is an HTML page"
        case .lfsPointer:
            try site.serve(path, Data("version https://git-lfs.github.com/spec/v1\noid sha256:\(fileHash)\nsize \(Self.table.count)\n".utf8))
            reason = "is a Git LFS pointer file"
        case .truncated:
            try site.serve(path, Self.table.prefix(20))
            reason = "truncated: 20 bytes of the expected \(Self.table.count)"
        case .notFound:
            reason = "HTTP 404"
        case .wrongOutput:
            // Upstream unchecked (as when its bytes cannot be known), the file made from it is.
            try site.serve(path, Self.table)
            source = RemoteFile(url: source.url)
            fileHash = String(repeating: "0", count: 64)
            reason = "wrong checksum"
        }
        let result = try site.download(Self.plain(source, sha256: fileHash))
        #expect(result.status != 0)
        #expect(result.stderr.contains("\(site.server.url(path)): \(reason)"), "\(result.stderr)")
        #expect(site.dataFiles == [], "\(site.dataFiles)")
    }

    @Test func anUnknownDatasetIsNamedWithTheOnesThereAre() throws {
        let result = try run(productPath("lgmcl-dist"), ["datasets", "download", "zinc", "--to", "/nonexistent"])
        #expect(result.status != 0)
        #expect(result.stderr.contains("zinc: no such dataset; the catalogue has moleculenet, moses, llm-text"), "\(result.stderr)")
    }
}
