import JSON
import RecordSchema

/// Reads the few fields fit and report need straight from a line's bytes, skipping the rest
/// without building strings: the full `Record.decode` costs several µs a line, too slow
/// for fitting a million calls in 1 s or reporting them in 2 s. Any line this fast path
/// does not fully understand (escapes in a needed string, a missing or malformed field,
/// another record kind) returns nil, and the caller decodes it with `Record.decode`, which
/// also produces the precise error.
public enum CallProjection {
    public enum Kind: Sendable { case log, invocation, other }

    /// nil = use the full decoder for this line.
    /// `calls` = also read the call-level fields (a log line's invocation part is not
    /// needed when invocations.ndjson is given; skipping it saves most number parsing).
    /// `keys` remembers the previous line's keys, so a line written like it is read
    /// without scanning its keys (one reader's lines share one `KeyLayout`).
    public static func scan(
        _ line: UnsafeBufferPointer<UInt8>, calls: Bool = true,
        keys: inout KeyLayout
    ) -> (Kind, CallFacts)? {
        guard let base = line.baseAddress else { return nil }
        var s = Cursor(p: base, end: base + line.count)
        var f = CallFacts()
        var kind: Kind?
        s.skipSpace()
        guard s.take(UInt8(ascii: "{")) else { return nil }
        s.skipSpace()
        if s.take(UInt8(ascii: "}")) { return nil }
        var position = 0
        var seen: UInt32 = 0  // the fields read so far: a repeated one is the decoder's error to report
        while true {
            s.skipSpace()
            let field: Field
            if let known = keys.match(position, at: s.p, end: s.end) {
                field = known.field
                s.p += known.length
            } else {
                let start = s.p
                guard let key = s.plainString() else { return nil }
                field = Field(key)
                if s.p < s.end, s.p.pointee == UInt8(ascii: ":") {
                    keys.learn(position, UnsafeBufferPointer(start: start, count: s.p + 1 - start), field)
                }
                s.skipSpace()
                guard s.take(UInt8(ascii: ":")) else { return nil }
            }
            position += 1
            if field != .other {
                let bit: UInt32 = 1 << field.rawValue
                guard seen & bit == 0 else { return nil }
                seen |= bit
            }
            s.skipSpace()
            switch field {
            case .record:
                guard let r = s.plainString() else { return nil }
                if eq(r, "log") { kind = .log } else if eq(r, "invocation") { kind = .invocation } else { return nil }
            case .target:
                guard let label = s.targetLabel() else { return nil }
                f.label = label
            case .phase:
                guard let v = s.number(), let i = Int(exactly: v) else { return nil }
                f.phase = i
            case .memoryMB:
                guard let v = s.number(), let i = Int(exactly: v) else { return nil }
                f.memoryMB = i
            case .payload:
                let start = s.p
                guard s.skipValue() else { return nil }
                let span = UnsafeBufferPointer(start: start, count: s.p - start)
                guard RawJSON.isCompact(span) else { return nil }  // as RawJSON keeps it
                if span.contains(where: { $0 >= 0x80 }) { guard isValidUTF8(span) else { return nil } }  // the decoder repairs it
                f.payload = span
            case .status:
                guard let t = s.plainString(), let st = ReportStatus(rawValue: String(decoding: t, as: UTF8.self)) else { return nil }
                f.status = st
            case .durationMs:
                guard let v = s.number() else { return nil }
                f.durationMs = v
            case .billedMs:
                guard let v = s.number() else { return nil }
                f.billedMs = v
            case .reportMemoryMB:
                guard let v = s.number(), let i = Int(exactly: v) else { return nil }
                f.reportMemoryMB = i
            case .maxMemoryMB:
                guard let v = s.optNumber() else { return nil }
                if let v {
                    guard let i = Int(exactly: v) else { return nil }
                    f.maxMemoryMB = i
                } else {
                    f.maxMemoryMB = nil
                }
            case .initMs:
                guard let v = s.optNumber() else { return nil }
                f.initMs = v
            case .atS where calls:
                guard let v = s.number() else { return nil }
                f.atS = v
            case .instance where calls:
                guard let v = s.plainString() else { return nil }
                f.instance = v
            case .phaseStartUnixMs where calls:
                guard let v = s.number() else { return nil }
                f.phaseStartUnixMs = v
            case .sentUnixMs where calls:
                guard let v = s.optNumber() else { return nil }
                f.sentUnixMs = v
            case .lagMs where calls:
                guard let v = s.optNumber() else { return nil }
                f.lagMs = v
            case .latencyMs where calls:
                guard let v = s.optNumber() else { return nil }
                f.latencyMs = v
            case .scheduledLatencyMs where calls:
                guard let v = s.optNumber() else { return nil }
                f.scheduledLatencyMs = v
            case .httpStatus where calls:
                guard let v = s.optNumber() else { return nil }
                if let v {
                    guard let i = Int(exactly: v) else { return nil }
                    f.httpStatus = i
                } else {
                    f.httpStatus = nil
                }
            case .functionError where calls:
                f.hasFunctionError = !s.null()
                if f.hasFunctionError { guard s.skipValue() else { return nil } }
            case .loopConcurrency:
                // A closed loop's line (few: they are counted in runs, not rates) goes to the
                // decoder, which checks its whole loop position and sets `inClosedLoop`.
                return nil
            case .error where calls:
                if s.null() {
                    f.error = nil
                } else {
                    guard let e = s.plainString(), let ce = CallError(rawValue: String(decoding: e, as: UTF8.self)) else { return nil }
                    f.error = ce
                }
            default:
                guard s.skipValue() else { return nil }
            }
            s.skipSpace()
            if s.take(UInt8(ascii: ",")) { continue }
            guard s.take(UInt8(ascii: "}")) else { return nil }
            break
        }
        s.skipSpace()
        guard s.p == s.end, let kind else { return nil }
        // The checks `validate()` makes on these fields; a line failing one goes to the full
        // decoder, which reports it.
        guard f.label != nil, f.memoryMB >= 128, f.memoryMB <= 10240, f.phase >= 0, f.payload != nil else { return nil }
        if calls { guard f.instance != nil, f.atS.isFinite, f.atS >= 0, f.phaseStartUnixMs.isFinite else { return nil } }
        if kind == .log {
            guard f.durationMs >= 0, f.billedMs >= 0, f.reportMemoryMB >= 0, f.status != nil else { return nil }
            if let i = f.initMs, !(i >= 0) { return nil }
            if let m = f.maxMemoryMB, m < 0 { return nil }
        }
        return (kind, f)
    }

