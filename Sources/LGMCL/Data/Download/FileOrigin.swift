/// How a file of the data directory is made from what upstream publishes.
///
/// In a catalogue JSON this is one of
/// `{"download": FILE}`, `{"archive": FILE, "member": "path/in/archive"}` or
/// `{"llmDescriptions": {"molecules": FILE, "descriptions": FILE, "measuredLabels": {"file": FILE, "column": "name"}}}`
/// where FILE is a ``RemoteFile`` object and `measuredLabels` is optional.
public enum FileOrigin: Codable, Equatable, Sendable {
    /// The upstream file is the file, byte for byte.
    case download(RemoteFile)
    /// A member of a .tar.gz archive, extracted unchanged.
    case archiveMember(archive: RemoteFile, member: String)
    /// The LGM-CL authors' molecules and descriptions joined into one table (``LLMDescriptionTable``).
    case llmDescriptions(LLMDescriptionSources)

    /// Everything to fetch before the file can be made, in order.
    public var sources: [RemoteFile] {
        switch self {
        case .download(let file): [file]
        case .archiveMember(let archive, _): [archive]
        case .llmDescriptions(let sources): [sources.molecules, sources.descriptions] + (sources.measuredLabels.map { [$0.file] } ?? [])
        }
    }

    private enum CodingKeys: String, CodingKey {
        case download, archive, member, llmDescriptions
    }

    public init(from decoder: Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        if let file = try container.decodeIfPresent(RemoteFile.self, forKey: .download) {
            self = .download(file)
        } else if let archive = try container.decodeIfPresent(RemoteFile.self, forKey: .archive) {
            self = .archiveMember(archive: archive, member: try container.decode(String.self, forKey: .member))
        } else if let sources = try container.decodeIfPresent(LLMDescriptionSources.self, forKey: .llmDescriptions) {
            self = .llmDescriptions(sources)
        } else {
            throw DecodingError.dataCorrupted(.init(
                codingPath: decoder.codingPath,
                debugDescription: "an origin needs one of 'download', 'archive' (with 'member') or 'llmDescriptions'"))
        }
    }

    public func encode(to encoder: Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        switch self {
        case .download(let file):
            try container.encode(file, forKey: .download)
        case .archiveMember(let archive, let member):
            try container.encode(archive, forKey: .archive)
            try container.encode(member, forKey: .member)
        case .llmDescriptions(let sources):
            try container.encode(sources, forKey: .llmDescriptions)
        }
    }
}

/// The upstream files ``LLMDescriptionTable`` joins.
public struct LLMDescriptionSources: Codable, Equatable, Sendable {
    /// A CSV of SMILES and label columns (the authors' Process_Datasets file).
    public var molecules: RemoteFile
    /// A CSV of `id,text`, row i describing molecule i (the authors' Process_Text_Datasets file).
    public var descriptions: RemoteFile
    /// Labels to use instead of the molecules file's, looked up by molecule.
    public var measuredLabels: MeasuredLabels?

    public struct MeasuredLabels: Codable, Equatable, Sendable {
        /// A CSV with a `smiles` column and `column`.
        public var file: RemoteFile
        public var column: String

        public init(file: RemoteFile, column: String) {
            self.file = file
            self.column = column
        }
    }

    public init(molecules: RemoteFile, descriptions: RemoteFile, measuredLabels: MeasuredLabels? = nil) {
        self.molecules = molecules
        self.descriptions = descriptions
        self.measuredLabels = measuredLabels
    }
}
