import CZlib
import Foundation

/// A file read through zlib's inflate: gzip-compressed files (recognised by their magic bytes,
/// several concatenated members too) are decompressed, plain files pass through. A truncated or
/// corrupt file is a stream error naming the file, never a silently shorter input — zlib's gz*
/// functions do not report a stream cut short, so inflate is driven directly.
final class GzipInputStream: InputStream {
    let path: String
    private var file: UnsafeMutablePointer<FILE>?
    private var status: Stream.Status = .notOpen
    private var error: Error?

    private var compressed = false
    private var zstream = z_stream()
    /// Whether a gzip member has started and not yet reached its end marker.
    private var memberOpen = false
    private let capacity = 1 << 18
    private let input: UnsafeMutablePointer<UInt8>
    /// Decompressed bytes not yet handed out: `hasBytesAvailable` must be exact (the CSV reader
    /// takes "available" as a promise), so the end is found by reading ahead.
    private let output: UnsafeMutablePointer<UInt8>
    private var outputStart = 0
    private var outputEnd = 0

    init(path: String) {
        self.path = path
        input = .allocate(capacity: capacity)
        output = .allocate(capacity: capacity)
        super.init(data: Data())
    }

    deinit {
        close()
        input.deallocate()
        output.deallocate()
    }

    override func open() {
        guard status == .notOpen else { return }
        guard let handle = fopen(path, "rb") else {
            fail("cannot open: \(String(cString: strerror(errno)))")
            return
        }
        file = handle
        status = .open
        let count = fread(input, 1, capacity, handle)
        zstream.next_in = input
        zstream.avail_in = UInt32(count)
        if count >= 2, input[0] == 0x1F, input[1] == 0x8B {
            compressed = true
            // 15 + 16: a gzip wrapper with the largest window.
            guard inflateInit2_(&zstream, 15 + 16, zlibVersion(), Int32(MemoryLayout<z_stream>.size)) == Z_OK else {
                fail("cannot start zlib")
                return
            }
            memberOpen = true
        } else {
            memcpy(output, input, count)
            outputEnd = count
        }
    }

    override func close() {
        if let file { fclose(file) }
        if compressed { inflateEnd(&zstream) }
        compressed = false
        file = nil
        if status != .error { status = .closed }
    }

    override var streamStatus: Stream.Status { status }
    override var streamError: Error? { error }

    override var hasBytesAvailable: Bool {
        if outputStart == outputEnd, status == .open { fill() }
        // After an error, claim bytes so that the reader calls `read` and sees the failure.
        return outputStart < outputEnd || status == .error
    }

    override func read(_ buffer: UnsafeMutablePointer<UInt8>, maxLength: Int) -> Int {
        if outputStart == outputEnd, status == .open { fill() }
        if status == .error { return -1 }
        let count = min(maxLength, outputEnd - outputStart)
        buffer.update(from: output + outputStart, count: count)
        outputStart += count
        return count
    }

    private func fill() {
        guard let file else { return }
        outputStart = 0
        outputEnd = 0
        guard compressed else {
            outputEnd = fread(output, 1, capacity, file)
            if outputEnd == 0 { ferror(file) != 0 ? fail("read error") : (status = .atEnd) }
            return
        }
        zstream.next_out = output
        zstream.avail_out = UInt32(capacity)
        while zstream.avail_out == UInt32(capacity) {
            if zstream.avail_in == 0 {
                let count = fread(input, 1, capacity, file)
                if count == 0 {
                    if ferror(file) != 0 { fail("read error") }
                    else if memberOpen { fail("the gzip stream ends early: the file is truncated") }
                    else { status = .atEnd }
                    return
                }
                zstream.next_in = input
                zstream.avail_in = UInt32(count)
            }
            if !memberOpen {
                // More bytes after a member's end: the next member of a concatenated file.
                inflateReset(&zstream)
                memberOpen = true
            }
            switch inflate(&zstream, Z_NO_FLUSH) {
            case Z_STREAM_END: memberOpen = false
            case Z_OK, Z_BUF_ERROR: break
            default:
                let message = zstream.msg.map { String(cString: $0) } ?? "zlib error"
                fail("corrupt compressed data (\(message))")
                return
            }
        }
        outputEnd = capacity - Int(zstream.avail_out)
    }

    private func fail(_ reason: String) {
        error = DatasetError(file: path, reason: reason)
        status = .error
    }
}
