/// The layout of an lgmcl dataset file, schema version 1 (docs/data-format.md; docs/design.md "HDF5
/// dataset"). Ragged per-molecule data is CSR: a flat array plus int64 offsets of length N+1.
public enum DatasetSchema {
    public static let version: Int64 = 1

    public static let atomFeatureCount = 57
    public static let bondFeatureCount = 15
    public static let maccsCount = 167
    public static let pubchemCount = 881
    public static let ergCount = 441
    /// The fingerprint vector fed to fine-tuning: MACCS ‖ PubChem ‖ ErG.
    public static let fingerprintCount = maccsCount + pubchemCount + ergCount

    /// Rows per chunk of every per-molecule dataset, so that a block of this many molecules is
    /// one chunk of each of them: the unit the sharded reader shuffles and reads.
    public static let moleculesPerChunk = 512

    enum Path {
        static let smiles = "/smiles"
        static let sourceRow = "/source_row"
        static let atomOffsets = "/graph/atom_offsets"
        static let atomFeatures = "/graph/atom_features"
        static let edgeOffsets = "/graph/edge_offsets"
        static let edgeIndex = "/graph/edge_index"
        static let bondFeatures = "/graph/bond_features"
        static let maccs = "/fingerprints/maccs"
        static let pubchem = "/fingerprints/pubchem"
        static let erg = "/fingerprints/erg"
        static let vocabulary = "/text/vocab"
        static let smilesOffsets = "/text/smiles_offsets"
        static let smilesTokens = "/text/smiles_tokens"
        static let description = "/text/description"
        static let descriptionOffsets = "/text/description_offsets"
        static let descriptionTokens = "/text/description_tokens"
        static let labels = "/labels"
        static let split = "/split"
        static let scaffold = "/scaffold"
    }

    enum Attribute {
        static let schemaVersion = "schema_version"
        static let moleculeCount = "num_molecules"
        static let rdkitVersion = "rdkit_version"
        static let createdBy = "created_by"
        static let preset = "preset"
        static let sha256 = "sha256"
        static let taskNames = "task_names"
        static let maxSMILESTokens = "max_smiles_tokens"
        static let maxDescriptionTokens = "max_description_tokens"
    }
}
