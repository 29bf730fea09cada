
/// Why a token list is not a vocabulary.
public struct VocabularyError: Error, CustomStringConvertible, Equatable, Sendable {
    public let reason: String
    public var description: String { reason }
}

/// The one token list shared by SMILES and descriptions: the special tokens, then SMILES
/// tokens, then WordPiece pieces. A plain list (HDF5 `/text/vocab` alone rebuilds the tokenizer),
/// identified by its ``sha256`` so that pretraining, fine-tuning and prediction provably use the
/// same one.
public struct Vocabulary: Sendable, Equatable {
    public static let specialTokens = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"]
    public static let padID: Int32 = 0, unknownID: Int32 = 1, clsID: Int32 = 2, sepID: Int32 = 3, maskID: Int32 = 4

    public let tokens: [String]
    let ids: [String: Int32]

    /// Lower-case hex SHA-256 of the tokens joined by "\n" (UTF-8).
    public var sha256: String {
        SHA256Digest.of(Array(tokens.joined(separator: "\n").utf8))
    }

    public init(tokens: [String]) throws {
        guard tokens.prefix(Self.specialTokens.count).elementsEqual(Self.specialTokens) else {
            throw VocabularyError(reason: "a vocabulary starts with \(Self.specialTokens.joined(separator: " ")), got \(tokens.prefix(5).joined(separator: " "))")
        }
        var ids: [String: Int32] = [:]
        for (index, token) in tokens.enumerated() {
            if token.isEmpty || token.contains("\n") {
                throw VocabularyError(reason: "vocabulary token \(index) is empty or contains a line break")
            }
            if ids[token] != nil {
                throw VocabularyError(reason: "vocabulary token '\(token)' appears twice (index \(ids[token]!) and \(index))")
            }
            ids[token] = Int32(index)
        }
        self.tokens = tokens
        self.ids = ids
    }

    public static func == (a: Vocabulary, b: Vocabulary) -> Bool { a.tokens == b.tokens }

    /// Builds a vocabulary of at most `size` tokens, deterministically: the special tokens; every
    /// SMILES token of `smiles` (most frequent first, ties in code-point order) while room
    /// remains; then WordPiece pieces learnt from `descriptions` (``WordPiece/train(_:size:)``),
    /// skipping pieces that are already tokens.
    public static func build(smiles: [String], descriptions: [String], size: Int) -> Vocabulary {
        var tokens = specialTokens
        var present = Set(tokens)
        func add(_ token: String) {
            // A line break would split the token in the stored list (and its sha256 input).
            guard tokens.count < size, !token.contains("\n"), present.insert(token).inserted else { return }
            tokens.append(token)
        }
        var smilesCounts: [String: Int] = [:]
        for text in smiles {
            for token in SMILESTokens.split(text) { smilesCounts[token, default: 0] += 1 }
        }
        smilesCounts.sorted { $0.value != $1.value ? $0.value > $1.value : $0.key < $1.key }.forEach { add($0.key) }
        if tokens.count < size {
            // Ask for enough pieces to fill the rest even when some coincide with SMILES tokens.
            WordPiece.train(descriptions, size: size - specialTokens.count).forEach(add)
        }
        return try! Vocabulary(tokens: tokens)
    }
}
