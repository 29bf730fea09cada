/// WordPiece over the descriptions: words are split into the longest vocabulary pieces, the
/// pieces after the first marked "##" (Schuster & Nakajima 2012; BERT's tokenizer).
///
/// Pre-tokenization: lower-cased; a word is a run of letters; every digit and every other
/// non-space character is a word of its own (numbers are spelled digit by digit, so they never
/// crowd the vocabulary).
enum WordPiece {
    static let continuation = "##"
    /// Longer words are [UNK] whole, as in BERT.
    static let maxWordLength = 100

    static func words(_ text: String) -> [String] {
        var words: [String] = []
        var current = ""
        for character in text.lowercased() {
            if isLetter(character) {
                current.append(character)
                continue
            }
            if !current.isEmpty {
                words.append(current)
                current = ""
            }
            if !isWhitespace(character) { words.append(String(character)) }
        }
        if !current.isEmpty { words.append(current) }
        return words
    }

    // Descriptions are almost always ASCII: answering from the byte spares a lookup in Unicode's
    // property tables per character.
    private static func isLetter(_ character: Character) -> Bool {
        guard let byte = character.asciiValue else { return character.isLetter }
        return (byte | 0x20) >= UInt8(ascii: "a") && (byte | 0x20) <= UInt8(ascii: "z")
    }

    private static func isWhitespace(_ character: Character) -> Bool {
        guard let byte = character.asciiValue else { return character.isWhitespace }
        return byte == UInt8(ascii: " ") || (0x09...0x0d).contains(byte)
    }

    /// Greedy longest-match-first pieces of one word, or nil when some part is not in `vocabulary`.
    static func pieces(of word: String, in vocabulary: Set<String>) -> [String]? {
        // Character boundaries, so that candidate pieces are slices of `word`, not new arrays.
        let bounds = Array(word.indices) + [word.endIndex]
        let count = bounds.count - 1
        guard count <= maxWordLength else { return nil }
        var pieces: [String] = []
        var start = 0
        while start < count {
            var end = count
            var found: String?
            while end > start {
                let piece = (start > 0 ? continuation : "") + word[bounds[start]..<bounds[end]]
                if vocabulary.contains(piece) {
                    found = piece
                    break
                }
                end -= 1
            }
            guard let found else { return nil }
            pieces.append(found)
            start = end
        }
        return pieces
    }

    /// Learns up to `size` pieces from `texts`, deterministically.
    ///
    /// Starts from the alphabet (first characters of words, "##"-marked inner characters) and
    /// repeatedly merges the adjacent pair with the highest score count(ab) / (count(a)·count(b))
    /// — the WordPiece likelihood criterion as Hugging Face's trainer uses it — ties broken by the
    /// higher pair count, then by the earlier pieces in vocabulary order. Stops at `size` pieces
    /// or when every word is a single piece.
    static func train(_ texts: [String], size: Int) -> [String] {
        var wordCounts: [String: Int] = [:]
        for text in texts {
            for word in words(text) where word.count <= maxWordLength { wordCounts[word, default: 0] += 1 }
        }
        let corpus = wordCounts.sorted { $0.key < $1.key }

        // Pieces are interned: `pieces[id]` is the text, ids are vocabulary order.
        var pieces: [String] = []
        var idOf: [String: Int] = [:]
        func intern(_ piece: String) -> Int {
            if let id = idOf[piece] { return id }
            idOf[piece] = pieces.count
            pieces.append(piece)
            return pieces.count - 1
        }
        let alphabet = Set(corpus.flatMap { word, _ in
            word.enumerated().map { index, character in (index == 0 ? "" : continuation) + String(character) }
        }).sorted()
        alphabet.forEach { _ = intern($0) }
        var splits: [[Int]] = corpus.map { word, _ in
            word.enumerated().map { index, character in idOf[(index == 0 ? "" : continuation) + String(character)]! }
        }
        let frequencies = corpus.map(\.value)

        while pieces.count < size {
            var pairCounts: [Int: Int] = [:]
            var pieceCounts = [Int](repeating: 0, count: pieces.count)
            for (split, frequency) in zip(splits, frequencies) {
                for (index, piece) in split.enumerated() {
                    pieceCounts[piece] += frequency
                    if index + 1 < split.count { pairCounts[piece << 32 | split[index + 1], default: 0] += frequency }
                }
            }
            var best: (pair: Int, score: Double, count: Int)?
            for (pair, count) in pairCounts {
                let score = Double(count) / (Double(pieceCounts[pair >> 32]) * Double(pieceCounts[pair & 0xffff_ffff]))
                if let current = best {
                    if score < current.score { continue }
                    if score == current.score && (count < current.count || (count == current.count && pair > current.pair)) {
                        continue
                    }
                }
                best = (pair, score, count)
            }
            guard let best else { break }
            let left = best.pair >> 32, right = best.pair & 0xffff_ffff
            // The right piece never starts a word, so it always carries the "##" mark.
            let merged = intern(pieces[left] + pieces[right].dropFirst(continuation.count))
            for s in splits.indices where splits[s].count > 1 {
                var out: [Int] = []
                out.reserveCapacity(splits[s].count)
                var i = 0
                while i < splits[s].count {
                    if i + 1 < splits[s].count, splits[s][i] == left, splits[s][i + 1] == right {
                        out.append(merged)
                        i += 2
                    } else {
                        out.append(splits[s][i])
                        i += 1
                    }
                }
                splits[s] = out
            }
        }
        return pieces
    }
}
