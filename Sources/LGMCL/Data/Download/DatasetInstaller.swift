import Foundation

/// Puts a catalogue dataset's files into a data directory, each checked against its recorded
/// size and SHA-256 before it takes its place.
///
/// A file already there with the right hash is left alone, so a repeated or interrupted
/// download only fetches what is missing. Everything in flight lives in `DIRECTORY/.download`
/// and a file appears under its own name only by a rename after its check, so a reader never
/// sees half a file. When a check fails, nothing of that file is left behind; only a transfer
/// cut off part-way keeps its bytes there, for the next run to resume.
public struct DatasetInstaller {
    public let directory: URL
    /// A local directory laid out like the data directory, copied from instead of the network.
    public let mirror: URL?
    /// Status and progress lines (stderr in the tool).
    public let report: (String) -> Void

    public enum Outcome: Equatable, Sendable {
        case upToDate, installed
    }

    public init(directory: URL, mirror: URL? = nil, report: @escaping (String) -> Void) {
        self.directory = directory
        self.mirror = mirror
        self.report = report
    }

    public var stagingDirectory: URL { directory.appendingPathComponent(".download") }

    /// Where a source is kept while it is fetched and until the file made from it is in place:
    /// one directory per URL, so that two upstream files of the same name never share one, and
    /// the file keeps its upstream name for messages.
    public func stagingFile(for source: RemoteFile) -> URL {
        let key = SHA256Digest.of(Data(source.url.utf8)).prefix(16)
        return stagingDirectory.appendingPathComponent(String(key)).appendingPathComponent(source.fileName)
    }

    public func target(of file: DatasetCatalogue.File) -> URL {
        directory.appendingPathComponent(file.path)
    }

    /// Whether the file is in the data directory with the catalogue's hash.
    public func isInstalled(_ file: DatasetCatalogue.File) -> Bool {
        let url = target(of: file)
        guard FileManager.default.fileExists(atPath: url.path) else { return false }
        return (try? SHA256Digest.ofFile(at: url)) == file.sha256
    }

    @discardableResult
    public func install(_ dataset: DatasetCatalogue.Dataset) throws -> [Outcome] {
        defer { removeStagingIfEmpty() }
        return try dataset.files.map { file in
            if isInstalled(file) {
                report("\(dataset.name): \(file.path) is up to date")
                return .upToDate
            }
            if FileManager.default.fileExists(atPath: target(of: file).path) {
                report("\(dataset.name): \(file.path) differs from the catalogue's; replacing it")
            }
            if let mirror {
                try copy(file, from: mirror)
            } else {
                try make(file)
            }
            report("\(dataset.name): wrote \(file.path) (\(file.sizeDescription), sha256 \(file.sha256))")
            return .installed
        }
    }

    /// The file from a local mirror, checked like a download.
    func copy(_ file: DatasetCatalogue.File, from mirror: URL) throws {
        let source = mirror.appendingPathComponent(file.path)
        guard FileManager.default.fileExists(atPath: source.path) else {
            throw DownloadError(subject: source.path, reason: "not in the mirror \(mirror.path)")
        }
        let temporary = temporaryOutput(for: file)
        do {
            try FileManager.default.createDirectory(at: stagingDirectory, withIntermediateDirectories: true)
            try? FileManager.default.removeItem(at: temporary)
            try FileManager.default.copyItem(at: source, to: temporary)
            try DownloadedContent.verify(temporary, subject: source.path, sha256: file.sha256, size: file.size)
            try place(temporary, as: file)
        } catch {
            try? FileManager.default.removeItem(at: temporary)
            throw error
        }
    }

