import Foundation
@testable import LGMCL
import Testing
import TestSupport

/// The join that makes llm_text/NAME_llm.csv from the LGM-CL authors' two files, on small tables
/// written in their format (CRLF rows, descriptions over many lines in quoted fields).
struct LLMDescriptionTableTests {
    static func table(_ name: String, _ text: String) throws -> CSVTable {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("lgmcl-llm-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: directory) }
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let url = directory.appendingPathComponent(name)
        try Data(text.utf8).write(to: url)
        return try CSVTable(contentsOf: url)
    }

    static let descriptions = "id,text\r\n1,\"\n  \"\"basic_identity\"\": \n    \"\"core_scaffold\"\": \"\"Benzene, alone\"\"\n  ,\n\"\r\n2,\"\n\t\"\"size\"\": \"\"Small\"\"\n\"\r\n"

    @Test func moleculesAndDescriptionsBecomeOneRowEachOnOneLine() throws {
        let molecules = try Self.table("m.csv", "smiles,p_np\r\nc1ccccc1 ,1\r\nCCO,0\r\n")
        let joined = try LLMDescriptionTable.joined(molecules: molecules, descriptions: try Self.table("d.csv", Self.descriptions))
        let expected = "smiles,p_np,description\r\n"
            + "c1ccccc1,1,\"\"\"basic_identity\"\": \"\"core_scaffold\"\": \"\"Benzene, alone\"\" ,\"\r\n"
            + "CCO,0,\"\"\"size\"\": \"\"Small\"\"\"\r\n"
        #expect(String(decoding: joined, as: UTF8.self) == expected)
    }

    /// ESOL: the authors' file carries a model's prediction; the measured value comes from the
    /// MoleculeNet copy, matched by molecule whatever the spelling, the later of two rows winning.
    @Test func measuredLabelsAreLookedUpByMolecule() throws {
        let molecules = try Self.table("m.csv", "smiles,predicted\r\nc1ccccc1,9\r\nOCC,8\r\n")
        let measured = try Self.table("esol.csv", "smiles,logSolubility\nCCO,0.5\nC1=CC=CC=C1,-2.1\nC(C)O,0.7\n")
        let joined = try LLMDescriptionTable.joined(molecules: molecules, descriptions: try Self.table("d.csv", Self.descriptions),
                                                    measuredLabels: .init(table: measured, column: "logSolubility"))
        let rows = String(decoding: joined, as: UTF8.self).components(separatedBy: "\r\n")
        #expect(rows[0] == "smiles,logSolubility,description")
        #expect(rows[1].hasPrefix("c1ccccc1,-2.1,\""))
        #expect(rows[2].hasPrefix("OCC,0.7,\""))

        let unknown = try Self.table("m.csv", "smiles,predicted\r\nc1ccccc1,9\r\nCCN,8\r\n")
        #expect(throws: CSVTableError(description: "m.csv row 2: CCN has no logSolubility in esol.csv")) {
            try LLMDescriptionTable.joined(molecules: unknown, descriptions: try Self.table("d.csv", Self.descriptions),
                                           measuredLabels: .init(table: measured, column: "logSolubility"))
        }
    }

    /// The files are matched by position, so anything that says they no longer line up stops the join.
    @Test func filesThatDoNotLineUpAreRefused() throws {
        let molecules = try Self.table("m.csv", "smiles,y\r\nC,1\r\nCC,0\r\n")
        #expect(throws: CSVTableError(description: "d.csv row 2 has id 3, expected 2")) {
            try LLMDescriptionTable.joined(molecules: molecules, descriptions: try Self.table("d.csv", "id,text\r\n1,a\r\n3,b\r\n"))
        }
        #expect(throws: CSVTableError(description: "d.csv describes 1 molecules, m.csv has 2")) {
            try LLMDescriptionTable.joined(molecules: molecules, descriptions: try Self.table("d.csv", "id,text\r\n1,a\r\n"))
        }
    }

    @Test func whitespaceRunsBecomeOneSpace() {
        #expect(LLMDescriptionTable.singleLine("\n  a \t\n b\r\n c  ") == "a b c")
    }
}
