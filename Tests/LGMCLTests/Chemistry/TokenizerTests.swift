@testable import LGMCL
import Testing

struct TokenizerTests {
    /// Against Python's `re.findall` with the standard SMILES expression (Fixtures/chemistry).
    @Test func smilesTokensMatchTheRegularExpression() {
        var checked = 0
        for oracle in ChemistryFixtures.parsed {
            guard let expected = oracle.smilesTokens else { continue }
            #expect(SMILESTokens.split(oracle.canonical!) == expected, "\(oracle.testDescription)")
            checked += 1
        }
        #expect(checked >= 1000)
        #expect(SMILESTokens.split("C%12CC[C@@H](Br)Cl%12.[Na+]") ==
            ["C", "%12", "C", "C", "[C@@H]", "(", "Br", ")", "Cl", "%12", ".", "[Na+]"])
        // Nothing is dropped: an unclosed bracket and unknown characters stay as tokens.
        #expect(SMILESTokens.split("C[N+").joined() == "C[N+")
        #expect(SMILESTokens.split("") == [])
    }

    /// Worked by hand: words aa, aa, ab; alphabet ##a ##b a (code-point order). Scores
    /// (a,##a) = 2/(3·2) and (a,##b) = 1/(3·1) tie, the higher count merges first: "aa"; then
    /// (a,##b) = 1/(1·1): "ab"; then every word is one piece.
    @Test func wordPieceTrainingFollowsTheLikelihoodScore() {
        #expect(WordPiece.train(["aa aa ab"], size: 100) == ["##a", "##b", "a", "aa", "ab"])
        #expect(WordPiece.train(["aa aa ab"], size: 4) == ["##a", "##b", "a", "aa"])
        #expect(WordPiece.words("LogP 2.35, Lipinski's") == ["logp", "2", ".", "3", "5", ",", "lipinski", "'", "s"])
        let pieces: Set = ["a", "ab", "##c", "##bc"]
        #expect(WordPiece.pieces(of: "abc", in: pieces) == ["ab", "##c"])
        #expect(WordPiece.pieces(of: "abd", in: pieces) == nil)
    }

    /// Words follow Unicode's letter and white-space properties, whatever shortcut answers for
    /// ASCII: every ASCII character beside letters, CR-LF, and non-ASCII letters, digits and spaces.
    @Test func wordsSplitByUnicodeLettersAndWhiteSpace() {
        func unicodeWords(_ text: String) -> [String] {
            text.lowercased().reduce(into: (words: [String](), joining: false)) { state, character in
                if character.isLetter, state.joining {
                    state.words[state.words.count - 1].append(character)
                } else if character.isLetter || !character.isWhitespace {
                    state.words.append(String(character))
                }
                state.joining = character.isLetter
            }.words
        }
        let ascii = String((0..<128).flatMap { [Character(Unicode.Scalar(UInt8($0))), "a"] })
        for text in [ascii, "a\r\nb", "Éthanol β-lactam ٣ x\u{00A0}y\u{2003}z", "ÅNGSTRÖM cafe\u{301}s"] {
            #expect(WordPiece.words(text) == unicodeWords(text), "\(text.debugDescription)")
        }
        #expect(WordPiece.pieces(of: "cafe\u{301}s", in: ["caf", "##e\u{301}", "##s"]) == ["caf", "##e\u{301}", "##s"])
    }

    @Test func encodingFramesTruncatesAndMapsUnknowns() throws {
        let vocabulary = try Vocabulary(tokens: Vocabulary.specialTokens + ["C", "O", "(", ")", "aa", "ab", "##b", "b"])
        let tokenizer = Tokenizer(vocabulary: vocabulary)
        #expect(tokenizer.encode(smiles: "C(O)N", maxLength: 10) == [2, 5, 7, 6, 8, 1, 3])
        #expect(tokenizer.encode(smiles: "C(O)N", maxLength: 4) == [2, 5, 7, 3])
        #expect(tokenizer.encode(text: "AA abb x", maxLength: 10) == [2, 9, 10, 11, 1, 3])
        #expect(tokenizer.tokens(tokenizer.encode(text: "ab", maxLength: 3)) == ["[CLS]", "ab", "[SEP]"])
        #expect(tokenizer.encode(text: "", maxLength: 2) == [2, 3])
        #expect(tokenizer.encode(smiles: "[MASK][PAD]", maxLength: 10) == [2, 1, 1, 3])
        #expect(Vocabulary.build(smiles: ["C\nO"], descriptions: [], size: 50).tokens.contains("\n") == false)
    }

    @Test func vocabularyIsAValidatedListWithItsSHA256() throws {
        let vocabulary = try Vocabulary(tokens: Vocabulary.specialTokens + ["C", "##a"])
        // hashlib.sha256("[PAD]\n[UNK]\n[CLS]\n[SEP]\n[MASK]\nC\n##a".encode()).hexdigest()
        #expect(vocabulary.sha256 == "e0e3e21309f0bcd8283da2bd553710821cb82c1aec64cc8860df1f1ce3425384")
        #expect(throws: VocabularyError.self) { try Vocabulary(tokens: ["C"]) }
        #expect(throws: VocabularyError.self) { try Vocabulary(tokens: Vocabulary.specialTokens + ["C", "C"]) }
        #expect(throws: VocabularyError.self) { try Vocabulary(tokens: Vocabulary.specialTokens + ["a\nb"]) }
    }

    /// The whole pipeline on fixture molecules: deterministic, and a large enough vocabulary
    /// covers every SMILES token and every description word without [UNK].
    @Test func builtVocabularyCoversItsCorpus() throws {
        let molecules = try ChemistryFixtures.parsed.prefix(300).map { try Molecule(smiles: $0.smiles, options: MoleculeOptions(maxAtoms: 1000)) }
        let smiles = molecules.map(\.canonicalSMILES)
        let descriptions = molecules.map(MoleculeDescriber().describe)
        let vocabulary = Vocabulary.build(smiles: smiles, descriptions: descriptions, size: 4000)
        #expect(Vocabulary.build(smiles: smiles, descriptions: descriptions, size: 4000).sha256 == vocabulary.sha256)
        #expect(vocabulary.tokens.count <= 4000)
        let tokenizer = Tokenizer(vocabulary: vocabulary)
        var lengths: [Int] = []
        for (text, description) in zip(smiles, descriptions) {
            #expect(!tokenizer.encode(smiles: text, maxLength: 10_000).contains(Vocabulary.unknownID))
            let ids = tokenizer.encode(text: description, maxLength: 10_000)
            #expect(!ids.contains(Vocabulary.unknownID))
            // The pieces spell the words again.
            let spelled = tokenizer.tokens(Array(ids.dropFirst().dropLast()))
                .reduce(into: [String]()) { words, piece in
                    if piece.hasPrefix("##") { words[words.count - 1] += piece.dropFirst(2) } else { words.append(piece) }
                }
            #expect(spelled == WordPiece.words(description))
            lengths.append(ids.count)
        }
        lengths.sort()
        // Descriptions aim at ~100–150 tokens.
        #expect((90...200).contains(lengths[lengths.count / 2]), "median description tokens \(lengths[lengths.count / 2])")
        // A small vocabulary truncates the list but still encodes (with [UNK]s).
        let small = Vocabulary.build(smiles: smiles, descriptions: descriptions, size: 40)
        #expect(small.tokens.count == 40)
    }
}
