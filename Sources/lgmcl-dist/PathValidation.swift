import ArgumentParser
import Foundation

/// Rejects, before any MPI work, a missing input file named by `flag`.
func validateInput(_ path: String, flag: String) throws {
    guard FileManager.default.fileExists(atPath: path) else { throw ValidationError("\(flag) \(path): no such file or directory") }
}

/// Rejects, before any MPI work, a missing input, an output whose directory does not exist, and
/// an output that would replace the input.
func validatePaths(input: String, output: String) throws {
    guard FileManager.default.fileExists(atPath: input) else { throw ValidationError("\(input): no such file") }
    let directory = URL(fileURLWithPath: output).deletingLastPathComponent().path
    var isDirectory: ObjCBool = false
    guard FileManager.default.fileExists(atPath: directory, isDirectory: &isDirectory), isDirectory.boolValue else {
        throw ValidationError("\(output): the directory \(directory) does not exist")
    }
    guard URL(fileURLWithPath: output).standardized != URL(fileURLWithPath: input).standardized else {
        throw ValidationError("--output must differ from --input")
    }
}
