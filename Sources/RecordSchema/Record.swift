import JSON

/// Any line of a rightsize NDJSON file. Each line names its kind in `"record"`,
/// which writers put first; a stage fed the wrong file says so precisely.
public enum Record: Hashable, Sendable {
    case run(RunHeader)
    case schedule(ScheduledCall)
    case invocation(Invocation)
    case log(LogRecord)
    case invokeSummary(InvokeSummary)
    case logWait(LogWaitSummary)

    public var kind: String {
        switch self {
        case .run: "run"
        case .schedule: "schedule"
        case .invocation: "invocation"
        case .log: "log"
        case .invokeSummary: "invoke_summary"
        case .logWait: "log_wait"
        }
    }

    // MARK: Writing

    /// Appends this record as one JSON line (with the trailing newline).
    public func write(to w: inout JSONWriter) {
        w.beginObject()
        w.key("record")
        w.string(kind)
        switch self {
        case .run(let h):
            w.key("run")
            w.string(h.run)
            w.key("seed")
            w.uint64(h.seed)
            w.key("seed_generated")
            w.bool(h.seedGenerated)
            w.key("workload_sha256")
            w.string(h.workloadSHA256)
            if !h.traces.isEmpty { Self.writeTraces(h.traces, to: &w) }
            w.key("memory_sizes")
            w.beginArray()
            for m in h.memorySizes { w.int(m) }
            w.endArray()
            w.key("scheduled")
            w.int(h.scheduled)
            w.key("generator")
            w.string(h.generator)
            w.key("tools")
            w.beginArray()
            for t in h.tools { w.string(t) }
            w.endArray()
            w.key("workload")
            w.raw(h.workload)
        case .schedule(let c): c.writeFields(to: &w)
        case .invocation(let i): i.writeFields(to: &w)
        case .log(let l): l.writeFields(to: &w)
        case .invokeSummary(let s):
            w.key("scheduled")
            w.int(s.scheduled)
            w.key("sent")
            w.int(s.sent)
            w.key("not_sent")
            w.int(s.notSent)
            w.key("interrupted")
            w.bool(s.interrupted)
            w.key("started_unix_ms")
            w.number(s.startedUnixMs, decimals: 3)
            w.key("ended_unix_ms")
            w.number(s.endedUnixMs, decimals: 3)
            w.key("outcomes")
            w.beginObject()
            for (k, v) in s.outcomes.sorted(by: { $0.key < $1.key }) {
                w.key(k)
                w.int(v)
            }
            w.endObject()
            if !s.shards.isEmpty {
                w.key("shards")
                w.beginArray()
                for shard in s.shards {
                    w.beginObject()
                    w.key("index")
                    w.int(shard.index)
                    w.key("count")
                    w.int(shard.count)
                    w.key("host")
                    w.string(shard.host)
                    w.key("start_at_unix_ms")
                    w.number(shard.startAtUnixMs, decimals: 3)
                    w.key("scheduled")
                    w.int(shard.scheduled)
                    w.key("sent")
                    w.int(shard.sent)
                    w.endObject()
                }
                w.endArray()
            }
        case .logWait(let s):
            w.key("function")
            w.string(s.function)
            w.key("log_group")
            w.string(s.logGroup)
            w.key("expected")
            w.int(s.expected)
            w.key("found")
            w.int(s.found)
            w.key("timed_out")
            w.bool(s.timedOut)
            w.key("unmatched")
            w.int(s.unmatched)
            w.key("unparseable")
            w.int(s.unparseable)
            w.key("waited_s")
            w.number(s.waitedS, decimals: 3)
            w.key("api_calls")
            w.int(s.apiCalls)
        }
        w.endObject()
        w.bytes.append(0x0A)
    }

    // MARK: Reading

    /// Decodes one line. Throws `FieldFailure` naming the field at fault.
    public static func decode(_ line: UnsafeBufferPointer<UInt8>) throws -> Record {
        var s = JSONScanner(line)
        let kind = try recordKind(line)
        var currentField = ""
        do {
            let record: Record
            switch kind {
            case "schedule":
                var c = ScheduledCall.placeholder
                try readFlat(&s, &currentField) { key, s in try c.readField(key, &s) }
                try c.validate()
                record = .schedule(c)
            case "invocation":
                var i = Invocation.placeholder
                try readFlat(&s, &currentField) { key, s in try i.readField(key, &s) }
                try i.validate()
                record = .invocation(i)
            case "log":
                var l = LogRecord.placeholder
                try readFlat(&s, &currentField) { key, s in try l.readField(key, &s) }
                try l.validate()
                record = .log(l)
            case "run": record = .run(try readRunHeader(&s, &currentField))
            case "invoke_summary": record = .invokeSummary(try readInvokeSummary(&s, &currentField))
            case "log_wait": record = .logWait(try readLogWait(&s, &currentField))
            default:
                throw FieldFailure(field: "record", problem: "unknown record kind \"\(kind)\"")
            }
            guard s.isAtEnd else { throw FieldFailure(field: "", problem: "unexpected text after the JSON object") }
            return record
        } catch let f as JSONScanner.Failure {
            throw FieldFailure(field: currentField, problem: f.problem)
        }
    }

    static let keyTable = JSONFieldTable<RecordKey>()

    /// Reads the members of a schedule/invocation/log line, dispatching known keys to `field`
    /// (which returns false for keys of other record kinds) and skipping the rest.
    static func readFlat(
        _ s: inout JSONScanner, _ currentField: inout String,
        _ field: (RecordKey, inout JSONScanner) throws -> Bool
    ) throws {
        try s.readObjectKeys { key, s in
            guard let known = keyTable.field(for: key) else {
                currentField = key.string
                try s.skipValue()
                return
            }
            currentField = known.rawValue
            if try !field(known, &s) { try s.skipValue() }
        }
    }

