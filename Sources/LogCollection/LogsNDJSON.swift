import NDJSONIO
import RecordSchema
import ToolSupport

/// Reading invocations.ndjson and writing logs.ndjson.
public enum LogsNDJSON {
    public struct Input: Sendable {
        public var header: RunHeader
        public var invocations: [Invocation]
    }

    /// The run header, then invocation lines (an invoke summary may end the file).
    public static func readInvocations(path: String?) throws -> Input {
        let reader = try NDJSONReader(path: path)
        var header: RunHeader?
        var invocations: [Invocation] = []
        try reader.forEachRecord { line, record in
            switch record {
            case .run(let h) where header == nil && invocations.isEmpty: header = h
            case .invocation(let i) where header != nil: invocations.append(i)
            case .invokeSummary: break
            default:
                let problem =
                    header == nil
                    ? "expected the run header first (is this invoke's output?)"
                    : "expected an invocation record, found \"\(record.kind)\""
                throw InputError(file: reader.name, line: line, field: "record", problem: problem)
            }
        }
        guard let header else { throw InputError(file: reader.name, problem: "empty: no run header") }
        return Input(header: header, invocations: invocations)
    }

    /// Header (with `tool` appended), one `log` record per joined invocation in input order,
    /// then one `log_wait` summary per function. Written atomically.
    public static func write(
        path: String?, header: RunHeader, tool: String, joins: [JoinResult],
        summaries: [LogWaitSummary]
    ) throws {
        var h = header
        h.tools.append(tool)
        var records = joins.flatMap { $0.records.map(\.record) }
        records.sort { $0.invocation.call.seq < $1.invocation.call.seq }
        var writer = NDJSONWriter(try OutputFile(path: path))
        do {
            try writer.write(.run(h))
            for r in records { try writer.write(.log(r)) }
            for s in summaries { try writer.write(.logWait(s)) }
        } catch {
            writer.discard()
            throw error
        }
        try writer.finish()
    }
}
