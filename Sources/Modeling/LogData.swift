import Records

/// One REPORT line reduced to what the models use (compact: a million fit in ~50 MB).
struct Sample: Sendable {
    var memoryMB: Int32
    var phase: Int32
    /// Index into `FunctionLogs.payloads`.
    var payload: Int32
    var maxMemoryMB: Int32   // −1 when absent
    var status: ReportStatus
    var durationMs: Double
    var billedMs: Double
    var initMs: Double       // NaN when warm

    var isCold: Bool { !initMs.isNaN }
    var isWarmSuccess: Bool { status == .success && initMs.isNaN }
}

/// The samples of one function (`target.label`), in input order.
struct FunctionLogs: Sendable {
    var function: String
    var samples: [Sample] = []
    /// Distinct payloads (compact JSON text), in order of first appearance.
    var payloads: [String] = []
    var payloadIndex: [String: Int32] = [:]
    /// phase -> the phase's configured memory (from the schedule).
    var phaseMemory: [Int: Int] = [:]
    /// The previous record's payload and phase: consecutive records mostly repeat them, and a
    /// byte comparison is cheaper than hashing the payload text into `payloadIndex`.
    var lastPayload: (text: String, id: Int32)?
    var lastPhase = -1
}

/// Everything fit reads from logs.ndjson.
public struct LogData: Sendable {
    /// Per function, in order of first appearance; `functionIndex` maps the label to its slot.
    var functionList: [FunctionLogs] = []
    var functionIndex: [String: Int] = [:]
    var lastFunction: (label: String, slot: Int)?
    public var header: RunHeader?
    public var logWaits: [LogWaitSummary] = []
    public var counts: [String: Int] = [:]
    public var sha256: String = ""
    public var logRecordCount: Int { counts["log"] ?? 0 }

    public init() {}

    mutating func add(_ l: LogRecord) {
        let label = l.invocation.call.target.label
        let slot: Int
        if let last = lastFunction, last.label == label { slot = last.slot } else {
            if let known = functionIndex[label] { slot = known } else {
                slot = functionList.count
                functionList.append(FunctionLogs(function: label))
                functionIndex[label] = slot
            }
            lastFunction = (label, slot)
        }
        Self.append(l, to: &functionList[slot])
    }

    /// Mutates the function's logs in place (no copy of the samples array per record).
    static func append(_ l: LogRecord, to f: inout FunctionLogs) {
        let payloadText = l.invocation.call.payload.text
        let pid: Int32
        if let last = f.lastPayload, last.text == payloadText { pid = last.id } else {
            if let known = f.payloadIndex[payloadText] { pid = known } else {
                pid = Int32(f.payloads.count)
                f.payloads.append(payloadText)
                f.payloadIndex[payloadText] = pid
            }
            f.lastPayload = (payloadText, pid)
        }
        // The runtime curve uses the memory Lambda actually ran (REPORT's Memory Size),
        // falling back to the phase's when the REPORT does not state it.
        let memory = l.report.memoryMB > 0 ? l.report.memoryMB : l.invocation.call.memoryMB
        if l.invocation.call.phase != f.lastPhase {
            f.phaseMemory[l.invocation.call.phase] = l.invocation.call.memoryMB
            f.lastPhase = l.invocation.call.phase
        }
        f.samples.append(Sample(memoryMB: Int32(clamping: memory), phase: Int32(clamping: l.invocation.call.phase),
                                payload: pid, maxMemoryMB: Int32(clamping: l.report.maxMemoryMB ?? -1),
                                status: l.report.status, durationMs: l.report.durationMs, billedMs: l.report.billedMs,
                                initMs: l.report.initMs ?? .nan))
    }

    /// Reads logs.ndjson (path nil or "-" = stdin). Bad lines throw InputError (file:line: field: problem).
    /// `parallel`: decode on worker threads (see ParallelDecoding); false decodes on this thread.
    public static func read(path: String?, parallel: Bool = true) throws -> LogData {
        var data = LogData()
        let reader = try NDJSONReader(path: path)
        // A regular file is hashed on another core while this one parses; stdin line by line.
        let fileHash = path.flatMap { $0 == "-" ? nil : FileHash.start($0) }
        let hasher = StreamingSHA256()
        let name = reader.name
        var logs = 0, runs = 0, waits = 0
        func take(_ number: Int, _ record: Record) throws {
            switch record {
            case .log(let l): logs += 1; data.add(l)
            case .run(let h): runs += 1; if data.header == nil { data.header = h }
            case .logWait(let w): waits += 1; data.logWaits.append(w)
            case .schedule, .invocation, .invokeSummary:
                throw InputError(file: name, line: number, field: "record",
                                 problem: "\"\(record.kind)\" line: fit reads logs.ndjson (run await-logs on invocations first)")
            }
        }
        if parallel {
            try ParallelDecoding.forEachRecord(reader, line: { bytes in
                if fileHash == nil { hasher.update(bytes); hasher.update(newline: ()) }
            }, take)
        } else {
            try reader.forEachLine { number, bytes in
                if fileHash == nil { hasher.update(bytes); hasher.update(newline: ()) }
                let record: Record
                do { record = try Record.decode(bytes) } catch let f as FieldFailure {
                    throw InputError(file: name, line: number, field: f.field, problem: f.problem)
                }
                try take(number, record)
            }
        }
        for (kind, n) in [("log", logs), ("run", runs), ("log_wait", waits)] where n > 0 { data.counts[kind] = n }
        data.sha256 = fileHash?.wait() ?? hasher.finish()
        guard data.logRecordCount > 0 else {
            throw InputError(file: name, problem: "no log records (expected logs.ndjson lines with \"record\":\"log\")")
        }
        return data
    }
}
