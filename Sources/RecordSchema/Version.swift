/// The rightsize version every tool reports and records in provenance.
public enum RightsizeVersion {
    public static let current = "0.1.0"
}
