import JSON

/// One CloudWatch Logs event as FilterLogEvents returns it.
public struct LogEvent: Hashable, Sendable {
    /// Unique per event: the key that keeps re-read pages from counting an event twice.
    public var eventId: String
    public var logStream: String
    public var timestampMs: Double
    public var message: String

    public init(eventId: String, logStream: String, timestampMs: Double, message: String) {
        self.eventId = eventId
        self.logStream = logStream
        self.timestampMs = timestampMs
        self.message = message
    }
}

/// One FilterLogEvents response: `{"events": [...], "nextToken": "..."}`.
/// A page may be empty while more remain; only a missing nextToken ends a pass.
public struct FilterLogEventsPage: Sendable {
    public var events: [LogEvent]
    public var nextToken: String?

    public init(events: [LogEvent], nextToken: String?) {
        self.events = events
        self.nextToken = nextToken
    }

    public static func parse(_ body: [UInt8]) throws -> FilterLogEventsPage {
        try body.withUnsafeBufferPointer { try parse($0) }
    }

    /// Also reads `aws logs filter-log-events` output, which has the same shape.
    public static func parse(_ body: UnsafeBufferPointer<UInt8>) throws -> FilterLogEventsPage {
        var s = JSONScanner(body)
        var page = FilterLogEventsPage(events: [], nextToken: nil)
        try s.readObject { key, s in
            switch key {
            case "events":
                try s.readArray { _, s in page.events.append(try readEvent(&s)) }
            case "nextToken":
                page.nextToken = s.readNull() ? nil : try s.readString()
            default: try s.skipValue()
            }
        }
        if page.nextToken?.isEmpty == true { page.nextToken = nil }
        return page
    }

    static func readEvent(_ s: inout JSONScanner) throws -> LogEvent {
        var e = LogEvent(eventId: "", logStream: "", timestampMs: 0, message: "")
        try s.readObject { key, s in
            switch key {
            case "eventId": e.eventId = try s.readString()
            case "logStreamName": e.logStream = try s.readString()
            case "timestamp": e.timestampMs = try s.readDouble()
            case "message": e.message = try s.readString()
            default: try s.skipValue()
            }
        }
        return e
    }
}
