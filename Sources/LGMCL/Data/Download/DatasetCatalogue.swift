import Foundation

/// The datasets `lgmcl-dist datasets download` can install: for each, the files it puts in the
/// data directory, what each must hash to, and how each is made from upstream.
///
/// The real catalogue is ``standard``; a JSON file of the same shape (``init(contentsOf:)``)
/// replaces it, e.g. to fetch from a local server or a fork.
public struct DatasetCatalogue: Codable, Equatable, Sendable {
    public var datasets: [Dataset]

    public init(datasets: [Dataset]) {
        self.datasets = datasets
    }

    public init(contentsOf url: URL) throws {
        let data: Data
        do { data = try Data(contentsOf: url) } catch {
            throw DownloadError(subject: url.path, reason: "cannot read the catalogue (\(error.localizedDescription))")
        }
        do { self = try JSONDecoder().decode(Self.self, from: data) } catch {
            throw DownloadError(subject: url.path, reason: "not a dataset catalogue: \(error)")
        }
    }

    public var names: [String] { datasets.map(\.name) }

    public func dataset(named name: String) throws -> Dataset {
        guard let dataset = datasets.first(where: { $0.name == name }) else {
            throw DownloadError(subject: name, reason: "no such dataset; the catalogue has \(names.joined(separator: ", "))")
        }
        return dataset
    }

    public func jsonData() throws -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        return try encoder.encode(self)
    }

    public struct Dataset: Codable, Equatable, Sendable {
        public var name: String
        public var summary: String
        public var files: [File]

        public init(name: String, summary: String, files: [File]) {
            self.name = name
            self.summary = summary
            self.files = files
        }
    }

    /// One file of the data directory: checked by its own size and hash whatever it is made from.
    public struct File: Codable, Equatable, Sendable {
        /// Relative to the data directory, e.g. `pretrain/moses_train.csv.gz`.
        public var path: String
        public var sha256: String
        public var size: Int64
        public var origin: FileOrigin

        public init(path: String, sha256: String, size: Int64, origin: FileOrigin) {
            self.path = path
            self.sha256 = sha256
            self.size = size
            self.origin = origin
        }

        /// The size as people read it (decimal units, as PyPI shows sizes).
        public var sizeDescription: String { DownloadProgress.bytes(size) }
    }
}
