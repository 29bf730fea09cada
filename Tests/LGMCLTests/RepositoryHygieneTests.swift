import Foundation
import Testing
import TestSupport

/// A fresh clone is all a user has: code, tests, the Makefile and scripts read data/ inside the
/// repository, never a directory beside it.
struct RepositoryHygieneTests {
    /// The mirror beside the repository, as a relative path or put together from the components
    /// shared and data by a path join (os.path.join, pathlib's /). Built from pieces so that this
    /// file does not match itself.
    static let outsidePath = try! Regex([
        NSRegularExpression.escapedPattern(for: [".", ".", "/", "shared"].joined()),
        ["shared", "/data"].joined(),
        ["\"shared\"", #"\s*[,/]\s*"#, "\"data\""].joined(),
    ].joined(separator: "|"))
    static let checkedPaths = ["Sources", "Tests", "Makefile", "Package.swift", "cluster", "scripts", ".ci"]

    @Test func noTrackedFileReadsDataFromBesideTheRepository() throws {
        let listed = try run("/usr/bin/git", ["ls-files", "-z", "--"] + Self.checkedPaths, currentDirectory: repositoryRoot)
        #expect(listed.status == 0, "\(listed.output)")
        let files = listed.stdout.split(separator: "\0").map(String.init)
        #expect(files.contains("Makefile") && files.contains { $0.hasPrefix("Sources/") }, "git ls-files listed \(files.count) files")
        var offending: [String] = []
        for file in files {
            guard let data = FileManager.default.contents(atPath: repositoryRoot.appendingPathComponent(file).path) else { continue }
            let text = String(decoding: data, as: UTF8.self)
            for (number, line) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated()
            where line.contains(Self.outsidePath) {
                offending.append("\(file):\(number + 1): \(line.trimmingCharacters(in: .whitespaces))")
            }
        }
        #expect(offending.isEmpty, "read data/ instead:\n\(offending.joined(separator: "\n"))")
    }
}
