/// A plain CSV trace: rows of one time (a call at that time) or of `time,count` (calls in
/// the interval starting there), with an optional header row. Times are seconds (any origin,
/// e.g. Unix time) or ISO 8601 date-times; the first row's time is the trace's origin.
enum CSVTrace {
    struct Shape {
        var offset: Int
        var line: Int
        var columns: Int
        var originS: Double
        /// The last time, from the origin.
        var lastS: Double
        /// Smallest gap between consecutive rows (counts only; nil with fewer than two rows).
        var smallestGapS: Double?
    }

    /// Reads the whole file once, checking every row.
    static func scan(_ lines: TraceLines) throws -> Shape? {
        var start = lines.position
        guard var first = lines.next() else { return nil }
        var firstFields = CSVFields(first)
        if TraceTime.seconds(firstFields.next()!) == nil {  // a header row
            start = lines.position
            guard let next = lines.next() else { return nil }
            first = next
        }
        var columns = 0
        firstFields = CSVFields(first)
        while firstFields.next() != nil { columns += 1 }
        guard columns == 1 || columns == 2 else {
            throw lines.error("row", "a trace row is one time, or a time and a count; this one has \(columns) fields")
        }
        guard let origin = TraceTime.seconds(CSVFields(first).firstField) else {
            throw lines.error("time", "must be seconds or an ISO 8601 date-time")
        }
        let rows = CSVTraceRows(
            lines: TraceLines(file: lines.file, name: lines.name, offset: start.offset, line: start.line), originS: origin, columns: columns
        )
        var last = 0.0
        var gap: Double? = nil
        var previous: Double? = nil
        while let e = try rows.next() {
            if let p = previous, columns == 2 { gap = min(gap ?? .infinity, e.timeS - p) }
            previous = e.timeS
            last = e.timeS
        }
        return Shape(offset: start.offset, line: start.line, columns: columns, originS: origin, lastS: last, smallestGapS: gap)
    }
}

extension CSVFields {
    var firstField: UnsafeBufferPointer<UInt8> {
        var copy = self
        return copy.next()!
    }
}

/// The rows of a plain CSV trace from its first data row, checked as they are read:
/// times in order (strictly, for counts), counts non-negative integers.
final class CSVTraceRows: TraceEvents {
    let lines: TraceLines
    let originS: Double
    let columns: Int
    var previous = -Double.infinity

    init(lines: TraceLines, originS: Double, columns: Int) {
        self.lines = lines
        self.originS = originS
        self.columns = columns
    }

    func next() throws -> TraceEvent? {
        guard let line = lines.next() else { return nil }
        var fields = CSVFields(line)
        let timeField = fields.next()!
        guard let t = TraceTime.seconds(timeField) else {
            throw lines.error("time", "must be seconds or an ISO 8601 date-time, got \"\(timeField.text)\"")
        }
        var count = 1
        if columns == 2 {
            guard let f = fields.next() else { throw lines.error("count", "missing: the first row has a time and a count") }
            guard let c = f.callCount else {
                throw lines.error("count", "must be a count of calls (an integer >= 0), got \"\(f.text)\"")
            }
            count = c
        }
        guard fields.next() == nil else {
            throw lines.error("row", "has more than \(columns) field\(columns == 1 ? "" : "s"), like the first row")
        }
        let time = t - originS
        if columns == 2 ? time <= previous : time < previous {
            throw lines.error(
                "time",
                "unsorted timestamps: \(timeField.text) is \(time == previous ? "the same time as" : "earlier than") the row before (\(format(previous + originS))); sort the trace"
            )
        }
        previous = time
        return TraceEvent(timeS: time, count: count)
    }

    func format(_ d: Double) -> String { d == d.rounded() && abs(d) < 1e15 ? String(Int64(d)) : String(d) }
}
