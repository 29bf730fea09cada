import Foundation

/// Turns one CSV row into a molecule record (or the reason it cannot be one) with the chemistry
/// module: RDKit parse, graph, fingerprints, description, tokens.
struct RowFeaturizer {
    let options: PreprocessOptions
    let tokenizer: Tokenizer?
    let describer = MoleculeDescriber()

    init(options: PreprocessOptions, vocabulary: Vocabulary?) throws {
        self.options = options
        self.tokenizer = vocabulary.map { Tokenizer(vocabulary: $0) }
    }

    /// The canonical SMILES and description of a row, nil when the row would be rejected.
    func texts(row: [String], columns: Preprocessor.Columns) -> (smiles: String, description: String)? {
        guard case .success(let parsed) = parse(row: row, columns: columns, description: nil) else { return nil }
        return (parsed.molecule.canonicalSMILES, parsed.description)
    }

    /// - Parameter description: the row's generated description when already known.
    func outcome(row: [String], number: Int, columns: Preprocessor.Columns, description known: String? = nil) -> RowOutcome {
        let smiles = row[columns.smiles]
        let parsed: Parsed
        switch parse(row: row, columns: columns, description: known) {
        case .failure(let reason): return .rejected(row: number, smiles: smiles, reason: reason.text)
        case .success(let p): parsed = p
        }
        let labels: [Float]
        do {
            labels = try columns.labels.enumerated().map { i, column in
                try Self.label(row[column], name: options.labelColumns[i])
            }
        } catch let reason as Reason {
            return .rejected(row: number, smiles: smiles, reason: reason.text)
        } catch {
            return .rejected(row: number, smiles: smiles, reason: "\(error)")
        }
        let molecule = parsed.molecule
        let graph = MolGraph(molecule)
        let canonical = molecule.canonicalSMILES
        return .molecule(MoleculeRecord(
            smiles: canonical,
            sourceRow: Int64(number - 1),
            atomCount: graph.atomCount,
            atomFeatures: graph.atomFeatures,
            edgeIndex: graph.edgeIndex,
            bondFeatures: graph.bondFeatures,
            maccs: Fingerprint.maccs(molecule),
            pubchem: Fingerprint.pubchem(molecule),
            erg: Fingerprint.erg(molecule),
            description: parsed.description,
            smilesTokens: tokenizer?.encode(smiles: canonical, maxLength: options.maxSMILESTokens) ?? [],
            descriptionTokens: tokenizer?.encode(text: parsed.description, maxLength: options.maxDescriptionTokens) ?? [],
            labels: labels,
            split: parsed.split,
            scaffold: Scaffold.murcko(molecule)))
    }

    struct Reason: Error { let text: String }
    struct Parsed {
        let molecule: Molecule
        let description: String
        let split: String?
    }

    private func parse(row: [String], columns: Preprocessor.Columns, description known: String?) -> Result<Parsed, Reason> {
        let molecule: Molecule
        do {
            molecule = try Molecule(smiles: row[columns.smiles].trimmingCharacters(in: .whitespaces))
        } catch {
            return .failure(Reason(text: "\(error)"))
        }
        var split: String?
        if let column = columns.split {
            guard let value = Self.split(row[column]) else {
                return .failure(Reason(text: "split '\(row[column])' is not train, val or test"))
            }
            split = value
        }
        let description: String
        if let column = columns.description {
            description = row[column].trimmingCharacters(in: .whitespacesAndNewlines)
            if description.isEmpty { return .failure(Reason(text: "empty description")) }
        } else {
            description = known ?? describer.describe(molecule)
        }
        return .success(Parsed(molecule: molecule, description: description, split: split))
    }

    /// An empty cell is a missing label (NaN); anything else must be a number.
    static func label(_ cell: String, name: String) throws -> Float {
        let text = cell.trimmingCharacters(in: .whitespaces)
        if text.isEmpty { return .nan }
        guard let value = Float(text), value.isFinite else {
            throw Reason(text: "label '\(name)' is '\(cell)', not a number")
        }
        return value
    }

    /// chemprop's split names, in any letter case: train, val (valid, validation), test.
    static func split(_ cell: String) -> String? {
        switch cell.trimmingCharacters(in: .whitespaces).lowercased() {
        case "train": "train"
        case "val", "valid", "validation": "val"
        case "test": "test"
        default: nil
        }
    }
}
