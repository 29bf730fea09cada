import Foundation
@testable import LGMCL
import TestSupport
import Testing

struct DatasetFileTests {
    @Test(arguments: [(0, 0, false), (1, 3, true), (1300, 2, true)])
    func writtenRecordsReadBackUnchanged(count: Int, tasks: Int, split: Bool) throws {
        let path = try SyntheticRecords.writeDataset(count: count, taskCount: tasks, withSplit: split)
        let dataset = try MoleculeDataset(path: path)
        #expect(dataset.count == count)
        #expect(dataset.taskNames == SyntheticRecords.metadata(taskCount: tasks).taskNames)
        #expect(dataset.vocabulary == SyntheticRecords.metadata().vocabulary)
        #expect(dataset.vocabularySHA256 == "synthetic")
        #expect(dataset.hasSplit == split)
        #expect(dataset.moleculesPerChunk == DatasetSchema.moleculesPerChunk)
        if count > 0 {
            let block = try dataset.read(0 ..< count, includeText: true)
            for i in 0 ..< count {
                let expected = SyntheticRecords.record(i, taskCount: tasks, withSplit: split)
                #expect(block.record(at: i) == expected, "molecule \(i)")
            }
            // A block in the middle, crossing a chunk boundary, rebases its offsets.
            let middle = try dataset.read(500 % count ..< min(count, 530), includeText: true)
            #expect(middle.record(at: middle.range.lowerBound) == SyntheticRecords.record(middle.range.lowerBound, taskCount: tasks, withSplit: split))
        }
        // Nothing but the finished file is left in the directory.
        let directory = URL(fileURLWithPath: path).deletingLastPathComponent().path
        #expect(try FileManager.default.contentsOfDirectory(atPath: directory) == ["data.h5"])
    }

    @Test func anAbandonedWriterLeavesNothing() throws {
        let directory = SyntheticRecords.temporaryDirectory()
        let path = directory.appendingPathComponent("data.h5").path
        do {
            let writer = try DatasetWriter(path: path, metadata: SyntheticRecords.metadata())
            for i in 0 ..< 700 { try writer.append(SyntheticRecords.record(i)) }
            #expect(try FileManager.default.contentsOfDirectory(atPath: directory.path).count == 1)
        }
        #expect(try FileManager.default.contentsOfDirectory(atPath: directory.path).isEmpty)
    }

    @Test func recordsThatBreakTheSchemaAreRefused() throws {
        let path = SyntheticRecords.temporaryDirectory().appendingPathComponent("data.h5").path
        let writer = try DatasetWriter(path: path, metadata: SyntheticRecords.metadata())
        var record = SyntheticRecords.record(3)
        record.edgeIndex[0] = Int32(record.atomCount)
        let error = #expect(throws: DatasetError.self) { try writer.append(record) }
        #expect(error?.description.contains("edge index outside") == true)
        record = SyntheticRecords.record(3)
        record.labels = [1]
        #expect(throws: DatasetError.self) { try writer.append(record) }
    }

    /// A token id past the vocabulary would index outside the embedding table (ids of 5×10⁷ once
    /// ended text pretraining with SIGSEGV): reading the molecule names the file, dataset, molecule.
    @Test func tokenIdsOutsideTheVocabularyAreRefusedWhenRead() throws {
        for (field, id) in [("/text/smiles_tokens", Int32(999_999)), ("/text/description_tokens", Int32(-1))] {
            let path = SyntheticRecords.temporaryDirectory().appendingPathComponent("tokens.h5").path
            let writer = try DatasetWriter(path: path, metadata: SyntheticRecords.metadata())
            for i in 0 ..< 20 {
                var record = SyntheticRecords.record(i)
                if i == 7 {
                    if field.hasSuffix("smiles_tokens") { record.smilesTokens[1] = id } else { record.descriptionTokens[0] = id }
                }
                try writer.append(record)
            }
            try writer.finish()
            let dataset = try MoleculeDataset(path: path)
            #expect(throws: Never.self) { try dataset.read(0 ..< 7) }
            let error = #expect(throws: DatasetError.self) { try dataset.read(0 ..< 20) }
            #expect(error?.description == "\(path): \(field) of molecule 7 holds token id \(id), outside the vocabulary of 50 tokens")
        }
    }