    /// Finds the `record` member: first key on lines we wrote, anywhere otherwise.
    static func recordKind(_ line: UnsafeBufferPointer<UInt8>) throws -> String {
        var s = JSONScanner(line)
        var kind: String?
        do {
            guard s.peek() == UInt8(ascii: "{") else { throw JSONScanner.Failure(problem: "expected a JSON object") }
            try s.readObject { key, s in
                if key == "record", kind == nil {
                    kind = try s.readString()
                    throw FoundKind()
                }
                try s.skipValue()
            }
        } catch is FoundKind {
        } catch let f as JSONScanner.Failure {
            throw FieldFailure(field: "", problem: f.problem)
        }
        guard let kind else { throw FieldFailure(field: "record", problem: "missing") }
        return kind
    }
    private struct FoundKind: Error {}

    static func readRunHeader(_ s: inout JSONScanner, _ field: inout String) throws -> RunHeader {
        var h = RunHeader(
            run: "", seed: 0, seedGenerated: false, workloadSHA256: "", workload: .null,
            memorySizes: [], scheduled: 0, generator: "", tools: [])
        try s.readObject { key, s in
            field = key
            switch key {
            case "run": h.run = try s.readString()
            case "seed": h.seed = try s.readUInt64()
            case "seed_generated": h.seedGenerated = try s.readBool()
            case "workload_sha256": h.workloadSHA256 = try s.readString()
            case "memory_sizes": try s.readArray { _, s in h.memorySizes.append(try s.readInt()) }
            case "scheduled": h.scheduled = try s.readInt()
            case "generator": h.generator = try s.readString()
            case "tools": try s.readArray { _, s in h.tools.append(try s.readString()) }
            case "workload": h.workload = try s.readRaw()
            case "traces": try s.readArray { _, s in h.traces.append(try readTrace(&s)) }
            default: try s.skipValue()
            }
        }
        return h
    }

    static func writeTraces(_ traces: [TraceDigest], to w: inout JSONWriter) {
        w.key("traces")
        w.beginArray()
        for t in traces {
            w.beginObject()
            w.key("instance")
            w.string(t.instance)
            w.key("format")
            w.string(t.format)
            w.key("file")
            w.string(t.file)
            w.key("sha256")
            w.string(t.sha256)
            if let i = t.intervalS {
                w.key("interval_s")
                w.number(i)
            }
            w.endObject()
        }
        w.endArray()
    }

    static func readTrace(_ s: inout JSONScanner) throws -> TraceDigest {
        var t = TraceDigest(instance: "", format: "", file: "", sha256: "", intervalS: nil)
        try s.readObject { key, s in
            switch key {
            case "instance": t.instance = try s.readString()
            case "format": t.format = try s.readString()
            case "file": t.file = try s.readString()
            case "sha256": t.sha256 = try s.readString()
            case "interval_s": t.intervalS = try s.readDouble()
            default: try s.skipValue()
            }
        }
        return t
    }

    static func readInvokeSummary(_ s: inout JSONScanner, _ field: inout String) throws -> InvokeSummary {
        var r = InvokeSummary(scheduled: 0, sent: 0, notSent: 0, interrupted: false, startedUnixMs: 0, endedUnixMs: 0, outcomes: [:])
        try s.readObject { key, s in
            field = key
            switch key {
            case "scheduled": r.scheduled = try s.readInt()
            case "sent": r.sent = try s.readInt()
            case "not_sent": r.notSent = try s.readInt()
            case "interrupted": r.interrupted = try s.readBool()
            case "started_unix_ms": r.startedUnixMs = try s.readDouble()
            case "ended_unix_ms": r.endedUnixMs = try s.readDouble()
            case "outcomes": try s.readObject { k, s in r.outcomes[k] = try s.readInt() }
            case "shards":
                try s.readArray { _, s in
                    var shard = ShardInfo(index: -1, count: 0, host: "", startAtUnixMs: 0, scheduled: 0, sent: 0)
                    try s.readObject { k, s in
                        field = "shards.\(k)"
                        switch k {
                        case "index": shard.index = try s.readInt()
                        case "count": shard.count = try s.readInt()
                        case "host": shard.host = try s.readString()
                        case "start_at_unix_ms": shard.startAtUnixMs = try s.readDouble()
                        case "scheduled": shard.scheduled = try s.readInt()
                        case "sent": shard.sent = try s.readInt()
                        default: try s.skipValue()
                        }
                    }
                    r.shards.append(shard)
                }
            default: try s.skipValue()
            }
        }
        return r
    }

    static func readLogWait(_ s: inout JSONScanner, _ field: inout String) throws -> LogWaitSummary {
        var r = LogWaitSummary(
            function: "", logGroup: "", expected: 0, found: 0, timedOut: false, unmatched: 0,
            unparseable: 0, waitedS: 0, apiCalls: 0)
        try s.readObject { key, s in
            field = key
            switch key {
            case "function": r.function = try s.readString()
            case "log_group": r.logGroup = try s.readString()
            case "expected": r.expected = try s.readInt()
            case "found": r.found = try s.readInt()
            case "timed_out": r.timedOut = try s.readBool()
            case "unmatched": r.unmatched = try s.readInt()
            case "unparseable": r.unparseable = try s.readInt()
            case "waited_s": r.waitedS = try s.readDouble()
            case "api_calls": r.apiCalls = try s.readInt()
            default: try s.skipValue()
            }
        }
        return r
    }
}
