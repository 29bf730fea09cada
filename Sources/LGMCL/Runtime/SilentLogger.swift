import Logging

extension Logger {
    /// Drops every message: the default of library entry points called without a logger (tests,
    /// other programs), so that nothing reaches their stderr unasked.
    public static let silent = Logger(label: "lgmcl.silent", factory: { _ in SwiftLogNoOpLogHandler() })
}
