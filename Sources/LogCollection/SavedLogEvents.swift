import JSON
import NDJSONIO
import RecordSchema
import ToolSupport

/// Log events from a file instead of the API (`await-logs --from`), so existing CloudWatch
/// exports can be fitted: the JSON output of `aws logs filter-log-events` (one or several
/// pages concatenated), or raw log text, one message per line.
public enum SavedLogEvents {
    public static func read(path: String) throws -> [LogEvent] {
        var all: [UInt8] = []
        var lines: [[UInt8]] = []
        let reader = try NDJSONReader(path: path)
        try reader.forEachLine { _, line in
            lines.append(Array(line))
            all.append(contentsOf: line)
            all.append(0x0A)
        }
        if let first = all.first(where: { $0 != 0x20 && $0 != 0x09 && $0 != 0x0A }), first == UInt8(ascii: "{") {
            do {
                if let events = try readPages(all) { return events }
            } catch let broken as BrokenPage {
                // It has "events", so it is an export, not JSON log lines: a broken one.
                let line = all[..<min(broken.offset, all.count)].reduce(1) { $0 + ($1 == 0x0A ? 1 : 0) }
                throw InputError(file: path, line: line, field: "events", problem: "not a filter-log-events page: \(broken.problem)")
            } catch {
                // Not one JSON document: JSON-format log lines, read as text below.
            }
        }
        return readText(lines)
    }

    /// A document that has "events" but does not parse (offset into the file, what is wrong).
    struct BrokenPage: Error {
        var offset: Int
        var problem: String
    }

    /// One or more `{"events": [...], "nextToken": ...}` documents; nil when none has "events".
    static func readPages(_ bytes: [UInt8]) throws -> [LogEvent]? {
        try bytes.withUnsafeBufferPointer { b -> [LogEvent]? in
            var events: [LogEvent] = []
            var sawEvents = false
            var offset = 0
            while offset < b.count {
                while offset < b.count, ReportLineParser.isBlank(b[offset]) { offset += 1 }
                guard offset < b.count else { break }
                var s = JSONScanner(UnsafeBufferPointer(rebasing: b[offset...]))
                do {
                    try s.readObject { key, s in
                        if key == "events" {
                            sawEvents = true
                            try s.readArray { _, s in events.append(try FilterLogEventsPage.readEvent(&s)) }
                        } else {
                            try s.skipValue()
                        }
                    }
                } catch  where sawEvents {
                    throw BrokenPage(offset: offset + s.position, problem: (error as? JSONScanner.Failure)?.problem ?? "\(error)")
                }
                offset += s.position
            }
            return sawEvents ? events : nil
        }
    }

    /// Raw text: each line a message; a leading ISO-8601 time (`aws logs tail`, subscription dumps)
    /// gives the timestamp. An XRAY line joins the REPORT before it, as in the CloudWatch event.
    static func readText(_ lines: [[UInt8]]) -> [LogEvent] {
        var events: [LogEvent] = []
        for line in lines {
            let text = String(decoding: line, as: UTF8.self)
            let isXray = line.withUnsafeBufferPointer { b -> Bool in
                var i = 0
                ReportLineParser.skipBlanks(b, &i)
                return ReportLineParser.hasPrefix("XRAY TraceId:", b, at: i)
            }
            if isXray, let last = events.last, last.message.contains("REPORT RequestId:"), !last.message.contains("XRAY") {
                events[events.count - 1].message += "\n" + text
                continue
            }
            let time = line.withUnsafeBufferPointer { ISO8601.parseMs($0) } ?? 0
            events.append(LogEvent(eventId: "", logStream: "", timestampMs: time, message: text))
        }
        return events
    }

    /// Reads every file, routes its events and joins: the whole of `await-logs --from`.
    /// `lost` = per file, REPORT lines that matched no function.
    public static func collect(
        _ files: [(function: String?, path: String)], plans: [FunctionPlan], joinToleranceMs: Double
    )
        throws -> (joins: [JoinResult], summaries: [LogWaitSummary], lost: [(path: String, count: Int)])
    {
        var collectors = plans.map { _ in ReportCollector() }
        var lost: [(path: String, count: Int)] = []
        for file in files {
            let events = try read(path: file.path)
            lost.append((file.path, distribute(events, function: file.function, plans: plans, into: &collectors)))
        }
        let joins = plans.indices.map { LogJoiner.join(plans[$0], collectors[$0], toleranceMs: joinToleranceMs) }
        let outcome = WaitOutcome(
            collectors: collectors, joins: joins, apiCalls: plans.map { _ in 0 },
            waitedS: plans.map { _ in 0 }, throttles: 0, passes: 0, timedOut: false)
        return (joins, outcome.summaries(plans), lost)
    }

    /// Routes events to the plans' collectors: all to `function` when given, else a REPORT goes to
    /// the function whose invocation has its request id, or, failing that, to the only function
    /// joined by time (or the only function). Returns how many REPORT lines found no function.
    public static func distribute(
        _ events: [LogEvent], function: String?, plans: [FunctionPlan],
        into collectors: inout [ReportCollector]
    ) -> Int {
        if let function {
            guard let k = plans.firstIndex(where: { $0.function == function }) else { return countReports(events) }
            for e in events { collectors[k].add(e) }
            return 0
        }
        let timeJoined = plans.indices.filter { !plans[$0].timeJoined.isEmpty }
        let fallback = timeJoined.count == 1 ? timeJoined[0] : (plans.count == 1 ? 0 : nil)
        var owner: [String: Int] = [:]
        for k in plans.indices { for id in plans[k].byRequestId.keys { owner[id] = k } }
        var unassigned = 0
        for e in events {
            let parsed = ReportLineParser.parse(e.message)
            let target: Int?
            switch parsed {
            case .report(let r): target = owner[r.requestId] ?? fallback
            case .timedOut(let id): target = owner[id] ?? fallback
            case .unparseable: target = fallback ?? 0
            case .xray, .other: continue
            }
            guard let k = target, k < collectors.count else {
                if case .report = parsed { unassigned += 1 }
                continue
            }
            collectors[k].add(parsed, message: e.message, logStream: e.logStream, timestampMs: e.timestampMs)
        }
        return unassigned
    }

    static func countReports(_ events: [LogEvent]) -> Int {
        events.reduce(0) { n, e in if case .report = ReportLineParser.parse(e.message) { return n + 1 } else { return n } }
    }
}
