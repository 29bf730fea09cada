import Foundation

/// Writes a directory of files so that it either appears whole or not at all: files go into a
/// temporary sibling, each is fsynced, the directory is renamed into place and its parent
/// fsynced. A crash at any moment leaves either the old state or the new one, plus perhaps a
/// `.tmp-*` sibling that readers ignore.
public enum AtomicDirectory {
    public struct WriteError: Error, CustomStringConvertible {
        public let description: String
    }

    /// Writes `files` (name → contents) as directory `destination`, replacing nothing: the
    /// destination must not exist. `afterFirstFile` runs between files (the fault switch uses it
    /// to kill a writer mid-checkpoint in tests).
    public static func write(_ files: [(name: String, contents: Data)], to destination: URL,
                             afterFirstFile: () -> Void = {}) throws {
        let fm = FileManager.default
        let parent = destination.deletingLastPathComponent()
        try fm.createDirectory(at: parent, withIntermediateDirectories: true)
        let temporary = parent.appendingPathComponent(".tmp-\(destination.lastPathComponent)-\(getpid())")
        try? fm.removeItem(at: temporary)
        try fm.createDirectory(at: temporary, withIntermediateDirectories: false)
        for (index, file) in files.enumerated() {
            try writeSynced(file.contents, to: temporary.appendingPathComponent(file.name))
            if index == 0 { afterFirstFile() }
        }
        try syncDirectory(temporary)
        guard rename(temporary.path, destination.path) == 0 else {
            let reason = String(cString: strerror(errno))
            try? fm.removeItem(at: temporary)
            throw WriteError(description: "cannot move \(temporary.path) to \(destination.path): \(reason)")
        }
        try syncDirectory(parent)
    }

    /// Replaces one file atomically (temporary name, fsync, rename).
    public static func replaceFile(_ url: URL, with contents: Data) throws {
        let temporary = url.deletingLastPathComponent().appendingPathComponent(".\(url.lastPathComponent).tmp-\(getpid())")
        try writeSynced(contents, to: temporary)
        guard rename(temporary.path, url.path) == 0 else {
            throw WriteError(description: "cannot move \(temporary.path) to \(url.path): \(String(cString: strerror(errno)))")
        }
        try syncDirectory(url.deletingLastPathComponent())
    }

    static func writeSynced(_ data: Data, to url: URL) throws {
        let fd = open(url.path, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        guard fd >= 0 else { throw WriteError(description: "cannot create \(url.path): \(String(cString: strerror(errno)))") }
        defer { close(fd) }
        try data.withUnsafeBytes { raw in
            var offset = 0
            while offset < raw.count {
                let written = Glibc.write(fd, raw.baseAddress! + offset, raw.count - offset)
                guard written > 0 else {
                    throw WriteError(description: "cannot write \(url.path): \(String(cString: strerror(errno)))")
                }
                offset += written
            }
        }
        guard fsync(fd) == 0 else { throw WriteError(description: "cannot fsync \(url.path): \(String(cString: strerror(errno)))") }
    }

    static func syncDirectory(_ url: URL) throws {
        let fd = open(url.path, O_RDONLY | O_DIRECTORY)
        guard fd >= 0 else { throw WriteError(description: "cannot open directory \(url.path): \(String(cString: strerror(errno)))") }
        defer { close(fd) }
        fsync(fd)
    }
}
