import JSON

/// The outcome Lambda's REPORT line states.
public enum ReportStatus: String, Sendable, CaseIterable {
    case success, timeout, error, oom
}

/// The parsed fields of one REPORT line (text or JSON `platform.report`).
public struct Report: Hashable, Sendable {
    public var requestId: String
    public var durationMs: Double
    public var billedMs: Double
    /// "Memory Size" as the log states it (the configured memory at that time).
    public var memoryMB: Int
    public var maxMemoryMB: Int?
    /// Cold start: Init Duration, else nil.
    public var initMs: Double?
    public var restoreMs: Double?
    public var billedRestoreMs: Double?
    public var status: ReportStatus
    public var errorType: String?
    public var xrayTraceId: String?

    public init(
        requestId: String, durationMs: Double, billedMs: Double, memoryMB: Int, maxMemoryMB: Int? = nil,
        initMs: Double? = nil, restoreMs: Double? = nil, billedRestoreMs: Double? = nil,
        status: ReportStatus = .success, errorType: String? = nil, xrayTraceId: String? = nil
    ) {
        self.requestId = requestId
        self.durationMs = durationMs
        self.billedMs = billedMs
        self.memoryMB = memoryMB
        self.maxMemoryMB = maxMemoryMB
        self.initMs = initMs
        self.restoreMs = restoreMs
        self.billedRestoreMs = billedRestoreMs
        self.status = status
        self.errorType = errorType
        self.xrayTraceId = xrayTraceId
    }
}

/// How a REPORT line was matched to its invocation.
public enum JoinKey: String, Sendable {
    /// Lambda's request id from the Invoke response.
    case requestId = "request_id"
    /// Function, memory phase and time order (HTTP targets, whose response id is the gateway's).
    case time
}

/// One line of logs.ndjson: an invocation joined with its REPORT line.
public struct LogRecord: Hashable, Sendable {
    public var invocation: Invocation
    public var report: Report
    public var logStream: String
    /// CloudWatch event timestamp of the REPORT line.
    public var logTimestampUnixMs: Double
    public var joinedBy: JoinKey

    public init(invocation: Invocation, report: Report, logStream: String, logTimestampUnixMs: Double, joinedBy: JoinKey) {
        self.invocation = invocation
        self.report = report
        self.logStream = logStream
        self.logTimestampUnixMs = logTimestampUnixMs
        self.joinedBy = joinedBy
    }

    static let placeholder = LogRecord(
        invocation: .placeholder,
        report: Report(requestId: "", durationMs: .nan, billedMs: .nan, memoryMB: -1),
        logStream: "", logTimestampUnixMs: 0, joinedBy: .requestId)

    func writeFields(to w: inout JSONWriter) {
        invocation.writeFields(to: &w)
        w.key("report_request_id")
        w.string(report.requestId)
        w.key("duration_ms")
        w.number(report.durationMs)
        w.key("billed_ms")
        w.number(report.billedMs)
        w.key("report_memory_mb")
        w.int(report.memoryMB)
        w.key("max_memory_mb")
        w.int(report.maxMemoryMB)
        w.key("init_ms")
        w.number(report.initMs)
        w.key("restore_ms")
        w.number(report.restoreMs)
        if let b = report.billedRestoreMs {
            w.key("billed_restore_ms")
            w.number(b)
        }
        w.key("status")
        w.string(report.status.rawValue)
        if let e = report.errorType {
            w.key("error_type")
            w.string(e)
        }
        if let x = report.xrayTraceId {
            w.key("xray_trace_id")
            w.string(x)
        }
        w.key("log_stream")
        w.string(logStream)
        w.key("log_timestamp_unix_ms")
        w.number(logTimestampUnixMs)
        w.key("joined_by")
        w.string(joinedBy.rawValue)
    }

    mutating func readField(_ key: RecordKey, _ s: inout JSONScanner) throws -> Bool {
        func optDouble(_ s: inout JSONScanner) throws -> Double? { s.readNull() ? nil : try s.readDouble() }
        switch key {
        case .reportRequestId: report.requestId = try s.readString()
        case .durationMs: report.durationMs = try s.readDouble()
        case .billedMs: report.billedMs = try s.readDouble()
        case .reportMemoryMB: report.memoryMB = try s.readInt()
        case .maxMemoryMB: report.maxMemoryMB = s.readNull() ? nil : try s.readInt()
        case .initMs: report.initMs = try optDouble(&s)
        case .restoreMs: report.restoreMs = try optDouble(&s)
        case .billedRestoreMs: report.billedRestoreMs = try optDouble(&s)
        case .status:
            let text = try s.readString()
            guard let st = ReportStatus(rawValue: text) else {
                throw FieldFailure(field: "status", problem: "must be success, timeout, error or oom")
            }
            report.status = st
        case .errorType: report.errorType = s.readNull() ? nil : try s.readString()
        case .xrayTraceId: report.xrayTraceId = s.readNull() ? nil : try s.readString()
        case .logStream: logStream = try s.readString()
        case .logTimestampUnixMs: logTimestampUnixMs = try s.readDouble()
        case .joinedBy:
            guard let j = JoinKey(rawValue: try s.readString()) else {
                throw FieldFailure(field: "joined_by", problem: "must be request_id or time")
            }
            joinedBy = j
        default: return try invocation.readField(key, &s)
        }
        return true
    }

    func validate() throws {
        try invocation.validate()
        if !report.durationMs.isFinite || report.durationMs < 0 { throw FieldFailure(field: "duration_ms", problem: "missing or negative") }
        if !report.billedMs.isFinite || report.billedMs < 0 { throw FieldFailure(field: "billed_ms", problem: "missing or negative") }
        if report.memoryMB < 0 { throw FieldFailure(field: "report_memory_mb", problem: "missing") }
        if let m = report.maxMemoryMB, m < 0 { throw FieldFailure(field: "max_memory_mb", problem: "negative") }
        if let i = report.initMs, !(i >= 0) { throw FieldFailure(field: "init_ms", problem: "negative") }
    }
}
