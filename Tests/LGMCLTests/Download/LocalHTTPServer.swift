import Foundation
#if canImport(Glibc)
import Glibc
#endif
import TestSupport

/// Python's http.server on 127.0.0.1, serving a directory the test fills: a real HTTP server
/// (status codes, Content-Length, connection handling) for the downloader, without the network.
/// It ignores Range requests and answers 200 with the whole file, as some servers do.
final class LocalHTTPServer {
    let process: LaunchedProcess
    let port: UInt16

    init(serving directory: URL) throws {
        var lastOutput = ""
        // A port found free can be taken before the server binds it; another one is tried.
        for _ in 0 ..< 5 {
            let port = try Self.freePort()
            let process = try start("/usr/bin/python3", ["-m", "http.server", "--bind", "127.0.0.1", "\(port)", "--directory", directory.path])
            let deadline = Date().addingTimeInterval(15)
            while process.isRunning, Date() < deadline {
                if Self.accepts(port) {
                    self.process = process
                    self.port = port
                    return
                }
                usleep(50_000)
            }
            lastOutput = process.stderr
            process.signal(SIGKILL)
            _ = process.wait(timeout: 5)
        }
        throw NSError(domain: "LocalHTTPServer", code: 1, userInfo: [NSLocalizedDescriptionKey: "http.server did not start: \(lastOutput)"])
    }

    deinit { stop() }

    func url(_ path: String) -> String { "http://127.0.0.1:\(port)/\(path)" }

    /// Requests the server has logged for `path` (one line per GET on stderr).
    func requests(for path: String) -> Int {
        process.stderr.components(separatedBy: "\n").filter { $0.contains("\"GET /\(path) ") }.count
    }

    func stop() {
        guard process.isRunning else { return }
        process.signal(SIGTERM)
        _ = process.wait(timeout: 5)
    }

    static func freePort() throws -> UInt16 {
        let socket = Glibc.socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard socket >= 0 else { throw NSError(domain: "socket", code: Int(errno)) }
        defer { close(socket) }
        var address = loopback(port: 0)
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(socket, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard bound == 0 else { throw NSError(domain: "bind", code: Int(errno)) }
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(socket, $0, &length) }
        }
        return UInt16(bigEndian: address.sin_port)
    }

    static func accepts(_ port: UInt16) -> Bool {
        let socket = Glibc.socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard socket >= 0 else { return false }
        defer { close(socket) }
        var address = loopback(port: port)
        return withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(socket, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        } == 0
    }

    static func loopback(port: UInt16) -> sockaddr_in {
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = port.bigEndian
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        return address
    }
}
