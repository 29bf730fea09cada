import Foundation

// LGMCL is one module, so the compiler lets any file name any type of it and import any module
// the target links. The layer check stands in for the compiler: it reads the sources as text,
// knows which layer declares which type, and reports what a layer may not use. The rules
// themselves are in ArchitectureTests.swift; docs/architecture.md explains them.

/// A Swift file of Sources/LGMCL: its path below that folder ("Data/Labels/TaskMatrix.swift")
/// and its text.
struct SourceFile {
    let path: String
    let text: String
}

/// A broken rule: the file, the line, the name that breaks it and the rule.
struct LayerViolation: CustomStringConvertible {
    let file: String
    /// nil when the rule is about the whole file (it belongs to no layer).
    let line: Int?
    let name: String
    let rule: String

    var description: String { "\(file)\(line.map { ":\($0)" } ?? ""): \(name): \(rule)" }
}

/// Which layers' types a layer's files may name, which folders may import which modules, and the
/// known exceptions.
struct LayerRules {
    /// A folder directly under Sources/LGMCL and the layers beneath it that it builds on.
    struct Layer {
        let name: String
        /// A layer may also use whatever the layers it names may use.
        let uses: [String]

        init(_ name: String, uses: [String]) {
            self.name = name
            self.uses = uses
        }
    }

    /// A known violation kept until the change that removes it: files under `path` may name
    /// `names` (types or modules).
    struct Allowance {
        let path: String
        let names: Set<String>
        let reason: String
    }

    /// Bottom to top: a layer may use only layers above it in the list, so the layers cannot
    /// form a cycle.
    let layers: [Layer]
    /// A module and the folders (paths below Sources/LGMCL) whose files may import it.
    let imports: [String: [String]]
    /// Modules any file may import: the platform's.
    let platformModules: Set<String>
    let allowances: [Allowance]

    /// Every layer each layer may use, its own excluded.
    var usable: [String: Set<String>] {
        var usable: [String: Set<String>] = [:]
        for layer in layers {
            usable[layer.name] = layer.uses.reduce(into: Set(layer.uses)) { all, lower in
                guard let below = usable[lower] else {
                    preconditionFailure("layer \(layer.name) uses \(lower), which is not a layer listed before it")
                }
                all.formUnion(below)
            }
        }
        return usable
    }
}

/// What the check found: violations, and allowances that nothing needs any more (they should go
/// with the violation they covered, so that it cannot come back unnoticed).
struct LayerReport: CustomStringConvertible {
    var violations: [LayerViolation] = []
    var unneededAllowances: [(path: String, name: String, reason: String)] = []

    var isClean: Bool { violations.isEmpty && unneededAllowances.isEmpty }

    var description: String {
        (violations.map(\.description)
            + unneededAllowances.map { "\($0.path): \($0.name): allowed (\($0.reason)) but no longer used: delete the allowance" })
            .joined(separator: "\n")
    }
}

extension LayerRules {
    func check(_ files: [SourceFile]) -> LayerReport {
        let usable = self.usable
        let scanned = files.map { (file: $0, layer: layer(of: $0.path), scan: SwiftScan($0.text)) }

        // A type declared at file scope belongs to its file's layer; types declared inside a type
        // or an extension are reached through it, so only the outer name counts. Private types
        // are invisible outside their file. A layer's own names (nested ones too) stay its own even
        // when another layer declares the same name.
        var home: [String: String] = [:]
        var ownNames: [String: Set<String>] = [:]
        for (_, layer, scan) in scanned {
            guard let layer else { continue }
            for declaration in scan.declarations {
                ownNames[layer, default: []].insert(declaration.name)
                if declaration.isFileScope, !declaration.isPrivate { home[declaration.name] = layer }
            }
        }

        var report = LayerReport()
        var allowed: Set<String> = []
        func isAllowed(_ name: String, in path: String) -> Bool {
            for (index, allowance) in allowances.enumerated()
            where allowance.names.contains(name) && path.isInside(allowance.path) {
                allowed.insert("\(index) \(name)")
                return true
            }
            return false
        }

        for (file, layer, scan) in scanned {
            guard let layer else {
                let folder = file.path.split(separator: "/").dropLast().first.map(String.init) ?? "top level"
                report.violations.append(LayerViolation(
                    file: file.path, line: nil, name: folder,
                    rule: "not a layer's folder: move the file into one of \(layers.map(\.name).joined(separator: ", "))"))
                continue
            }
            for (module, line) in scan.imports where !platformModules.contains(module) {
                let folders = imports[module] ?? []
                if folders.contains(where: file.path.isInside) || isAllowed(module, in: file.path) { continue }
                let rule = folders.isEmpty
                    ? "no folder may import \(module): give it a row in the import table first"
                    : "\(layer) may not import \(module) (only \(folders.listed) may)"
                report.violations.append(LayerViolation(file: file.path, line: line, name: module, rule: rule))
            }
            var reported: Set<String> = []
            for (name, line) in scan.names where !reported.contains(name) {
                guard let owner = home[name], owner != layer, !usable[layer, default: []].contains(owner),
                      !ownNames[layer, default: []].contains(name), !isAllowed(name, in: file.path) else { continue }
                reported.insert(name)
                let lower = layers.map(\.name).filter { usable[layer, default: []].contains($0) }
                report.violations.append(LayerViolation(
                    file: file.path, line: line, name: name,
                    rule: "\(layer) may not use \(owner)'s types (\(layer) may use \(lower.isEmpty ? "no other layer" : lower.listed))"))
            }
        }

        for (index, allowance) in allowances.enumerated() {
            for name in allowance.names.sorted() where !allowed.contains("\(index) \(name)") {
                report.unneededAllowances.append((allowance.path, name, allowance.reason))
            }
        }
        return report
    }

