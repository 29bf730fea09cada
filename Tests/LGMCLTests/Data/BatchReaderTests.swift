@testable import LGMCL
import Testing

struct BatchReaderTests {
    static let count = 1_300
    static let path = Result { try SyntheticRecords.writeDataset(count: count, taskCount: 3) }

    @Test(arguments: [1, 3])
    func batchesHoldExactlyTheRecordsOfTheirMolecules(rankCount: Int) throws {
        let dataset = try MoleculeDataset(path: Self.path.get())
        let options = BatchOptions(maxSMILESTokens: 24, maxDescriptionTokens: 200, paddingID: -1)
        var seen: [Int] = []
        for rank in 0 ..< rankCount {
            let plan = try ShardPlan.training(dataset.epochOrder(windowBlocks: 2), seed: 11, epoch: 2,
                                              globalBatchSize: 48, rank: rank, rankCount: rankCount)
            let reader = BatchReader(dataset: dataset, plan: plan, options: options, readAhead: 2, cachedBlocks: 3)
            var k = 0
            while let batch = try reader.next() {
                #expect(batch.batchIndex == k)
                #expect(batch.moleculeIndices == Array(plan.share(ofBatch: k)))
                try check(batch, options: options)
                seen += batch.moleculeIndices
                k += 1
            }
            #expect(k == Self.count / 48)
        }
        #expect(Set(seen).count == seen.count)
        #expect(seen.count == (Self.count / 48) * 48)
    }

    @Test func aSequentialPassReadsEveryMoleculeInOrder() throws {
        let dataset = try MoleculeDataset(path: Self.path.get())
        let plan = try ShardPlan.sequential(Array(0 ..< dataset.count), globalBatchSize: 100)
        let reader = BatchReader(dataset: dataset, plan: plan, options: BatchOptions(maxSMILESTokens: 512, maxDescriptionTokens: 512))
        var all: [Int] = []
        while let batch = try reader.next() { all += batch.moleculeIndices }
        #expect(all == Array(0 ..< Self.count))
    }

    @Test func resumingMidEpochGivesTheRemainingBatches() throws {
        let dataset = try MoleculeDataset(path: Self.path.get())
        let plan = try ShardPlan.training(dataset.epochOrder(), seed: 3, epoch: 0, globalBatchSize: 64)
        let reader = BatchReader(dataset: dataset, plan: plan, options: BatchOptions(maxSMILESTokens: 8, maxDescriptionTokens: 8), firstBatch: 15)
        var indices: [Int] = []
        while let batch = try reader.next() { indices.append(batch.batchIndex) }
        #expect(indices == Array(15 ..< plan.batchCount))
    }

    /// Rebuilds every field from the records the batch claims to hold.
    func check(_ batch: MoleculeBatch, options: BatchOptions) throws {
        let records = batch.moleculeIndices.map { SyntheticRecords.record($0, taskCount: 3) }
        var atomBase: Int32 = 0
        var atomFeatures: [Float] = [], edges: [Int32] = [], bonds: [Float] = [], molecule: [Int32] = []
        var fingerprints: [Float] = [], labels: [Float] = [], mask: [Float] = []
        for (m, r) in records.enumerated() {
            #expect(batch.atomOffsets[m] == atomBase)
            #expect(batch.edgeOffsets[m] == Int32(edges.count / 2))
            atomFeatures += r.atomFeatures
            edges += r.edgeIndex.map { $0 + atomBase }
            bonds += r.bondFeatures
            molecule += Array(repeating: Int32(m), count: r.atomCount)
            fingerprints += r.maccs.map(Float.init) + r.pubchem.map(Float.init) + r.erg
            labels += r.labels.map { $0.isNaN ? 0 : $0 }
            mask += r.labels.map { $0.isNaN ? 0 : 1 }
            atomBase += Int32(r.atomCount)
        }
        #expect(batch.atomFeatures == atomFeatures)
        #expect(batch.edgeIndex == edges)
        #expect(batch.bondFeatures == bonds)
        #expect(batch.atomMolecule == molecule)
        #expect(batch.fingerprints == fingerprints)
        #expect(batch.fingerprints.count == records.count * DatasetSchema.fingerprintCount)
        #expect(batch.labels == labels)
        #expect(batch.labelMask == mask)

        let smiles = batch.smilesTokens
        #expect(smiles.length == min(24, records.map(\.smilesTokens.count).max()!))
        for (m, r) in records.enumerated() {
            let row = Array(smiles.ids[m * smiles.length ..< (m + 1) * smiles.length])
            let expected = r.smilesTokens.count <= smiles.length
                ? r.smilesTokens : Array(r.smilesTokens.prefix(smiles.length - 1)) + [r.smilesTokens.last!]
            #expect(row == expected + Array(repeating: -1, count: smiles.length - expected.count))
            #expect(Array(smiles.mask[m * smiles.length ..< (m + 1) * smiles.length])
                    == Array(repeating: 1, count: expected.count) + Array(repeating: 0, count: smiles.length - expected.count))
            let d = batch.descriptionTokens
            #expect(Array(d.ids[m * d.length ..< m * d.length + r.descriptionTokens.count]) == r.descriptionTokens)
            #expect(d.lengths[m] == Int32(r.descriptionTokens.count))
        }
    }
}
