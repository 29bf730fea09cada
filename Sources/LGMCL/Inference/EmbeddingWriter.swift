import Foundation

/// Writes `embed`'s output, whole or not at all (a temporary name, then a rename).
///
/// CSV: one row per input row, in input order: `smiles` (as given), `error` (empty, or why the row
/// has no molecule), then `<view>_0 … <view>_{d-1}` per view (empty cells on an error row).
///
/// HDF5: `/embeddings/<view>` float32 N × d for the N molecules (a group of their own: the
/// `smiles` view must not collide with the SMILES strings), `/source_row` (int64, the 0-based
/// input row of each), `/smiles` (canonical), and the rows without a molecule under `/rejected/row`,
/// `/rejected/smiles`, `/rejected/reason`; root attributes name the model and the views.
public struct EmbeddingWriter {
    public let embeddings: Embeddings
    public let input: InferenceInput
    /// Root attributes of the HDF5 file (model directory, kind, member, input, creator…).
    public var attributes: [String: String] = [:]

    public init(embeddings: Embeddings, input: InferenceInput) {
        precondition(embeddings.count == input.dataset.count || embeddings.width == 0,
                     "EmbeddingWriter: \(embeddings.count) vectors for \(input.dataset.count) molecules")
        self.embeddings = embeddings
        self.input = input
    }

    public enum Format: String, Sendable {
        case csv, hdf5

        /// From the file name: .csv, or .h5 / .hdf5.
        public init?(path: String) {
            let lower = path.lowercased()
            if lower.hasSuffix(".csv") { self = .csv } else if lower.hasSuffix(".h5") || lower.hasSuffix(".hdf5") { self = .hdf5 } else { return nil }
        }
    }

    public func write(to url: URL, format: Format, inputSMILES: [String]?) throws {
        switch format {
        case .csv: try CSVText.write(csvData(inputSMILES: inputSMILES), to: url)
        case .hdf5: try writeHDF5(to: url)
        }
    }

    /// - Parameter inputSMILES: every input row's SMILES as given; nil writes the canonical SMILES
    ///   of the dataset (an .h5 input, whose rows are its molecules).
    func csvData(inputSMILES: [String]?) throws -> Data {
        var header = ["smiles", "error"]
        for (view, width) in zip(embeddings.views, embeddings.widths) {
            header += (0 ..< width).map { "\(view.rawValue)_\($0)" }
        }
        let rowCount = inputSMILES?.count ?? input.dataset.count
        guard rowCount == input.rowCount else {
            throw InferenceError(description: "\(input.path): \(rowCount) input rows, but \(input.dataset.count) molecules and \(input.rejections.count) rejected rows")
        }
        var rows = [[String]?](repeating: nil, count: rowCount)
        let canonical = inputSMILES == nil ? try input.dataset.smiles() : []
        for (molecule, row) in input.sourceRows.enumerated() {
            let position = inputSMILES == nil ? molecule : row
            guard rows.indices.contains(position), rows[position] == nil else {
                throw InferenceError(description: "\(input.path): molecule \(molecule) claims input row \(row + 1), which is out of range or taken")
            }
            rows[position] = [inputSMILES?[row] ?? canonical[molecule], ""]
                + (0 ..< embeddings.views.count).flatMap { embeddings.vector(molecule, view: $0).map { CSVText.number(Double($0)) } }
        }
        let empty = [String](repeating: "", count: embeddings.width)
        for rejection in input.rejections {
            guard rows.indices.contains(rejection.row), rows[rejection.row] == nil else {
                throw InferenceError(description: "\(input.path): rejected row \(rejection.row + 1) is out of range or taken")
            }
            rows[rejection.row] = [inputSMILES?[rejection.row] ?? rejection.smiles, rejection.reason] + empty
        }
        if let missing = rows.firstIndex(where: { $0 == nil }) {
            throw InferenceError(description: "\(input.path) row \(missing + 1): neither a molecule nor a rejection")
        }
        return try CSVText.render(header: header, rows: rows.map { $0! })
    }

    func writeHDF5(to url: URL) throws {
        let temporary = url.deletingLastPathComponent().appendingPathComponent(".\(url.lastPathComponent).partial-\(getpid())").path
        do {
            let file = try HDF5File.create(temporary)
            let n = input.dataset.count
            let chunk = max(1, min(n, 4096))
            for (index, view) in embeddings.views.enumerated() {
                let dataset = try file.createDataset("/embeddings/" + view.rawValue, of: Float.self, columns: [embeddings.widths[index]], chunkRows: chunk)
                try dataset.append(embeddings.matrix(view: index))
            }
            try file.createDataset("/source_row", of: Int64.self, chunkRows: chunk).append(input.sourceRows.map(Int64.init))
            try file.createStringDataset("/smiles", chunkRows: chunk).append(strings: input.dataset.smiles())
            let rejected = max(1, min(input.rejections.count, 4096))
            try file.createDataset("/rejected/row", of: Int64.self, chunkRows: rejected).append(input.rejections.map { Int64($0.row) })
            try file.createStringDataset("/rejected/smiles", chunkRows: rejected).append(strings: input.rejections.map(\.smiles))
            try file.createStringDataset("/rejected/reason", chunkRows: rejected).append(strings: input.rejections.map(\.reason))
            for (name, value) in attributes.sorted(by: { $0.key < $1.key }) { try file.setAttribute(name, value) }
            try file.setAttribute("views", embeddings.views.map(\.rawValue))
            try file.setAttribute("num_molecules", Int64(n))
            try file.setAttribute("num_input_rows", Int64(input.rowCount))
            try file.close()
            guard rename(temporary, url.path) == 0 else {
                throw InferenceError(description: "\(url.path): cannot move the finished file into place (\(String(cString: strerror(errno))))")
            }
        } catch {
            try? FileManager.default.removeItem(atPath: temporary)
            throw error
        }
    }
}
