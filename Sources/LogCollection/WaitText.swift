import RecordSchema

/// The human-readable lines await-logs prints on stderr.
public enum WaitText {
    /// `fn-a 150/200  fn-b 20/20  (12.3 s)`.
    public static func progress(_ functions: [FunctionProgress], elapsedS: Double) -> String {
        let parts = functions.map { "\($0.function) \($0.found)/\($0.expected)" }
        return parts.joined(separator: "  ") + "  (\(oneDecimal(elapsedS)) s)"
    }

    /// One line per incomplete function: what a timeout left missing.
    public static func shortfall(_ summaries: [LogWaitSummary]) -> [String] {
        summaries.filter { $0.found < $0.expected }.map {
            "\($0.function) (\($0.logGroup)): found \($0.found) of \($0.expected) REPORT lines"
        }
    }

    /// The closing line: `200/200 REPORT lines found in 4.1 s, 5 FilterLogEvents calls`.
    public static func done(_ summaries: [LogWaitSummary], fromFiles: Bool) -> String {
        let expected = summaries.reduce(0) { $0 + $1.expected }
        let found = summaries.reduce(0) { $0 + $1.found }
        let text = "\(found)/\(expected) REPORT lines found"
        if fromFiles { return text + " in the --from files" }
        let waited = summaries.map(\.waitedS).max() ?? 0
        return text + " in \(oneDecimal(waited)) s, \(summaries.reduce(0) { $0 + $1.apiCalls }) FilterLogEvents calls"
    }

    /// Counts worth a warning: unparseable lines and other traffic.
    public static func notes(_ summaries: [LogWaitSummary]) -> [String] {
        var lines: [String] = []
        for s in summaries {
            if s.unparseable > 0 { lines.append("\(s.function): \(s.unparseable) REPORT line(s) could not be parsed") }
            if s.unmatched > 0 {
                lines.append("\(s.function): \(s.unmatched) REPORT line(s) matched no invocation (other traffic), excluded")
            }
        }
        return lines
    }

    static func oneDecimal(_ x: Double) -> String {
        let tenths = Int((x * 10).rounded())
        return "\(tenths / 10).\(tenths % 10)"
    }
}
