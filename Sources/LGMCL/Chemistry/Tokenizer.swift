/// Token ids for the text encoder: SMILES by the SMILES regular expression, descriptions by
/// WordPiece, both into one ``Vocabulary``. Each sequence is [CLS] tokens [SEP], truncated to
/// `maxLength` ids in all (the presets' limit per text kind, e.g. 96 for SMILES and 160 for
/// descriptions in `small`); tokens the vocabulary lacks become [UNK].
public struct Tokenizer: Sendable {
    public let vocabulary: Vocabulary
    private let pieces: Set<String>

    public init(vocabulary: Vocabulary) {
        self.vocabulary = vocabulary
        pieces = Set(vocabulary.tokens.dropFirst(Vocabulary.specialTokens.count))
    }

    public func encode(smiles: String, maxLength: Int) -> [Int32] {
        framed(SMILESTokens.split(smiles).lazy.map(id), maxLength: maxLength)
    }

    public func encode(text: String, maxLength: Int) -> [Int32] {
        framed(WordPiece.words(text).lazy.flatMap { word in
            WordPiece.pieces(of: word, in: pieces).map { $0.map(id) } ?? [Vocabulary.unknownID]
        }, maxLength: maxLength)
    }

    /// The tokens of `ids`, for inspection and tests.
    public func tokens(_ ids: [Int32]) -> [String] {
        ids.map { vocabulary.tokens[Int($0)] }
    }

    /// Text never produces a special token: a SMILES bracket atom spelled "[CLS]" is [UNK].
    private func id(_ token: String) -> Int32 {
        guard let id = vocabulary.ids[token], id >= Vocabulary.specialTokens.count else { return Vocabulary.unknownID }
        return id
    }

    private func framed<S: Sequence>(_ ids: S, maxLength: Int) -> [Int32] where S.Element == Int32 {
        precondition(maxLength >= 2, "maxLength must leave room for [CLS] and [SEP]")
        return [Vocabulary.clsID] + ids.prefix(maxLength - 2) + [Vocabulary.sepID]
    }
}
