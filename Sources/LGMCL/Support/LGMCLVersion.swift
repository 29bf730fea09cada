/// lgmcl's own version, written into every checkpoint manifest.
public enum LGMCLVersion {
    public static let string = "0.1.0"
}
