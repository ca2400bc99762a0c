import RecordSchema

/// A REPORT line found in the logs, with where and when CloudWatch has it.
public struct FoundReport: Hashable, Sendable {
    public var report: Report
    public var logStream: String
    public var timestampMs: Double

    public init(report: Report, logStream: String, timestampMs: Double) {
        self.report = report
        self.logStream = logStream
        self.timestampMs = timestampMs
    }
}

/// Everything read so far from one function's log group.
///
/// Remembers event ids so a pass that re-reads a page counts nothing twice, and keeps one
/// REPORT per request id (the first seen).
public struct ReportCollector: Sendable {
    var seenEvents: Set<String> = []
    /// REPORT lines by request id, and in the order found.
    public private(set) var reports: [String: FoundReport] = [:]
    public private(set) var order: [String] = []
    /// Request ids with a "Task timed out" line.
    public private(set) var timedOut: Set<String> = []
    public private(set) var unparseable = 0
    /// The first few unparseable messages, for the diagnostic.
    public private(set) var unparseableSamples: [String] = []
    /// Events read (after de-duplication).
    public private(set) var eventsRead = 0
    public private(set) var duplicateEvents = 0

    public init() {}

    /// Adds one event; returns what it says, or nil when it was already seen (same event id).
    @discardableResult
    public mutating func add(_ event: LogEvent) -> ParsedLogLine? {
        if !event.eventId.isEmpty {
            guard seenEvents.insert(event.eventId).inserted else {
                duplicateEvents += 1
                return nil
            }
        }
        eventsRead += 1
        let parsed = ReportLineParser.parse(event.message)
        add(parsed, message: event.message, logStream: event.logStream, timestampMs: event.timestampMs)
        return parsed
    }

    /// Adds one parsed line (raw text exports have no event ids; a lone XRAY line belongs
    /// to the REPORT just before it).
    public mutating func add(_ parsed: ParsedLogLine, message: String, logStream: String, timestampMs: Double) {
        switch parsed {
        case .report(let r):
            if reports[r.requestId] == nil {
                reports[r.requestId] = FoundReport(report: r, logStream: logStream, timestampMs: timestampMs)
                order.append(r.requestId)
            }
        case .timedOut(let id):
            timedOut.insert(id)
        case .xray(let trace):
            if let last = order.last, reports[last]?.report.xrayTraceId == nil { reports[last]?.report.xrayTraceId = trace }
        case .unparseable(let reason):
            unparseable += 1
            if unparseableSamples.count < 3 { unparseableSamples.append("\(reason): \(message.prefix(200))") }
        case .other:
            break
        }
    }

    /// The REPORT for `requestId`, its status corrected by a "Task timed out" line (older logs
    /// state no Status field).
    public func report(for requestId: String) -> FoundReport? {
        guard var found = reports[requestId] else { return nil }
        if found.report.status == .success, timedOut.contains(requestId) { found.report.status = .timeout }
        return found
    }
}
