import Hashing
import NDJSONIO
import RecordSchema
import ToolSupport

/// One REPORT line reduced to what the models use (compact: a million fit in ~50 MB).
struct Sample: Sendable {
    /// REPORT's Memory Size (what Lambda ran), else the phase's.
    var memoryMB: Int32
    /// The size the call's phase configured (0 when unknown).
    var phaseMemoryMB: Int32
    var phase: Int32
    /// Index into `FunctionLogs.payloads`.
    var payload: Int32
    var maxMemoryMB: Int32  // −1 when absent
    var status: ReportStatus
    var durationMs: Double
    var billedMs: Double
    var initMs: Double  // NaN when warm

    var isCold: Bool { !initMs.isNaN }
    var isWarmSuccess: Bool { status == .success && initMs.isNaN }
}

/// The samples of one function (`target.label`), in input order.
struct FunctionLogs: Sendable {
    var function: String
    var samples: [Sample] = []
    /// Distinct payloads (compact JSON text), in order of first appearance.
    var payloadSlots = NameSlots()
    var payloads: [String] { payloadSlots.names }
    /// phase -> the phase's configured memory (from the schedule).
    var phaseMemory: [Int: Int] = [:]
    /// The previous record's phase: consecutive records mostly repeat it.
    var lastPhase = -1
}

/// Everything fit reads from logs.ndjson.
public struct LogData: Sendable {
    /// Per function, in order of first appearance (the slots of `functionSlots`).
    var functionList: [FunctionLogs] = []
    var functionSlots = NameSlots()
    public var header: RunHeader?
    public var logWaits: [LogWaitSummary] = []
    /// Lines per record kind. Log lines are counted apart: a dictionary update per line
    /// would cost more than collecting the line.
    public var counts: [String: Int] {
        logRecordCount > 0 ? otherCounts.merging(["log": logRecordCount], uniquingKeysWith: +) : otherCounts
    }
    var otherCounts: [String: Int] = [:]
    public private(set) var logRecordCount = 0
    public var sha256: String = ""
    /// The kept response fields, from the log lines that have them.
    var responseFields = ResponseFieldStats()

    public init() {}

    /// One log line's fields, projected from its bytes or taken from a decoded record.
    /// Names and payloads become Strings only when they differ from the previous line's.
    mutating func add(_ facts: CallFacts) {
        guard let labelBytes = facts.label, let payloadBytes = facts.payload, let status = facts.status else { return }
        let slot = function(functionSlots.slot(labelBytes))
        let pid = Int32(functionList[slot].payloadSlots.slot(payloadBytes).slot)
        Self.appendSample(
            to: &functionList[slot], phase: facts.phase, phaseMemoryMB: facts.memoryMB,
            reportMemoryMB: facts.reportMemoryMB, payload: pid, maxMemoryMB: facts.maxMemoryMB,
            status: status, durationMs: facts.durationMs, billedMs: facts.billedMs, initMs: facts.initMs)
    }

    /// The function at a slot of `functionSlots`, its logs started when the slot is new.
    mutating func function(_ slot: (slot: Int, isNew: Bool)) -> Int {
        if slot.isNew { functionList.append(FunctionLogs(function: functionSlots.names[slot.slot])) }
        return slot.slot
    }

    static func appendSample(
        to f: inout FunctionLogs, phase: Int, phaseMemoryMB: Int, reportMemoryMB: Int, payload: Int32,
        maxMemoryMB: Int?, status: ReportStatus, durationMs: Double, billedMs: Double, initMs: Double?
    ) {
        // The runtime curve uses the memory Lambda actually ran (REPORT's Memory Size),
        // falling back to the phase's when the REPORT does not state it.
        let memory = reportMemoryMB > 0 ? reportMemoryMB : phaseMemoryMB
        if phase != f.lastPhase {
            f.phaseMemory[phase] = phaseMemoryMB
            f.lastPhase = phase
        }
        f.samples.append(
            Sample(
                memoryMB: Int32(clamping: memory), phaseMemoryMB: Int32(clamping: phaseMemoryMB), phase: Int32(clamping: phase),
                payload: payload,
                maxMemoryMB: Int32(clamping: maxMemoryMB ?? -1), status: status, durationMs: durationMs,
                billedMs: billedMs, initMs: initMs ?? .nan))
    }

