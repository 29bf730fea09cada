import CZlib
import Foundation

/// Where training stands: enough, with the keyed randomness of docs/design.md (Randomness), to continue exactly.
public struct TrainingPosition: Codable, Sendable, Equatable {
    public var step: Int
    public var epoch: Int
    /// Global batches of `epoch` already consumed.
    public var batchInEpoch: Int

    public init(step: Int, epoch: Int, batchInEpoch: Int) {
        self.step = step
        self.epoch = epoch
        self.batchInEpoch = batchInEpoch
    }
}

/// What produced a checkpoint (docs/design.md, Weights and checkpoints): versions, configuration, vocabulary and
/// the launch shape, plus every file's size and CRC-32 so a torn or truncated checkpoint is
/// recognised and skipped.
public struct CheckpointManifest: Codable, Sendable {
    public struct FileEntry: Codable, Sendable, Equatable {
        public var name: String
        public var bytes: Int
        public var crc32: UInt32
    }

    public var lgmclVersion = LGMCLVersion.string
    public var gitCommit = BuildInfo.gitCommit
    public var rdkitVersion = RDKit.version
    public var stage: String
    public var preset: String
    public var vocabularySHA256: String?
    public var ranks: Int
    public var globalBatch: Int
    public var seed: UInt64
    public var position: TrainingPosition
    /// The ranks' numerics when the checkpoint was written (nil in checkpoints of earlier
    /// builds): a resume elsewhere continues correctly, but byte-identity with an uninterrupted
    /// run needs the same canaries.
    public var numerics: [NumericEnvironment.Group]?
    public var files: [FileEntry] = []
    public var created = ISO8601DateFormatter().string(from: Date())

    public init(stage: String, preset: String, vocabularySHA256: String?, ranks: Int, globalBatch: Int,
                seed: UInt64, position: TrainingPosition, numerics: [NumericEnvironment.Group]? = nil) {
        self.numerics = numerics
        self.stage = stage
        self.preset = preset
        self.vocabularySHA256 = vocabularySHA256
        self.ranks = ranks
        self.globalBatch = globalBatch
        self.seed = seed
        self.position = position
    }
}

/// A checkpoint read back and verified.
public struct Checkpoint: Sendable {
    public let directory: URL
    public let manifest: CheckpointManifest

    public func contents(of name: String) throws -> Data {
        try Data(contentsOf: directory.appendingPathComponent(name))
    }
}

/// Numbered checkpoints under `RUN/checkpoints/step-NNNNNNNN/`, each written atomically with its
/// manifest last-listed, so `newest()` only ever returns a checkpoint that loads.
public struct CheckpointStore: Sendable {
    public let directory: URL
    public var keep: Int

    public init(runDirectory: URL, keep: Int = 3) {
        directory = runDirectory.appendingPathComponent("checkpoints")
        self.keep = keep
    }

    public struct CheckpointError: Error, CustomStringConvertible {
        public let description: String
    }

    /// Writes `files` and the manifest as checkpoint `position.step`; then removes all but the
    /// newest `keep` checkpoints.
    @discardableResult
    public func save(_ files: [(name: String, contents: Data)], manifest: CheckpointManifest,
                     afterFirstFile: () -> Void = {}) throws -> URL {
        var manifest = manifest
        manifest.files = files.map { .init(name: $0.name, bytes: $0.contents.count, crc32: crc($0.contents)) }
        let manifestData = try JSONEncoder.pretty.encode(manifest)
        let destination = directory.appendingPathComponent(name(step: manifest.position.step))
        if FileManager.default.fileExists(atPath: destination.path) {
            // The same step saved again (e.g. a final save right after a periodic one).
            try FileManager.default.removeItem(at: destination)
        }
        try AtomicDirectory.write(files + [("manifest.json", manifestData)], to: destination, afterFirstFile: afterFirstFile)
        try prune()
        return destination
    }

    /// The newest checkpoint whose files are all present with the sizes and checksums its
    /// manifest lists. Damaged ones are reported through `skipped` and passed over.
    public func newest(skipped: (String) -> Void = { _ in }) -> Checkpoint? {
        for candidate in stepDirectories().reversed() {
            do {
                return try verify(candidate)
            } catch {
                skipped("\(candidate.lastPathComponent): \(error)")
            }
        }
        return nil
    }

    public func verify(_ candidate: URL) throws -> Checkpoint {
        let manifestURL = candidate.appendingPathComponent("manifest.json")
        guard let data = try? Data(contentsOf: manifestURL) else {
            throw CheckpointError(description: "no manifest.json")
        }
        let manifest: CheckpointManifest
        do {
            manifest = try JSONDecoder().decode(CheckpointManifest.self, from: data)
        } catch {
            throw CheckpointError(description: "manifest.json does not decode: \(error)")
        }
        for entry in manifest.files {
            guard let contents = try? Data(contentsOf: candidate.appendingPathComponent(entry.name)) else {
                throw CheckpointError(description: "\(entry.name) is missing")
            }
            guard contents.count == entry.bytes, crc(contents) == entry.crc32 else {
                throw CheckpointError(description: "\(entry.name) is damaged (\(contents.count) bytes, expected \(entry.bytes))")
            }
        }
        return Checkpoint(directory: candidate, manifest: manifest)
    }

    func name(step: Int) -> String { "step-" + String(repeating: "0", count: max(0, 8 - String(step).count)) + String(step) }

    func stepDirectories() -> [URL] {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: directory.path)) ?? []
        return names.filter { $0.hasPrefix("step-") }.sorted().map { directory.appendingPathComponent($0) }
    }

    func prune() throws {
        let all = stepDirectories()
        for old in all.dropLast(keep) { try FileManager.default.removeItem(at: old) }
        // Leftovers of writers killed mid-checkpoint.
        let names = (try? FileManager.default.contentsOfDirectory(atPath: directory.path)) ?? []
        for leftover in names where leftover.hasPrefix(".tmp-") && !leftover.hasSuffix("-\(getpid())") {
            try? FileManager.default.removeItem(at: directory.appendingPathComponent(leftover))
        }
    }
}

func crc(_ data: Data) -> UInt32 {
    data.withUnsafeBytes { raw -> UInt32 in
        var value = crc32(0, nil, 0)
        var offset = 0
        // zlib's length is a uInt: feed large files in pieces.
        while offset < raw.count {
            let length = min(raw.count - offset, 1 << 30)
            value = crc32(value, raw.baseAddress!.assumingMemoryBound(to: Bytef.self) + offset, uInt(length))
            offset += length
        }
        return UInt32(value)
    }
}
