import Foundation

/// The data directory's `llm_text/NAME_llm.csv` made from what the LGM-CL authors publish: a
/// molecules file (SMILES, labels) and a descriptions file (`id,text`, row i describing molecule
/// i, each text a JSON object pretty-printed over many lines with its braces already removed).
///
/// The result has one row per molecule: the SMILES without surrounding spaces, the labels, and
/// the description on one line (every run of whitespace one space), so that a description is
/// one CSV field on one line that any reader and `head` handle. Rows end in CRLF and fields are
/// quoted only when they must be, as the authors' own files are written.
public enum LLMDescriptionTable {
    /// Labels looked up by molecule in another table, in place of the molecules file's own.
    public struct MeasuredLabels {
        public var table: CSVTable
        public var column: String

        public init(table: CSVTable, column: String) {
            self.table = table
            self.column = column
        }
    }

    public static func joined(molecules: CSVTable, descriptions: CSVTable, measuredLabels: MeasuredLabels? = nil) throws -> Data {
        guard descriptions.header == ["id", "text"] else {
            throw CSVTableError(description: "\(descriptions.file): expected the columns id,text, found \(descriptions.header.joined(separator: ","))")
        }
        guard descriptions.rows.count == molecules.rows.count else {
            throw CSVTableError(description: "\(descriptions.file) describes \(descriptions.rows.count) molecules, \(molecules.file) has \(molecules.rows.count)")
        }
        guard molecules.header.count >= 2 else {
            throw CSVTableError(description: "\(molecules.file): expected a SMILES column and label columns, found \(molecules.header.joined(separator: ","))")
        }
        let measured = try measuredLabels.map { try MeasuredLookup($0) }
        let labelHeader = measuredLabels.map { [$0.column] } ?? Array(molecules.header.dropFirst())

        var lines = [([molecules.header[0]] + labelHeader + ["description"])]
        for (index, (molecule, description)) in zip(molecules.rows, descriptions.rows).enumerated() {
            // The two files are matched by position; the id says whether they still line up.
            guard description[0] == String(index + 1) else {
                throw CSVTableError(description: "\(descriptions.describeRow(index)) has id \(description[0]), expected \(index + 1)")
            }
            let smiles = molecule[0].trimmingCharacters(in: .whitespacesAndNewlines)
            let labels = try measured.map { [try $0.label(of: smiles, row: molecules.describeRow(index))] } ?? Array(molecule.dropFirst())
            lines.append([smiles] + labels + [singleLine(description[1])])
        }
        let text = lines.map { $0.map(RejectsWriter.quoted).joined(separator: ",") + "\r\n" }.joined()
        return Data(text.utf8)
    }

    /// The text with every run of whitespace (line breaks and indentation included) as one space.
    public static func singleLine(_ text: String) -> String {
        text.split(whereSeparator: \.isWhitespace).joined(separator: " ")
    }

    /// Molecules are matched by RDKit's canonical SMILES: ESOL's two sources spell some
    /// molecules differently. A molecule listed twice takes the later row's label.
    struct MeasuredLookup {
        let file: String
        let column: String
        let labels: [String: String]

        init(_ measured: MeasuredLabels) throws {
            let smilesIndex = try measured.table.columnIndex("smiles")
            let labelIndex = try measured.table.columnIndex(measured.column)
            var labels: [String: String] = [:]
            for row in measured.table.rows {
                guard let key = Self.key(row[smilesIndex]) else { continue }
                labels[key] = row[labelIndex]
            }
            self.file = measured.table.file
            self.column = measured.column
            self.labels = labels
        }

        func label(of smiles: String, row: String) throws -> String {
            guard let key = Self.key(smiles) else {
                throw CSVTableError(description: "\(row): RDKit cannot parse '\(smiles)', so it has no \(column) in \(file)")
            }
            guard let label = labels[key] else {
                throw CSVTableError(description: "\(row): \(smiles) has no \(column) in \(file)")
            }
            return label
        }

        static func key(_ smiles: String) -> String? {
            try? Molecule(smiles: smiles.trimmingCharacters(in: .whitespacesAndNewlines),
                          options: MoleculeOptions(maxAtoms: .max)).canonicalSMILES
        }
    }
}
