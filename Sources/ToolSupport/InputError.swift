/// A problem with a tool's input, reported as one line: `file:line: field: problem`.
///
/// Every tool prints it as `tool: <description>` and exits with status 2, so a
/// user sees exactly where a malformed workload or record is, never a stack trace.
public struct InputError: Error, CustomStringConvertible, Equatable, Sendable {
    public var file: String
    public var line: Int?
    public var field: String?
    public var problem: String

    public init(file: String, line: Int? = nil, field: String? = nil, problem: String) {
        self.file = file
        self.line = line
        self.field = field
        self.problem = problem
    }

    public var description: String {
        var text = file
        if let line { text += ":\(line)" }
        text += ": "
        if let field, !field.isEmpty { text += "\(field): " }
        return text + problem
    }
}

/// Exit statuses shared by every tool (docs/pipeline.md).
public enum ExitStatus {
    public static let success: Int32 = 0
    /// Runtime failure: network, platform, an interrupted run.
    public static let failure: Int32 = 1
    /// Bad usage or bad input.
    public static let badInput: Int32 = 2
    /// await-logs: the wait timed out (or `--from` files lacked lines); what was found is written.
    public static let timedOut: Int32 = 3
    /// compare --fail-on: a row has a verdict the gate was asked to fail on (e.g. slower).
    public static let gateFailed: Int32 = 4
}
