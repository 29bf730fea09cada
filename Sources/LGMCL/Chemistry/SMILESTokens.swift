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
}
