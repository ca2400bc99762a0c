import RecordSchema

/// invocations.ndjson (docs/records.md): the run line, one invocation per scheduled call in
/// seq order, then the summary; written to a temporary file and renamed on `finish`, so a
/// reader never sees half a file.
public struct InvocationsWriter: ~Copyable {
    private var writer: NDJSONWriter

    /// `tool` ("invoke 0.1.0") is appended to the header's `tools` when given.
    public init(path: String?, header: RunHeader, tool: String? = nil) throws {
        var header = header
        if let tool { header.tools.append(tool) }
        var writer = NDJSONWriter(try OutputFile(path: path))
        do {
            try writer.write(.run(header))
        } catch {
            writer.discard()
            throw error
        }
        self.writer = writer
    }

    public mutating func write(_ invocation: Invocation) throws { try writer.write(.invocation(invocation)) }

    /// Removes the temporary file: nothing is written.
    public consuming func discard() { writer.discard() }

    public consuming func finish(summary: InvokeSummary) throws {
        try writer.write(.invokeSummary(summary))
        try writer.finish()
    }

    /// The whole file at once.
    public static func write(
        path: String?, header: RunHeader, tool: String? = nil, invocations: [Invocation],
        summary: InvokeSummary
    ) throws {
        var file = try InvocationsWriter(path: path, header: header, tool: tool)
        for invocation in invocations { try file.write(invocation) }
        try file.finish(summary: summary)
    }
}