    /// The layer a file belongs to: the folder directly under Sources/LGMCL that holds it.
    func layer(of path: String) -> String? {
        let components = path.split(separator: "/")
        guard components.count > 1 else { return nil }
        return layers.first { $0.name == components[0] }?.name
    }
}

private extension String {
    /// Whether this path is `folder` or a file below it.
    func isInside(_ folder: String) -> Bool { self == folder || hasPrefix(folder + "/") }
}

private extension Array where Element == String {
    /// "A, B and C".
    var listed: String { count < 2 ? joined() : dropLast().joined(separator: ", ") + " and " + last! }
}

/// What the check needs from a Swift file, read with comments and string literals left out
/// (interpolations inside strings are code and are kept): the modules it imports, the types it
/// declares, and every other name it writes, each with its line.
struct SwiftScan {
    struct Declaration {
        let name: String
        /// Not inside a type or an extension.
        let isFileScope: Bool
        let isPrivate: Bool
    }

    private(set) var imports: [(module: String, line: Int)] = []
    private(set) var declarations: [Declaration] = []
    /// Identifiers that are not members (after a dot) and not on an import line.
    private(set) var names: [(name: String, line: Int)] = []

    init(_ text: String) {
        let tokens = SwiftTokenizer(text).tokens
        var depth = 0
        var index = 0
        while index < tokens.count {
            let token = tokens[index]
            switch token.kind {
            case .symbol(UInt8(ascii: "{")): depth += 1
            case .symbol(UInt8(ascii: "}")): depth -= 1
            case .symbol: break
            case .identifier(let name):
                // An import statement: attributes and modifiers, `import`, an optional kind
                // (`import struct Foundation.Data`), the module, and maybe a path into it.
                if name == "import", !token.isMember,
                   tokens[..<index].reversed().prefix(while: { $0.line == token.line }).allSatisfy(\.isAttributeOrModifier) {
                    var next = index + 1
                    if next < tokens.count, case .identifier(let kind) = tokens[next].kind, Self.importKinds.contains(kind) { next += 1 }
                    if next < tokens.count, case .identifier(let module) = tokens[next].kind { imports.append((module, token.line)) }
                    while index + 1 < tokens.count, tokens[index + 1].line == token.line { index += 1 }
                    break
                }
                if Self.declarationKeywords.contains(name), !token.isMember, index + 1 < tokens.count,
                   case .identifier(let declared) = tokens[index + 1].kind, !Self.notTypeNames.contains(declared) {
                    let modifiers = tokens[..<index].reversed().prefix(while: { $0.line == token.line })
                    let isPrivate = modifiers.contains { $0.kind == .identifier("private") || $0.kind == .identifier("fileprivate") }
                    declarations.append(Declaration(name: declared, isFileScope: depth == 0, isPrivate: isPrivate))
                }
                if !token.isMember { names.append((name, token.line)) }
            }
            index += 1
        }
    }

    static let declarationKeywords: Set = ["struct", "class", "enum", "protocol", "typealias", "actor"]
    /// Words after `class` that make it a modifier (`class func`), not a declaration.
    static let notTypeNames: Set = ["func", "var", "let", "subscript", "override", "final", "static", "public", "open",
                                    "internal", "private", "fileprivate", "required", "convenience"]
    static let importKinds: Set = ["struct", "class", "enum", "protocol", "typealias", "func", "var", "let"]
}

/// Swift source as identifiers and single-byte symbols, with their lines, skipping whitespace,
/// comments, number literals and the text of string literals.
struct SwiftTokenizer {
    struct Token {
        enum Kind: Equatable {
            case identifier(String)
            case symbol(UInt8)
        }

        let kind: Kind
        let line: Int
        /// Follows a single `.`: a member, whose name says nothing about which type it belongs to.
        let isMember: Bool

        var isAttributeOrModifier: Bool {
            switch kind {
            case .symbol(let byte): return byte == UInt8(ascii: "@")
            case .identifier: return true
            }
        }
    }

    private(set) var tokens: [Token] = []
    private let bytes: [UInt8]
    private var position = 0
    private var line = 1
    /// The last token was a single `.`.
    private var memberDot = false

    init(_ text: String) {
        bytes = Array(text.utf8)
        readCode(untilUnmatchedParenthesis: false)
    }

    private func byte(at offset: Int) -> UInt8? {
        position + offset < bytes.count ? bytes[position + offset] : nil
    }

