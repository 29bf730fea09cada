import Foundation
@testable import LGMCL
import TestSupport
import Testing

struct CSVInputTests {
    let directory = SyntheticRecords.temporaryDirectory()

    func write(_ name: String, _ bytes: [UInt8]) -> String {
        let path = directory.appendingPathComponent(name).path
        FileManager.default.createFile(atPath: path, contents: Data(bytes))
        return path
    }

    func rows(_ path: String) throws -> [[String]] {
        let input = try CSVInput(path: path)
        var rows: [[String]] = []
        while let row = try input.next() { rows.append(row) }
        return rows
    }

    @Test func quotesCRLFAndAByteOrderMarkAreHandled() throws {
        let text = "\u{FEFF}smiles,name\r\n\"C(=O)O\",\"acetic, acid\"\r\nCCO,\"say \"\"hi\"\"\nthere\"\r\n\r\n\r\n"
        let path = write("quoted.csv", Array(text.utf8))
        let input = try CSVInput(path: path)
        #expect(input.header == ["smiles", "name"])
        #expect(try rows(path) == [["C(=O)O", "acetic, acid"], ["CCO", "say \"hi\"\nthere"]])
    }

    @Test func gzipIsReadLikeThePlainFile() throws {
        let plain = repositoryData.appendingPathComponent("moleculenet/esol.csv").path
        let gz = directory.appendingPathComponent("esol.csv.gz").path
        #expect(try run("/bin/sh", ["-c", "gzip -c '\(plain)' > '\(gz)'"]).status == 0)
        let a = try rows(plain), b = try rows(gz)
        #expect(a.count == 1128)
        #expect(a == b)
    }

    @Test func malformedFilesAreErrorsWithRowNumbers() throws {
        let ragged = write("ragged.csv", Array("a,b\n1,2\n3\n".utf8))
        let error = #expect(throws: DatasetError.self) { try rows(ragged) }
        #expect(error?.description == "\(ragged): row 2 has 1 fields, the header has 2")

        let blank = write("blank.csv", Array("a,b\n1,2\n\n3,4\n".utf8))
        #expect((#expect(throws: DatasetError.self) { try rows(blank) })?.description == "\(blank): row 2 is blank")

        let empty = write("empty.csv", [])
        #expect((#expect(throws: DatasetError.self) { try CSVInput(path: empty) })?.description == "\(empty): empty file: no header row")

        let missing = directory.appendingPathComponent("absent.csv").path
        #expect((#expect(throws: DatasetError.self) { try CSVInput(path: missing) })?.description == "\(missing): no such file")

        let column = #expect(throws: DatasetError.self) { try CSVInput(path: ragged).column("smiles", role: "SMILES") }
        #expect(column?.description == "\(ragged): no SMILES column 'smiles'; the header has 'a', 'b' (hint: name it with --smiles-column)")
    }

    @Test func aTruncatedGzipFileIsAnErrorNotAShorterFile() throws {
        let plain = repositoryData.appendingPathComponent("moleculenet/bbbp.csv").path
        let gz = directory.appendingPathComponent("bbbp.csv.gz").path
        #expect(try run("/bin/sh", ["-c", "gzip -c '\(plain)' | head -c 15000 > '\(gz)'"]).status == 0)
        let error = #expect(throws: DatasetError.self) { try rows(gz) }
        #expect(error?.description == "\(gz): the gzip stream ends early: the file is truncated")

        var corrupt = [UInt8](try Data(contentsOf: URL(fileURLWithPath: gz)))
        for i in 200 ..< 260 { corrupt[i] ^= 0x5A }
        let bad = write("corrupt.csv.gz", corrupt)
        let corruption = #expect(throws: DatasetError.self) { try rows(bad) }
        #expect(corruption?.description.hasPrefix("\(bad): corrupt compressed data") == true)
    }
}

struct RecordCodingTests {
    @Test func outcomesSurviveTheByteEncoding() {
        var outcomes: [RowOutcome] = (0 ..< 20).map { .molecule(SyntheticRecords.record($0, taskCount: 2, withSplit: $0 % 2 == 0)) }
        outcomes.insert(.rejected(row: 7, smiles: "C1CC", reason: "SMILES Parse Error: unclosed ring, ünïcode"), at: 5)
        var coding = RecordCoding()
        outcomes.forEach { coding.append($0) }
        var reader = RecordCoding.Reader(coding.bytes)
        var decoded: [RowOutcome] = []
        while !reader.isAtEnd { decoded.append(reader.outcome()) }
        #expect(decoded == outcomes)
    }

    @Test func rejectsAreQuotedAsCSV() {
        #expect(RejectsWriter.quoted("plain") == "plain")
        #expect(RejectsWriter.quoted("a,b") == "\"a,b\"")
        #expect(RejectsWriter.quoted("say \"x\"") == "\"say \"\"x\"\"\"")
    }

    @Test func progressLinesCarryRateAndETA() {
        let start = Date(timeIntervalSince1970: 0)
        var progress = Progress(total: 1000, interval: 10, start: start)
        #expect(progress.update(done: 100, written: 99, rejected: 1, now: start.addingTimeInterval(5)) == nil)
        #expect(progress.update(done: 200, written: 198, rejected: 2, now: start.addingTimeInterval(10))
                == "preprocess: 200/1000 rows (20.0%), 20 rows/s, ETA 40s; 198 molecules, 2 rejected")
    }
}