    @Test func wrongVersionForeignAndUnfinishedFilesGetClearErrors() throws {
        let path = try SyntheticRecords.writeDataset(count: 10)
        do {
            let file = try HDF5File.open(path, writable: true)
            try file.setAttribute("schema_version", 2)
            try file.close()
        }
        let version = #expect(throws: DatasetError.self) { try MoleculeDataset(path: path) }
        #expect(version?.description == "\(path): schema_version 2, expected 1 (hint: re-run lgmcl-dist preprocess)")

        let foreignPath = SyntheticRecords.temporaryDirectory().appendingPathComponent("x.h5").path
        do {
            let file = try HDF5File.create(foreignPath)
            try file.createDataset("/images", of: UInt8.self, columns: [28, 28]).append([UInt8](repeating: 1, count: 784))
            try file.close()
        }
        let foreign = #expect(throws: DatasetError.self) { try MoleculeDataset(path: foreignPath) }
        #expect(foreign?.description == "\(foreignPath): not an lgmcl dataset: no /graph/atom_offsets")

        let missing = #expect(throws: DatasetError.self) { try MoleculeDataset(path: foreignPath + ".absent") }
        #expect(missing?.description.contains("no such file") == true)
    }

    @Test func datasetsOfTheWrongShapeAreNamed() throws {
        // Lay out a file by hand whose atom features have 56 columns.
        let path = SyntheticRecords.temporaryDirectory().appendingPathComponent("bad.h5").path
        do {
            let file = try HDF5File.create(path)
            try file.setAttribute("schema_version", 1)
            try file.setAttribute("num_molecules", 1)
            try file.createStringDataset("/smiles").append(strings: ["C"])
            try file.createDataset("/source_row", of: Int64.self).append([Int64(0)])
            try file.createDataset("/graph/atom_offsets", of: Int64.self).append([Int64(0), 1])
            try file.createDataset("/graph/atom_features", of: Float.self, columns: [56]).append([Float](repeating: 0, count: 56))
            try file.close()
        }
        let error = #expect(throws: DatasetError.self) { try MoleculeDataset(path: path) }
        #expect(error?.description == "\(path): /graph/atom_features has shape [1, 56], expected [*, 57] for 1 molecules")
    }

    /// scripts/make_h5py_fixture.py wrote this file with h5py and the same values as JSON.
    @Test func aFileWrittenByH5pyReadsAsDocumented() throws {
        let fixtures = repositoryRoot.appendingPathComponent("Tests/LGMCLTests/Fixtures/Data")
        let dataset = try MoleculeDataset(path: fixtures.appendingPathComponent("h5py_dataset.h5").path)
        let json = try JSONSerialization.jsonObject(with: Data(contentsOf: fixtures.appendingPathComponent("h5py_dataset.json"))) as! [String: Any]
        func floats(_ key: String) -> [[Float]] { (json[key] as! [[Any]]).map { $0.map { ($0 as? NSNumber)?.floatValue ?? .nan } } }
        func ints(_ key: String) -> [[Int]] { json[key] as! [[Int]] }

        #expect(dataset.count == 3)
        #expect(dataset.taskNames == json["task_names"] as! [String])
        #expect(dataset.vocabulary == json["vocab"] as! [String])
        #expect(dataset.vocabularySHA256 == "fixture-vocabulary")
        #expect(try dataset.splits() == (json["split"] as! [String]))
        let atomCounts = json["atom_counts"] as! [Int], edgeCounts = json["edge_counts"] as! [Int]
        let atomFeatures = floats("atom_features"), bondFeatures = floats("bond_features"), edgeIndex = ints("edge_index")
        var atom = 0, edge = 0
        for i in 0 ..< 3 {
            let r = try dataset.record(at: i)
            #expect(r.smiles == (json["smiles"] as! [String])[i])
            #expect(r.sourceRow == Int64((json["source_row"] as! [Int])[i]))
            #expect(r.atomCount == atomCounts[i])
            #expect(r.atomFeatures == Array(atomFeatures[atom ..< atom + atomCounts[i]].joined()))
            #expect(r.edgeIndex == edgeIndex[edge ..< edge + edgeCounts[i]].joined().map { Int32($0) })
            #expect(r.bondFeatures == Array(bondFeatures[edge ..< edge + edgeCounts[i]].joined()))
            #expect(r.maccs == ints("maccs")[i].map { UInt8($0) })
            #expect(r.pubchem == ints("pubchem")[i].map { UInt8($0) })
            #expect(r.erg == floats("erg")[i])
            #expect(r.smilesTokens == ints("smiles_tokens")[i].map { Int32($0) })
            #expect(r.description == (json["description"] as! [String])[i])
            #expect(r.descriptionTokens == ints("description_tokens")[i].map { Int32($0) })
            let labels = floats("labels")[i]
            #expect(zip(r.labels, labels).allSatisfy { $0 == $1 || ($0.isNaN && $1.isNaN) })
            atom += atomCounts[i]
            edge += edgeCounts[i]
        }
    }
}
