/// The one version string (the CLI's --version and every report's provenance).
public enum RollbookVersion {
    public static let number = "0.3.0"
    public static let string = "rollbook \(number)"
}
