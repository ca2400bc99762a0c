import Hashing
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

    /// One log line's fields, projected from its bytes or taken from a decoded record.
    /// Names and payloads become Strings only when they differ from the previous line's.
    mutating func add(_ facts: CallFacts) {
        guard let labelBytes = facts.label, let payloadBytes = facts.payload, let status = facts.status else { return }
        let slot: Int
        if let last = lastFunction, last.label.utf8.elementsEqual(labelBytes) { slot = last.slot } else {
            let label = String(decoding: labelBytes, as: UTF8.self)
            if let known = functionIndex[label] { slot = known } else {
                slot = functionList.count
                functionList.append(FunctionLogs(function: label))
                functionIndex[label] = slot
            }
            lastFunction = (label, slot)
        }
        let pid: Int32
        if let last = functionList[slot].lastPayload, last.text.utf8.elementsEqual(payloadBytes) { pid = last.id } else {
            pid = Self.payloadId(String(decoding: payloadBytes, as: UTF8.self), in: &functionList[slot])
        }
        Self.appendSample(to: &functionList[slot], phase: facts.phase, phaseMemoryMB: facts.memoryMB,
                          reportMemoryMB: facts.reportMemoryMB, payload: pid, maxMemoryMB: facts.maxMemoryMB,
                          status: status, durationMs: facts.durationMs, billedMs: facts.billedMs, initMs: facts.initMs)
    }

    static func payloadId(_ text: String, in f: inout FunctionLogs) -> Int32 {
        let pid: Int32
        if let known = f.payloadIndex[text] { pid = known } else {
            pid = Int32(f.payloads.count)
            f.payloads.append(text)
            f.payloadIndex[text] = pid
        }
        f.lastPayload = (text, pid)
        return pid
    }

    static func appendSample(to f: inout FunctionLogs, phase: Int, phaseMemoryMB: Int, reportMemoryMB: Int, payload: Int32,
                             maxMemoryMB: Int?, status: ReportStatus, durationMs: Double, billedMs: Double, initMs: Double?) {
        // The runtime curve uses the memory Lambda actually ran (REPORT's Memory Size),
        // falling back to the phase's when the REPORT does not state it.
        let memory = reportMemoryMB > 0 ? reportMemoryMB : phaseMemoryMB
        if phase != f.lastPhase {
            f.phaseMemory[phase] = phaseMemoryMB
            f.lastPhase = phase
        }
        f.samples.append(Sample(memoryMB: Int32(clamping: memory), phase: Int32(clamping: phase), payload: payload,
                                maxMemoryMB: Int32(clamping: maxMemoryMB ?? -1), status: status, durationMs: durationMs,
                                billedMs: billedMs, initMs: initMs ?? .nan))
    }

    /// Reads logs.ndjson (path nil or "-" = stdin). Bad lines throw InputError (file:line: field: problem).
    ///
    /// Log lines go through `CallProjection` (only the fields fit uses, no Record built); any
    /// line it does not fully understand, and every other kind, goes to `Record.decode`, which
    /// validates it and names the field at fault. A regular file is hashed on another core
    /// while this one parses; stdin is hashed as it is read.
    public static func read(path: String?) throws -> LogData {
        var data = LogData()
        let reader = try NDJSONReader(path: path)
        let fileHash = path.flatMap { $0 == "-" ? nil : BackgroundFileHash.start($0) }
        let streamHash = SHA256.Incremental()
        let name = reader.name
        var logs = 0, runs = 0, waits = 0
        try reader.forEachLine(onRead: fileHash == nil ? { streamHash.update($0) } : nil) { number, bytes in
            if let (kind, facts) = CallProjection.scan(bytes, calls: false), kind == .log {
                logs += 1
                data.add(facts)
                return
            }
            let record: Record
            do { record = try Record.decode(bytes) } catch let f as FieldFailure {
                throw InputError(file: name, line: number, field: f.field, problem: f.problem)
            }
            switch record {
            case .log(let l): logs += 1; CallFacts.with(l.invocation, l.report) { data.add($0) }
            case .run(let h): runs += 1; if data.header == nil { data.header = h }
            case .logWait(let w): waits += 1; data.logWaits.append(w)
            case .schedule, .invocation, .invokeSummary:
                throw InputError(file: name, line: number, field: "record",
                                 problem: "\"\(record.kind)\" line: fit reads logs.ndjson (run await-logs on invocations first)")
            }
        }
        for (kind, n) in [("log", logs), ("run", runs), ("log_wait", waits)] where n > 0 { data.counts[kind] = n }
        data.sha256 = fileHash?.wait() ?? streamHash.finalizeHex()
        guard data.logRecordCount > 0 else {
            throw InputError(file: name, problem: "no log records (expected logs.ndjson lines with \"record\":\"log\")")
        }
        return data
    }
}
