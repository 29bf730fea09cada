/// Splits SMILES into the tokens of the standard SMILES regular expression (Schwaller et al.,
/// ACS Cent. Sci. 2019): bracket atoms whole, Br and Cl as one token, ring closures %nn whole,
/// every other character alone.
///
///     (\[[^\]]+]|Br?|Cl?|N|O|S|P|F|I|b|c|n|o|s|p|\(|\)|\.|=|#|-|\+|\\|\/|:|~|@|\?|>|\*|\$|\%[0-9]{2}|[0-9])
///
/// Characters outside the expression (and an unclosed "[") become single-character tokens, which
/// the vocabulary maps to [UNK] unless it knows them; nothing is dropped silently.
enum SMILESTokens {
    static func split(_ smiles: String) -> [String] {
        let scalars = Array(smiles.unicodeScalars)
        var tokens: [String] = []
        var i = 0
        func take(_ n: Int) {
            var token = String.UnicodeScalarView()
            token.append(contentsOf: scalars[i..<(i + n)])
            tokens.append(String(token))
            i += n
        }
        while i < scalars.count {
            let c = scalars[i]
            let next: Unicode.Scalar? = i + 1 < scalars.count ? scalars[i + 1] : nil
            if c == "[", let close = scalars[(i + 1)...].firstIndex(of: "]"), close > i + 1 {
                take(close - i + 1)
            } else if (c == "B" && next == "r") || (c == "C" && next == "l") {
                take(2)
            } else if c == "%", i + 2 < scalars.count, ("0"..."9").contains(scalars[i + 1]),
                      ("0"..."9").contains(scalars[i + 2]) {
                take(3)
            } else {
                take(1)
            }
        }
        return tokens
    }

    /// The atoms written in a SMILES, counted without parsing it: bracket atoms, organic-subset
    /// symbols (Br and Cl as one) and `*`, up to the whitespace that ends a SMILES (leading
    /// whitespace skipped, as RDKit does). Exact for every valid SMILES, so molecules above an atom
    /// limit are turned away before RDKit's parser, whose time grows with the cube of a long
    /// chain's length (2,000 atoms take ~20 s).
    static func atomCount(_ smiles: String) -> Int {
        var count = 0
        var insideBracket = false
        var started = false
        for c in smiles.unicodeScalars {
            let space = c == " " || c == "\t" || c == "\n" || c == "\r"
            if !started {
                if space { continue }
                started = true
            } else if space && !insideBracket {
                break
            }
            if insideBracket {
                if c == "]" { insideBracket = false }
            } else if c == "[" {
                insideBracket = true
                count += 1
            } else if "BCNOPSFIbcnops*".unicodeScalars.contains(c) {
                // The r of Br and the l of Cl are not in the set: each pair counts once.
                count += 1
            }
        }
        return count
    }
}

