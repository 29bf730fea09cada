import CHDF5
import Foundation

/// A failed HDF5 call, naming the file, the object inside it and what HDF5 itself said.
public struct HDF5Error: Error, CustomStringConvertible {
    public let file: String
    /// The dataset, group or attribute the call was about ("" for the file itself).
    public let object: String
    public let operation: String
    /// HDF5's error stack, innermost reason last; empty when HDF5 said nothing.
    public let reasons: [String]

    public var description: String {
        let place = object.isEmpty ? file : "\(file): \(object)"
        let why = reasons.isEmpty ? "" : " (\(reasons.joined(separator: "; ")))"
        return "\(place): \(operation) failed\(why)"
    }
}

/// Every HDF5 call in lgmcl goes through `HDF5.call`, which holds one process-wide lock: HDF5
/// built without thread-safety must never be entered by two threads at once (tests run in
/// parallel, and the batch reader reads on its own thread). Debian's build is thread-safe, and
/// then keeps one error stack per thread, so automatic error printing is switched off on each
/// thread that calls in; errors are collected from the stack instead and reported once, as an
/// `HDF5Error`.
public enum HDF5 {
    private static let lock = NSRecursiveLock()
    private static let quietKey = "lgmcl.hdf5.quiet"

    /// The HDF5 library's version, e.g. "1.10.8".
    public static var version: String {
        var major: UInt32 = 0, minor: UInt32 = 0, release: UInt32 = 0
        call { _ = H5get_libversion(&major, &minor, &release) }
        return "\(major).\(minor).\(release)"
    }

    static func call<T>(_ body: () throws -> T) rethrows -> T {
        lock.lock()
        defer { lock.unlock() }
        let thread = Thread.current.threadDictionary
        if thread[quietKey] == nil {
            H5open()
            H5Eset_auto2(lgmcl_h5e_default(), nil, nil)
            thread[quietKey] = true
        }
        return try body()
    }

    /// Runs a call returning an id or status; a negative result becomes an `HDF5Error` carrying
    /// the messages on HDF5's error stack, which is then cleared.
    @discardableResult
    static func check<T: BinaryInteger>(_ result: T, file: String, object: String, _ operation: String) throws -> T {
        guard result < 0 else { return result }
        throw HDF5Error(file: file, object: object, operation: operation, reasons: takeErrorStack())
    }

    /// The messages on the default error stack, outermost first, cleared afterwards.
    static func takeErrorStack() -> [String] {
        final class Box { var lines: [String] = [] }
        let box = Box()
        let walker: H5E_walk2_t = { _, error, clientData in
            guard let error, let clientData else { return 0 }
            let box = Unmanaged<Box>.fromOpaque(clientData).takeUnretainedValue()
            if let description = error.pointee.desc {
                let text = String(cString: description)
                if !text.isEmpty, box.lines.last != text { box.lines.append(text) }
            }
            return 0
        }
        H5Ewalk2(lgmcl_h5e_default(), H5E_WALK_DOWNWARD, walker, Unmanaged.passUnretained(box).toOpaque())
        H5Eclear2(lgmcl_h5e_default())
        return box.lines
    }
}

/// An HDF5 identifier closed exactly once, when its owner goes away.
final class HDF5Handle {
    let id: hid_t
    private let close: (hid_t) -> herr_t

    init(_ id: hid_t, close: @escaping (hid_t) -> herr_t) {
        self.id = id
        self.close = close
    }

    deinit {
        let close = self.close, id = self.id
        HDF5.call { _ = close(id) }
    }
}