    /// The file made from its upstream sources.
    func make(_ file: DatasetCatalogue.File) throws {
        let sources = file.origin.sources
        let temporary = temporaryOutput(for: file)
        do {
            let staged = try sources.map(fetch)
            try build(file.origin, from: staged, into: temporary)
            let made = sources.count == 1 && file.origin == .download(sources[0])
                ? sources[0].url
                : "\(file.path) made from \(sources.map(\.url).joined(separator: ", "))"
            try DownloadedContent.verify(temporary, subject: made, sha256: file.sha256, size: file.size)
            try place(temporary, as: file)
            for source in sources { removeStaged(source) }
        } catch let interruption as TransferInterrupted where interruption.received > 0 {
            // Verified sources and the cut-off one stay for the next run; the output does not.
            try? FileManager.default.removeItem(at: temporary)
            throw DownloadError(
                subject: interruption.url,
                reason: "interrupted after \(interruption.received) bytes (\(interruption.reason)); "
                    + "they are kept in \(stagingDirectory.path) and the same command resumes from there")
        } catch {
            try? FileManager.default.removeItem(at: temporary)
            for source in sources { removeStaged(source) }
            if let unreachable = error as? TransferInterrupted {
                throw DownloadError(subject: unreachable.url, reason: "cannot be fetched (\(unreachable.reason))")
            }
            throw error
        }
    }

    /// A source in the staging directory, fetched (or resumed) and checked.
    func fetch(_ source: RemoteFile) throws -> URL {
        let staged = stagingFile(for: source)
        try FileManager.default.createDirectory(at: staged.deletingLastPathComponent(), withIntermediateDirectories: true)
        let existing = (try? DownloadedContent.fileSize(staged)) ?? 0
        if let size = source.size, existing == size,
           (try? DownloadedContent.verify(staged, subject: source.url, sha256: source.sha256, size: size)) != nil {
            return staged
        }
        if existing > 0, source.size.map({ existing >= $0 }) ?? true {
            // Complete but wrong, longer than the file, or of unknown length: nothing to resume.
            try FileManager.default.removeItem(at: staged)
        }
        guard let url = URL(string: source.url), url.scheme != nil else {
            throw DownloadError(subject: source.url, reason: "not a URL")
        }
        report("  fetching \(source.url)")
        try HTTPTransfer(url: url, partial: staged, expectedSize: source.size, report: report).run()
        try DownloadedContent.verify(staged, subject: source.url, sha256: source.sha256, size: source.size)
        return staged
    }

    func build(_ origin: FileOrigin, from staged: [URL], into output: URL) throws {
        try? FileManager.default.removeItem(at: output)
        switch origin {
        case .download:
            try FileManager.default.copyItem(at: staged[0], to: output)
        case .archiveMember(_, let member):
            try TarArchive.extract(member: member, of: staged[0], to: output)
        case .llmDescriptions(let sources):
            let measured = try sources.measuredLabels.map {
                LLMDescriptionTable.MeasuredLabels(table: try CSVTable(contentsOf: staged[2]), column: $0.column)
            }
            let table = try LLMDescriptionTable.joined(molecules: try CSVTable(contentsOf: staged[0]),
                                                       descriptions: try CSVTable(contentsOf: staged[1]),
                                                       measuredLabels: measured)
            try table.write(to: output)
        }
    }

    func temporaryOutput(for file: DatasetCatalogue.File) -> URL {
        stagingDirectory.appendingPathComponent(file.path.replacingOccurrences(of: "/", with: "_") + ".new")
    }

    /// The checked file under its own name, by one rename: it is there whole or not at all.
    func place(_ temporary: URL, as file: DatasetCatalogue.File) throws {
        let destination = target(of: file)
        try FileManager.default.createDirectory(at: destination.deletingLastPathComponent(), withIntermediateDirectories: true)
        guard rename(temporary.path, destination.path) == 0 else {
            throw DownloadError(subject: destination.path, reason: "cannot be written (\(String(cString: strerror(errno))))")
        }
    }

    func removeStaged(_ source: RemoteFile) {
        let staged = stagingFile(for: source)
        try? FileManager.default.removeItem(at: staged)
        try? FileManager.default.removeItem(at: staged.deletingLastPathComponent())
    }

    func removeStagingIfEmpty() {
        let contents = (try? FileManager.default.contentsOfDirectory(atPath: stagingDirectory.path)) ?? []
        if contents.isEmpty { try? FileManager.default.removeItem(at: stagingDirectory) }
    }
}
