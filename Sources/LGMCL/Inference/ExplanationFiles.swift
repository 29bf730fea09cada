import Foundation

/// What `explain` writes into its output directory:
/// - summary.csv: per input row and task, f(x), f(baseline), what the atoms and the fingerprint
///   bits carry of the difference (totals and shares), the quadrature's residual and the strongest
///   bits; a row without a molecule has its reason in `error`;
/// - atoms.csv: per molecule, task and atom (RDKit's order, 0-based), the atom's attribution;
/// - explain.json: how the numbers were made (steps, baseline, units);
/// - molecules/row-R-T.svg: input row R's drawing for task number T, atoms coloured by
///   attribution (ExplanationPictures), and index.html, every row with its predictions and
///   drawings in one page.
public struct ExplanationFiles {
    public let taskNames: [String]
    public let kind: TaskKind
    public let steps: Int
    public let seeds: [UInt64]

    public init(taskNames: [String], kind: TaskKind, steps: Int, seeds: [UInt64]) {
        self.taskNames = taskNames
        self.kind = kind
        self.steps = steps
        self.seeds = seeds
    }

    struct Settings: Encodable {
        let method = "integrated gradients (Sundararajan et al. 2017), Gauss–Legendre quadrature"
        let steps: Int
        let baseline = "every atom feature and fingerprint bit zero; bonds, SMILES and description held at their values"
        let output: String
        let seeds: [UInt64]
        let strongestBits = 5
    }

    /// - Parameters:
    ///   - explanations: per molecule (the input's molecules in order), per task.
    ///   - smiles: per molecule, the input's SMILES (whose atom order the attributions follow);
    ///     `sourceRows`: its 0-based input row.
    ///   - rejections: input rows without a molecule.
    ///   - predictions: what predict writes for the same molecules, shown in index.html.
    public func write(to directory: URL, explanations: [[TaskExplanation]], smiles: [String], sourceRows: [Int],
                      rejections: [InferenceInput.Rejection], predictions: CalibratedPrediction) throws {
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let share = { (part: Double, whole: Double) in whole == 0 ? Double.nan : part / whole }
        var summary: [(row: Int, cells: [String])] = []
        var atoms: [[String]] = []
        for (m, perTask) in explanations.enumerated() {
            for (t, e) in perTask.enumerated() {
                let bits = e.strongestBits(5).map { "\($0.name): \(CSVText.number($0.attribution))" }.joined(separator: "; ")
                summary.append((sourceRows[m], [String(sourceRows[m] + 1), smiles[m], taskNames[t]]
                    + [e.output, e.baseline, e.difference, e.atomTotal, e.fingerprintTotal,
                       share(e.atomTotal, e.difference), share(e.fingerprintTotal, e.difference), e.residual].map(CSVText.number) + [bits, ""]))
                atoms += e.atoms.enumerated().map { [String(sourceRows[m] + 1), smiles[m], taskNames[t], String($0.offset), CSVText.number($0.element)] }
            }
        }
        for rejection in rejections {
            summary.append((rejection.row, [String(rejection.row + 1), rejection.smiles, ""] + Array(repeating: "", count: 9) + [rejection.reason]))
        }
        summary.sort { $0.row < $1.row }
        let header = ["row", "smiles", "task", "output", "baseline", "difference", "atoms", "fingerprints",
                      "atom_share", "fingerprint_share", "residual", "strongest_bits", "error"]
        try CSVText.write(CSVText.render(header: header, rows: summary.map(\.cells)), to: directory.appendingPathComponent("summary.csv"))
        try CSVText.write(CSVText.render(header: ["row", "smiles", "task", "atom", "attribution"], rows: atoms),
                          to: directory.appendingPathComponent("atoms.csv"))
        try writePictures(to: directory, explanations: explanations, smiles: smiles, sourceRows: sourceRows,
                          rejections: rejections, predictions: predictions)
        let units = kind == .classification ? "the logit of each task, mean over the seeds" : "each task's value in the labels' units, mean over the seeds"
        try AtomicDirectory.replaceFile(directory.appendingPathComponent("explain.json"),
                                        with: JSONEncoder.pretty.encode(Settings(steps: steps, output: units, seeds: seeds)))
    }

    func writePictures(to directory: URL, explanations: [[TaskExplanation]], smiles: [String], sourceRows: [Int],
                       rejections: [InferenceInput.Rejection], predictions: CalibratedPrediction) throws {
        let pictures = directory.appendingPathComponent("molecules")
        try FileManager.default.createDirectory(at: pictures, withIntermediateDirectories: true)
        let valueName = kind == .classification ? "probability" : "prediction"
        let columns = [""] + predictions.suffixes
        let labels = columns.flatMap { suffix in taskNames.map { $0 + (suffix.isEmpty ? " " + valueName : suffix) } }
        var rows: [(row: Int, smiles: String, values: [(label: String, value: Double)], drawings: [String], error: String?)] = []
        for (m, perTask) in explanations.enumerated() {
            let molecule = try Molecule(smiles: smiles[m])
            var drawings: [String] = []
            for (t, e) in perTask.enumerated() {
                let svg = try ExplanationPictures.svg(molecule, e, task: taskNames[t], id: "\(sourceRows[m] + 1)-\(t)")
                try AtomicDirectory.replaceFile(pictures.appendingPathComponent("row-\(sourceRows[m] + 1)-\(t).svg"), with: Data(svg.utf8))
                drawings.append(svg)
            }
            rows.append((sourceRows[m] + 1, smiles[m], Array(zip(labels, predictions.rows[m])).map { ($0.0, $0.1) }, drawings, nil))
        }
        rows += rejections.map { ($0.row + 1, $0.smiles, [], [], $0.reason) }
        rows.sort { $0.row < $1.row }
        let page = ExplanationPictures.html(rows: rows, columns: labels, tasks: taskNames,
                                            title: "lgmcl explain: \(taskNames.joined(separator: ", ")) (\(seeds.count) seed model\(seeds.count == 1 ? "" : "s"), \(steps) steps)")
        try AtomicDirectory.replaceFile(directory.appendingPathComponent("index.html"), with: Data(page.utf8))
    }
}