    /// One line on its own (no layout shared with other lines).
    public static func scan(_ line: UnsafeBufferPointer<UInt8>, calls: Bool = true) -> (Kind, CallFacts)? {
        var keys = KeyLayout()
        return scan(line, calls: calls, keys: &keys)
    }

    /// The top-level keys the projection reads; every other key is `.other` (skipped).
    enum Field: UInt8 {
        case other, record, target, phase, memoryMB, payload, status, durationMs, billedMs, reportMemoryMB, maxMemoryMB,
            initMs, atS, instance, phaseStartUnixMs, sentUnixMs, lagMs, latencyMs, scheduledLatencyMs, httpStatus,
            functionError, error, loopConcurrency

        init(_ key: UnsafeBufferPointer<UInt8>) {
            func named(_ name: StaticString, _ field: Field) -> Field? { CallProjection.eq(key, name) ? field : nil }
            let field: Field?
            switch key.count {  // candidates by length: one or two comparisons per key
            case 4: field = named("at_s", .atS)
            case 5: field = named("phase", .phase) ?? named("error", .error)
            case 6: field = named("record", .record) ?? named("target", .target) ?? named("lag_ms", .lagMs) ?? named("status", .status)
            case 7: field = named("init_ms", .initMs) ?? named("payload", .payload)
            case 8: field = named("instance", .instance)
            case 9: field = named("memory_mb", .memoryMB) ?? named("billed_ms", .billedMs)
            case 10: field = named("latency_ms", .latencyMs)
            case 11: field = named("duration_ms", .durationMs) ?? named("http_status", .httpStatus)
            case 12: field = named("sent_unix_ms", .sentUnixMs)
            case 13: field = named("max_memory_mb", .maxMemoryMB)
            case 14: field = named("function_error", .functionError)
            case 16: field = named("report_memory_mb", .reportMemoryMB) ?? named("loop_concurrency", .loopConcurrency)
            case 19: field = named("phase_start_unix_ms", .phaseStartUnixMs)
            case 20: field = named("scheduled_latency_ms", .scheduledLatencyMs)
            default: field = nil
            }
            self = field ?? .other
        }
    }
}
