import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// A transfer that stopped part-way (connection lost, timeout): the bytes received are kept in
/// the partial file so that the next attempt asks only for the rest.
public struct TransferInterrupted: Error, CustomStringConvertible {
    public let url: String
    public let received: Int64
    public let reason: String

    public var description: String { "\(url): interrupted after \(received) bytes (\(reason))" }
}

/// One URL into one file over HTTP(S), resuming a partial file with a Range request.
///
/// A server that ignores Range answers 200 with the whole file, which then replaces the partial
/// one; a 206 must continue exactly where the partial file ends. Anything but 200/206 is an
/// error naming the status, and its body (usually an HTML page) is never written.
///
/// Unchecked Sendable: the delegate's state is touched only on its serial delegate queue, and
/// read by `run` after the task's completion has been signalled.
final class HTTPTransfer: NSObject, URLSessionDataDelegate, @unchecked Sendable {
    let url: URL
    let partial: URL
    let expectedSize: Int64?
    let report: (String) -> Void

    private var output: FileHandle?
    private var offset: Int64 = 0
    private var received: Int64 = 0
    private var announced: Int64 = -1
    private var status = 0
    private var refusal: String?
    private var failure: Error?
    private var progress: DownloadProgress?
    private let finished = DispatchSemaphore(value: 0)

    init(url: URL, partial: URL, expectedSize: Int64?, report: @escaping (String) -> Void) {
        self.url = url
        self.partial = partial
        self.expectedSize = expectedSize
        self.report = report
    }

    /// Fetches the URL into `partial`, appending to what it already holds when the server
    /// allows. Throws ``DownloadError`` for a refusal (status, announced length not delivered)
    /// and ``TransferInterrupted`` when the connection failed part-way.
    func run() throws {
        offset = (try? DownloadedContent.fileSize(partial)) ?? 0
        if !FileManager.default.fileExists(atPath: partial.path) {
            _ = FileManager.default.createFile(atPath: partial.path, contents: nil)
        }
        var request = URLRequest(url: url)
        // A compressed transfer encoding would make Content-Length and Range count other bytes
        // than the file's.
        request.setValue("identity", forHTTPHeaderField: "Accept-Encoding")
        request.setValue("lgmcl/\(LGMCLVersion.string)", forHTTPHeaderField: "User-Agent")
        if offset > 0 { request.setValue("bytes=\(offset)-", forHTTPHeaderField: "Range") }

        let configuration = URLSessionConfiguration.ephemeral
        configuration.timeoutIntervalForRequest = 60
        configuration.timeoutIntervalForResource = 24 * 3600
        let queue = OperationQueue()
        queue.maxConcurrentOperationCount = 1
        let session = URLSession(configuration: configuration, delegate: self, delegateQueue: queue)
        session.dataTask(with: request).resume()
        finished.wait()
        session.finishTasksAndInvalidate()
        try? output?.close()

        if let refusal { throw DownloadError(subject: url.absoluteString, reason: refusal) }
        let total = offset + received
        if let failure {
            throw TransferInterrupted(url: url.absoluteString, received: total, reason: Self.describe(failure))
        }
        if announced >= 0, received != announced {
            throw DownloadError(subject: url.absoluteString, reason: "truncated: the server announced \(announced) bytes and sent \(received)")
        }
        if let progress { report(progress.finish(received: total)) }
    }

    func urlSession(_ session: URLSession, dataTask: URLSessionDataTask, didReceive response: URLResponse,
                    completionHandler: @escaping (URLSession.ResponseDisposition) -> Void) {
        status = (response as? HTTPURLResponse)?.statusCode ?? 0
        let headers = (response as? HTTPURLResponse)?.allHeaderFields ?? [:]
        switch status {
        case 206 where offset > 0:
            let range = headers.first { ($0.key as? String)?.lowercased() == "content-range" }?.value as? String ?? ""
            guard range.hasPrefix("bytes \(offset)-") else {
                refusal = "asked for bytes from \(offset) on, the server sent the range '\(range)'"
                completionHandler(.cancel)
                return
            }
        case 200:
            // The whole file again: what the partial file held is superseded.
            offset = 0
        default:
            let text = HTTPURLResponse.localizedString(forStatusCode: status)
            refusal = "HTTP \(status) (\(text))"
            completionHandler(.cancel)
            return
        }
        guard let handle = FileHandle(forWritingAtPath: partial.path) else {
            refusal = "cannot write \(partial.path)"
            completionHandler(.cancel)
            return
        }
        do {
            try handle.truncate(atOffset: UInt64(offset))
            try handle.seekToEnd()
        } catch {
            refusal = "cannot write \(partial.path): \(error.localizedDescription)"
            completionHandler(.cancel)
            return
        }
        output = handle
        announced = response.expectedContentLength
        let total = expectedSize ?? (announced >= 0 ? offset + announced : nil)
        progress = DownloadProgress(name: url.lastPathComponent, total: total, resumedFrom: offset)
        completionHandler(.allow)
    }

    func urlSession(_ session: URLSession, dataTask: URLSessionDataTask, didReceive data: Data) {
        guard let output, refusal == nil else { return }
        do {
            try output.write(contentsOf: data)
        } catch {
            refusal = "cannot write \(partial.path): \(error.localizedDescription)"
            dataTask.cancel()
            return
        }
        received += Int64(data.count)
        if let line = progress?.update(received: offset + received) { report(line) }
    }

    func urlSession(_ session: URLSession, task: URLSessionTask, didCompleteWithError error: Error?) {
        // A cancelled task is one this delegate refused; the refusal is the news.
        if refusal == nil { failure = error }
        finished.signal()
    }

    static func describe(_ error: Error) -> String {
        let nsError = error as NSError
        return nsError.localizedDescription.isEmpty ? "\(error)" : nsError.localizedDescription
    }
}
