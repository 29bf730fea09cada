/// A fingerprint of a split column, so that results of different tools can be shown to come from
/// the same split: lower-case hex SHA-256 of the column's cells (`train`, `val`, `test`, or empty
/// for a row without a molecule) concatenated in row order, as `scripts/run_chemprop.py` computes it
/// (it keeps the first 12 digits).
public enum SplitDigest {
    public static func of(_ cells: [String]) -> String {
        SHA256Digest.of(Array(cells.joined().utf8))
    }

    /// Whether two digests (one possibly shortened to a prefix) name the same split.
    public static func matches(_ a: String, _ b: String) -> Bool {
        let length = min(a.count, b.count)
        return length >= 8 && a.prefix(length) == b.prefix(length)
    }
}
