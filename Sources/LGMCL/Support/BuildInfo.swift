import CBuildInfo
import CTargetCPU
import Foundation

/// Facts about the build, for checkpoint manifests and `lgmcl-dist info`.
public enum BuildInfo {
    /// The CPU the Swift code was compiled for (the Makefile's TARGET_CPU): "haswell" or "x86-64".
    public static var targetCPU: String { String(cString: lgmcl_target_cpu()) }

    /// The target's features this CPU lacks ("" when none). Never non-empty in a running process:
    /// CTargetCPU stops one before any Swift code runs.
    public static var missingCPUFeatures: String { String(cString: lgmcl_missing_cpu_features()) }

    /// The git commit the running executable was built from: compiled in by `make build` ("-dirty"
    /// appended when tracked files had changes), so a copied executable still says it. A build
    /// made without the Makefile reads the checkout's HEAD from the `.git` directory two levels
    /// above `.build/<configuration>/` instead; "unknown" when neither is there.
    public static let gitCommit: String = {
        if let compiled = lgmcl_build_commit() { return String(cString: compiled) }
        var directory = URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath().deletingLastPathComponent()
        for _ in 0 ..< 5 {
            directory = directory.deletingLastPathComponent()
            if let commit = commit(in: directory.appendingPathComponent(".git")) { return commit }
        }
        return "unknown"
    }()

    /// A commit as logs and tables show it: its first `length` hex digits, and "-dirty" when the
    /// build had uncommitted changes.
    public static func short(_ commit: String, length: Int = 12) -> String {
        commit.hasSuffix("-dirty") ? commit.prefix(length) + "-dirty" : String(commit.prefix(length))
    }

    static func commit(in gitDirectory: URL) -> String? {
        var git = gitDirectory
        // A worktree's .git is a file pointing at its real git directory.
        if let pointer = try? String(contentsOf: git, encoding: .utf8), pointer.hasPrefix("gitdir:") {
            git = URL(fileURLWithPath: pointer.dropFirst(7).trimmingCharacters(in: .whitespacesAndNewlines))
        }
        guard let head = try? String(contentsOf: git.appendingPathComponent("HEAD"), encoding: .utf8)
            .trimmingCharacters(in: .whitespacesAndNewlines) else { return nil }
        guard head.hasPrefix("ref: ") else { return head }
        let ref = String(head.dropFirst(5))
        let common = (try? String(contentsOf: git.appendingPathComponent("commondir"), encoding: .utf8))
            .map { git.appendingPathComponent($0.trimmingCharacters(in: .whitespacesAndNewlines)) } ?? git
        for root in [git, common] {
            if let value = try? String(contentsOf: root.appendingPathComponent(ref), encoding: .utf8) {
                return value.trimmingCharacters(in: .whitespacesAndNewlines)
            }
            if let packed = try? String(contentsOf: root.appendingPathComponent("packed-refs"), encoding: .utf8),
               let line = packed.split(separator: "\n").first(where: { $0.hasSuffix(" " + ref) }) {
                return String(line.prefix(40))
            }
        }
        return nil
    }
}
