import Foundation

/// A directory for one test process's files, under the system's temporary directory, removed
/// when the process exits: a test run leaves nothing behind (runs used to leave gigabytes in
/// /tmp). LGMCL_KEEP_SCRATCH=1 keeps them for a look after a failure.
public func scratchDirectory(_ name: String) -> URL {
    let url = URL(fileURLWithPath: NSTemporaryDirectory()).appendingPathComponent(name)
    ScratchRegistry.shared.register(url)
    return url
}

private final class ScratchRegistry: @unchecked Sendable {
    static let shared = ScratchRegistry()
    private let lock = NSLock()
    private var directories: [URL] = []

    private init() {
        guard ProcessInfo.processInfo.environment["LGMCL_KEEP_SCRATCH"] == nil else { return }
        atexit { ScratchRegistry.shared.removeAll() }
    }

    func register(_ url: URL) {
        lock.lock()
        directories.append(url)
        lock.unlock()
    }

    func removeAll() {
        lock.lock()
        defer { lock.unlock() }
        for url in directories { try? FileManager.default.removeItem(at: url) }
    }
}
