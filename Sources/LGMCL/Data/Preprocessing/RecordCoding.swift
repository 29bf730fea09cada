import Foundation

/// A compact byte encoding of molecule records and rejected rows, for gathering one round of
/// preprocessing from every rank to rank 0 (MPI moves bytes; this is not a file format).
struct RecordCoding {
    private(set) var bytes: [UInt8] = []

    mutating func append<T: FixedWidthInteger>(_ value: T) {
        withUnsafeBytes(of: value.littleEndian) { bytes += $0 }
    }

    mutating func append<T>(array: [T]) {
        append(Int64(array.count))
        array.withUnsafeBytes { bytes += $0 }
    }

    mutating func append(string: String) {
        append(array: Array(string.utf8))
    }

    mutating func append(_ outcome: RowOutcome) {
        switch outcome {
        case .molecule(let r):
            append(UInt8(1))
            append(string: r.smiles)
            append(r.sourceRow)
            append(Int64(r.atomCount))
            append(array: r.atomFeatures)
            append(array: r.edgeIndex)
            append(array: r.bondFeatures)
            append(array: r.maccs)
            append(array: r.pubchem)
            append(array: r.erg)
            append(string: r.description)
            append(array: r.smilesTokens)
            append(array: r.descriptionTokens)
            append(array: r.labels)
            append(UInt8(r.split == nil ? 0 : 1))
            append(string: r.split ?? "")
            append(UInt8(r.scaffold == nil ? 0 : 1))
            append(string: r.scaffold ?? "")
        case .rejected(let row, let smiles, let reason):
            append(UInt8(0))
            append(Int64(row))
            append(string: smiles)
            append(string: reason)
        }
    }

    /// Reads back what `append` wrote, in order.
    struct Reader {
        let bytes: [UInt8]
        var position = 0

        init(_ bytes: [UInt8]) { self.bytes = bytes }

        var isAtEnd: Bool { position >= bytes.count }

        mutating func integer<T: FixedWidthInteger>(_: T.Type = T.self) -> T {
            let size = MemoryLayout<T>.size
            var value = T.zero
            withUnsafeMutableBytes(of: &value) { $0.copyBytes(from: bytes[position ..< position + size]) }
            position += size
            return T(littleEndian: value)
        }

        mutating func array<T>(_: T.Type = T.self) -> [T] {
            let count = Int(integer(Int64.self))
            let size = count * MemoryLayout<T>.stride
            let result = [T](unsafeUninitializedCapacity: count) { buffer, initialized in
                UnsafeMutableRawBufferPointer(buffer).copyBytes(from: bytes[position ..< position + size])
                initialized = count
            }
            position += size
            return result
        }

        mutating func string() -> String {
            String(decoding: array(UInt8.self), as: UTF8.self)
        }

        mutating func outcome() -> RowOutcome {
            if integer(UInt8.self) == 0 {
                let row = Int(integer(Int64.self))
                let smiles = string()
                return .rejected(row: row, smiles: smiles, reason: string())
            }
            let smiles = string()
            let sourceRow = integer(Int64.self)
            let atomCount = Int(integer(Int64.self))
            let atomFeatures: [Float] = array(), edgeIndex: [Int32] = array(), bondFeatures: [Float] = array()
            let maccs: [UInt8] = array(), pubchem: [UInt8] = array(), erg: [Float] = array()
            let description = string()
            let smilesTokens: [Int32] = array(), descriptionTokens: [Int32] = array(), labels: [Float] = array()
            let hasSplit = integer(UInt8.self) == 1
            let split = string()
            let hasScaffold = integer(UInt8.self) == 1
            let scaffold = string()
            return .molecule(MoleculeRecord(
                smiles: smiles, sourceRow: sourceRow, atomCount: atomCount, atomFeatures: atomFeatures,
                edgeIndex: edgeIndex, bondFeatures: bondFeatures, maccs: maccs, pubchem: pubchem, erg: erg,
                description: description, smilesTokens: smilesTokens, descriptionTokens: descriptionTokens,
                labels: labels, split: hasSplit ? split : nil, scaffold: hasScaffold ? scaffold : nil))
        }
    }
}

/// What became of one input row.
enum RowOutcome: Equatable {
    case molecule(MoleculeRecord)
    /// `row` numbered from 1 after the header; `reason` as RDKit or the parser gave it.
    case rejected(row: Int, smiles: String, reason: String)
}
