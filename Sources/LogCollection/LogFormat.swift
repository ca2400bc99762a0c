/// The log format to filter for (docs/await-logs.md).
public enum LogFormat: String, Sendable, CaseIterable {
    /// Text REPORT lines, JSON `platform.report` events, or both (one pattern matches either).
    case auto, text, json

    /// Term patterns: `?a ?b` matches events containing a or b. "Task timed out" lines mark
    /// timeouts in logs older than the `Status:` field.
    public var filterPattern: String {
        switch self {
        case .auto: return "?REPORT ?\"platform.report\" ?\"Task timed out\""
        case .text: return "?REPORT ?\"Task timed out\""
        case .json: return "{ $.type = \"platform.report\" }"
        }
    }
}
