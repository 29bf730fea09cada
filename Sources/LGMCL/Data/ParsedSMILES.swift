/// The molecules of a table's SMILES column: the rows RDKit accepted, and the rows it rejected
/// with its reason, so that a bad row is reported and skipped, never silently lost.
public struct ParsedSMILES {
    /// Table rows that parsed, in table order.
    public let rows: [Int]
    public let molecules: [Molecule]
    /// Table rows that did not parse, with the reason (RDKit's or lgmcl's).
    public let failures: [(row: Int, reason: String)]

    public init(_ table: CSVTable, column: String, options: MoleculeOptions = .init()) throws {
        let cells = try table.column(column)
        var rows: [Int] = [], molecules: [Molecule] = [], failures: [(Int, String)] = []
        for (row, smiles) in cells.enumerated() {
            do {
                molecules.append(try Molecule(smiles: smiles, options: options))
                rows.append(row)
            } catch let error as MoleculeError {
                failures.append((row, "SMILES '\(smiles)' is invalid (\(error.reason))"))
            }
        }
        self.rows = rows
        self.molecules = molecules
        self.failures = failures
    }
}
