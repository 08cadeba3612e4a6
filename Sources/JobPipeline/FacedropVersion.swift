/// The version written into every result record.
public enum FacedropVersion {
    public static let current = "0.1.0"
}
