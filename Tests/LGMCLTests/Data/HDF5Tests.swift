import Foundation
@testable import LGMCL
import Testing

struct HDF5Tests {
    let directory = SyntheticRecords.temporaryDirectory()

    @Test func appendedRowsReadBackByRange() throws {
        let path = directory.appendingPathComponent("rows.h5").path
        do {
            let file = try HDF5File.create(path)
            let matrix = try file.createDataset("/a/b/matrix", of: Float.self, columns: [3], chunkRows: 4)
            try matrix.append((0 ..< 15).map(Float.init))
            try matrix.append((15 ..< 30).map(Float.init))
            let flat = try file.createDataset("/flat", of: Int64.self)
            try flat.append([Int64.min, -1, 0, Int64.max])
            try file.close()
        }
        let file = try HDF5File.open(path)
        let matrix = try file.dataset("/a/b/matrix")
        #expect(try matrix.shape == [10, 3])
        #expect(try matrix.chunkRows == 4)
        #expect(try matrix.elementType == "float32")
        #expect(try matrix.read(rows: 3 ..< 6, as: Float.self) == (9 ..< 18).map(Float.init))
        // HDF5 converts on read: the same rows as float64.
        #expect(try matrix.read(rows: 9 ..< 10, as: Double.self) == [27, 28, 29])
        #expect(try file.dataset("/flat").readAll(as: Int64.self) == [Int64.min, -1, 0, Int64.max])
    }

    @Test func unicodeStringsAndAttributesRoundTrip() throws {
        let path = directory.appendingPathComponent("strings.h5").path
        let strings = ["", "CCO", "Cl–C ñ 😀", String(repeating: "x", count: 10_000)]
        do {
            let file = try HDF5File.create(path)
            try file.createStringDataset("/s", chunkRows: 2).append(strings: strings)
            try file.setAttribute("version", 42)
            try file.setAttribute("name", "α-β")
            try file.setAttribute("names", ["a", "ß", ""], on: "/s")
            try file.close()
        }
        let file = try HDF5File.open(path)
        #expect(try file.dataset("/s").readAllStrings() == strings)
        #expect(try file.dataset("/s").readStrings(rows: 2 ..< 3) == ["Cl–C ñ 😀"])
        #expect(try file.integerAttribute("version") == 42)
        #expect(try file.stringAttribute("name") == "α-β")
        #expect(try file.stringsAttribute("names", on: "/s") == ["a", "ß", ""])
        #expect(try file.integerAttribute("absent") == nil)
    }

    @Test func errorsNameTheFileTheObjectAndHDF5sReason() throws {
        let path = directory.appendingPathComponent("errors.h5").path
        let file = try HDF5File.create(path)
        try file.createDataset("/x", of: Int32.self).append([1, 2, 3])
        let duplicate = #expect(throws: HDF5Error.self) { try file.createDataset("/x", of: Int32.self) }
        #expect(duplicate?.description.contains("errors.h5: /x: creating the dataset failed") == true)
        #expect(duplicate?.reasons.isEmpty == false)
        let outOfRange = #expect(throws: HDF5Error.self) { try file.dataset("/x").read(rows: 2 ..< 5, as: Int32.self) }
        #expect(outOfRange?.description.contains("dataset has 3 rows") == true)
        let missing = #expect(throws: HDF5Error.self) { try file.dataset("/nothing/here") }
        #expect(missing?.description.contains("no such dataset") == true)

        let text = directory.appendingPathComponent("notes.h5").path
        try "just text\n".write(toFile: text, atomically: true, encoding: .utf8)
        let foreign = #expect(throws: HDF5Error.self) { try HDF5File.open(text) }
        #expect(foreign?.description == "\(text): opening failed (not an HDF5 file)")
    }
}