    private static func isIdentifierByte(_ byte: UInt8) -> Bool {
        byte == UInt8(ascii: "_") || byte == UInt8(ascii: "$") || byte >= 0x80
            || (UInt8(ascii: "a")...UInt8(ascii: "z")).contains(byte) || (UInt8(ascii: "A")...UInt8(ascii: "Z")).contains(byte)
            || (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte)
    }

    private mutating func append(_ kind: Token.Kind) {
        tokens.append(Token(kind: kind, line: line, isMember: memberDot))
        memberDot = false
    }

    /// Code, up to the `)` that closes a string interpolation when `untilUnmatchedParenthesis`.
    private mutating func readCode(untilUnmatchedParenthesis: Bool) {
        var parentheses = 0
        while let current = byte(at: 0) {
            switch current {
            case UInt8(ascii: "\n"):
                line += 1
                position += 1
            case UInt8(ascii: "/") where byte(at: 1) == UInt8(ascii: "/"):
                while let next = byte(at: 0), next != UInt8(ascii: "\n") { position += 1 }
            case UInt8(ascii: "/") where byte(at: 1) == UInt8(ascii: "*"):
                skipBlockComment()
            case UInt8(ascii: "\""):
                readString()
            case UInt8(ascii: "#"):
                var hashes = 0
                while byte(at: hashes) == UInt8(ascii: "#") { hashes += 1 }
                if byte(at: hashes) == UInt8(ascii: "\"") {
                    readString()
                } else {
                    position += 1
                }
            case UInt8(ascii: "("):
                parentheses += 1
                append(.symbol(current))
                position += 1
            case UInt8(ascii: ")"):
                position += 1
                if untilUnmatchedParenthesis, parentheses == 0 { return }
                parentheses -= 1
                append(.symbol(current))
            case UInt8(ascii: "."):
                var dots = 0
                while byte(at: dots) == UInt8(ascii: ".") { dots += 1 }
                append(.symbol(current))
                position += dots
                // `..<` and `...` are operators: what follows them is not a member.
                memberDot = dots == 1
            case UInt8(ascii: "`"):
                let start = position + 1
                position = start
                while let next = byte(at: 0), next != UInt8(ascii: "`"), next != UInt8(ascii: "\n") { position += 1 }
                append(.identifier(String(decoding: bytes[start..<position], as: UTF8.self)))
                position += 1
            case UInt8(ascii: "0")...UInt8(ascii: "9"):
                while let next = byte(at: 0), Self.isIdentifierByte(next) { position += 1 }
            case _ where Self.isIdentifierByte(current):
                let start = position
                while let next = byte(at: 0), Self.isIdentifierByte(next) { position += 1 }
                append(.identifier(String(decoding: bytes[start..<position], as: UTF8.self)))
            case UInt8(ascii: " "), UInt8(ascii: "\t"), UInt8(ascii: "\r"):
                position += 1
            default:
                append(.symbol(current))
                position += 1
            }
        }
    }

    /// `/* … */`, which Swift lets nest.
    private mutating func skipBlockComment() {
        var depth = 0
        while let current = byte(at: 0) {
            if current == UInt8(ascii: "/"), byte(at: 1) == UInt8(ascii: "*") {
                depth += 1
                position += 2
            } else if current == UInt8(ascii: "*"), byte(at: 1) == UInt8(ascii: "/") {
                depth -= 1
                position += 2
                if depth == 0 { return }
            } else {
                if current == UInt8(ascii: "\n") { line += 1 }
                position += 1
            }
        }
    }

    /// A string literal: `"…"`, `"""…"""`, raw with any number of `#`; interpolations are read as code.
    private mutating func readString() {
        var hashes = 0
        while byte(at: 0) == UInt8(ascii: "#") {
            hashes += 1
            position += 1
        }
        let quotes = byte(at: 1) == UInt8(ascii: "\"") && byte(at: 2) == UInt8(ascii: "\"") ? 3 : 1
        position += quotes
        while let current = byte(at: 0) {
            switch current {
            case UInt8(ascii: "\n"):
                line += 1
                position += 1
            case UInt8(ascii: "\\"):
                var escapeHashes = 0
                while escapeHashes < hashes, byte(at: 1 + escapeHashes) == UInt8(ascii: "#") { escapeHashes += 1 }
                guard escapeHashes == hashes else {
                    position += 1
                    continue
                }
                position += 1 + hashes
                if byte(at: 0) == UInt8(ascii: "(") {
                    position += 1
                    readCode(untilUnmatchedParenthesis: true)
                } else if let escaped = byte(at: 0) {
                    if escaped == UInt8(ascii: "\n") { line += 1 }
                    position += 1
                }
            case UInt8(ascii: "\""):
                let closes = (0..<quotes).allSatisfy { byte(at: $0) == UInt8(ascii: "\"") }
                    && (0..<hashes).allSatisfy { byte(at: quotes + $0) == UInt8(ascii: "#") }
                position += closes ? quotes + hashes : 1
                if closes { return }
            default:
                position += 1
            }
        }
    }
}