    /// Reads logs.ndjson (path nil or "-" = stdin). Bad lines throw InputError (file:line: field: problem).
    ///
    /// A regular file is read on every core (Records' ParallelNDJSON: chunks at line
    /// boundaries, merged in file order, with the file's SHA-256 as one more job); standard
    /// input is streamed and hashed as it is read.
    public static func read(path: String?) throws -> LogData {
        var data = LogData()
        let name: String
        if let file = try MappedFile.regular(path) {
            name = file.path
            let result = try ParallelNDJSON.run([file], whole: { _, file in SHA256.hex(pieces: file.forEachPiece) }) { _, lines in
                var part = LogData()
                var keys = CallProjection.KeyLayout()
                try lines.forEachLine { try part.take($0, keys: &keys) }
                return part
            }[0]
            for part in result.parts { data.merge(part) }
            data.sha256 = result.whole
        } else {
            let reader = try NDJSONReader(path: path)
            name = reader.name
            let hash = SHA256.Incremental()
            var keys = CallProjection.KeyLayout()
            try reader.forEachLine(onRead: { hash.update($0) }) { number, line in
                do { try data.take(line, keys: &keys) } catch let f as FieldFailure {
                    throw InputError(file: name, line: number, field: f.field, problem: f.problem)
                }
            }
            data.sha256 = hash.finalizeHex()
        }
        guard data.logRecordCount > 0 else {
            throw InputError(file: name, problem: "no log records (expected logs.ndjson lines with \"record\":\"log\")")
        }
        return data
    }

    /// One line. Log lines go through `CallProjection` (only the fields fit uses, no Record
    /// built); any line it does not fully understand, and every other kind, goes to
    /// `Record.decode`, which validates it and names the field at fault.
    mutating func take(_ line: UnsafeBufferPointer<UInt8>, keys: inout CallProjection.KeyLayout) throws {
        // Kept response fields are not projected: such lines (few, for experiments) are decoded.
        let keepsFields = ByteSearch.contains(line, Self.responseValuesKey)
        if !keepsFields, let (kind, facts) = CallProjection.scan(line, calls: false, keys: &keys), kind == .log {
            logRecordCount += 1
            add(facts)
            return
        }
        let record = try Record.decode(line)
        switch record {
        case .log(let l):
            CallFacts.with(l.invocation, l.report) { add($0) }
            responseFields.add(l)
        case .run(let h): if header == nil { header = h }
        case .logWait(let w): logWaits.append(w)
        case .schedule, .invocation, .invokeSummary:
            throw FieldFailure(
                field: "record", problem: "\"\(record.kind)\" line: fit reads logs.ndjson (run await-logs on invocations first)")
        }
        if case .log = record { logRecordCount += 1 } else { otherCounts[record.kind, default: 0] += 1 }
    }

    /// Appends a later chunk of the same file (payload ids renumbered into this one's).
    static let responseValuesKey = Array("\"response_values\"".utf8)

    mutating func merge(_ o: LogData) {
        if header == nil { header = o.header }
        responseFields.merge(o.responseFields)
        logWaits += o.logWaits
        otherCounts.merge(o.otherCounts, uniquingKeysWith: +)
        logRecordCount += o.logRecordCount
        for f in o.functionList {
            let slot = function(functionSlots.slot(f.function))
            let ids = f.payloads.map { Int32(functionList[slot].payloadSlots.slot($0).slot) }
            if ids.elementsEqual(ids.indices.lazy.map(Int32.init)) {
                functionList[slot].samples += f.samples
            } else {
                functionList[slot].samples += f.samples.map {
                    var x = $0
                    x.payload = ids[Int(x.payload)]
                    return x
                }
            }
            functionList[slot].phaseMemory.merge(f.phaseMemory) { first, _ in first }
        }
    }
}
