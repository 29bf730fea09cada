import CRDKit

/// The RDKit library lgmcl links, as it reports itself.
public enum RDKit {
    /// e.g. "2022.09.3": written into every dataset and checkpoint, because features depend on it.
    public static var version: String { String(cString: crdkit_version()) }
}
