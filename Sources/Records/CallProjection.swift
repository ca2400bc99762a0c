#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The fields of a `log` or `invocation` line that fit and report use. Byte views point
/// into the line and are valid only while it is.
public struct CallFacts {
    public var label: UnsafeBufferPointer<UInt8>? = nil    // target.function or target.url (the function's name)
    public var instance: UnsafeBufferPointer<UInt8>? = nil
    public var memoryMB = -1
    public var atS = Double.nan
    public var phaseStartUnixMs = Double.nan
    public var sentUnixMs: Double?
    public var lagMs: Double?
    public var latencyMs: Double?
    public var scheduledLatencyMs: Double?
    public var httpStatus: Int?
    public var hasFunctionError = false
    public var error: CallError?
    // REPORT fields (log lines only).
    public var durationMs = Double.nan
    public var billedMs = Double.nan
    public var reportMemoryMB = -1
    public var maxMemoryMB: Int?
    public var initMs: Double?
    public var status: ReportStatus?
    public var phase = -1
    /// The payload's compact JSON text.
    public var payload: UnsafeBufferPointer<UInt8>? = nil

    public init() {}

    /// The facts of a fully decoded record (the slow path), in the same form as the projection's.
    public static func with<T>(_ i: Invocation, _ r: Report?, _ body: (CallFacts) throws -> T) rethrows -> T {
        var label = i.call.target.label, instance = i.call.instance, payload = i.call.payload.text
        return try label.withUTF8 { l in
            try instance.withUTF8 { n in
                try payload.withUTF8 { p in
                    var f = CallFacts()
                    f.label = l; f.instance = n; f.payload = p
                    f.memoryMB = i.call.memoryMB; f.phase = i.call.phase; f.atS = i.call.atS
                    f.phaseStartUnixMs = i.phaseStartUnixMs; f.sentUnixMs = i.sentUnixMs; f.lagMs = i.lagMs
                    f.latencyMs = i.latencyMs; f.scheduledLatencyMs = i.scheduledLatencyMs; f.httpStatus = i.httpStatus
                    f.hasFunctionError = i.functionError != nil; f.error = i.error
                    if let r {
                        f.durationMs = r.durationMs; f.billedMs = r.billedMs; f.reportMemoryMB = r.memoryMB
                        f.maxMemoryMB = r.maxMemoryMB; f.initMs = r.initMs; f.status = r.status
                    }
                    return try body(f)
                }
            }
        }
    }
}

/// Reads the few fields fit and report need straight from a line's bytes, skipping the rest
/// without building strings: the full `Record.decode` costs several µs a line, too slow
/// for fitting a million calls in 1 s or reporting them in 2 s. Any line this fast path does not fully understand (escapes in
/// a needed string, a missing or malformed field, another record kind) returns nil, and
/// the caller decodes it with `Record.decode`, which also produces the precise error.
public enum CallProjection {
    public enum Kind: Sendable { case log, invocation, other }

    /// nil = use the full decoder for this line.
    /// `calls` = also read the call-level fields (a log line's invocation part is not
    /// needed when invocations.ndjson is given; skipping it saves most number parsing).
    public static func scan(_ line: UnsafeBufferPointer<UInt8>, calls: Bool = true) -> (Kind, CallFacts)? {
        guard let base = line.baseAddress else { return nil }
        var s = Cursor(p: base, end: base + line.count)
        var f = CallFacts()
        var kind: Kind?
        s.skipSpace()
        guard s.take(UInt8(ascii: "{")) else { return nil }
        s.skipSpace()
        if s.take(UInt8(ascii: "}")) { return nil }
        while true {
            s.skipSpace()
            guard let key = s.plainString() else { return nil }
            s.skipSpace()
            guard s.take(UInt8(ascii: ":")) else { return nil }
            s.skipSpace()
            switch key.count {
            case 4:
                if calls, eq(key, "at_s") { guard let v = s.number() else { return nil }; f.atS = v }
                else { guard s.skipValue() else { return nil } }
            case 5:
                if eq(key, "phase") { guard let v = s.number(), let i = Int(exactly: v) else { return nil }; f.phase = i }
                else if calls, eq(key, "error") {
                    if s.null() { f.error = nil } else {
                        guard let e = s.plainString(), let ce = CallError(rawValue: String(decoding: e, as: UTF8.self)) else { return nil }
                        f.error = ce
                    }
                } else { guard s.skipValue() else { return nil } }
            case 6:
                if eq(key, "record") {
                    guard let r = s.plainString() else { return nil }
                    if eq(r, "log") { kind = .log } else if eq(r, "invocation") { kind = .invocation } else { return nil }
                } else if eq(key, "target") {
                    guard let label = s.targetLabel() else { return nil }
                    f.label = label
                } else if calls, eq(key, "lag_ms") {
                    guard let v = s.optNumber() else { return nil }; f.lagMs = v
                } else if eq(key, "status") {
                    guard let t = s.plainString(), let st = ReportStatus(rawValue: String(decoding: t, as: UTF8.self)) else { return nil }
                    f.status = st
                } else { guard s.skipValue() else { return nil } }
            case 7:
                if eq(key, "init_ms") { guard let v = s.optNumber() else { return nil }; f.initMs = v }
                else if eq(key, "payload") {
                    let start = s.p
                    guard s.skipValue() else { return nil }
                    let span = UnsafeBufferPointer(start: start, count: s.p - start)
                    guard RawJSON.isCompact(span) else { return nil }  // as RawJSON keeps it
                    f.payload = span
                } else { guard s.skipValue() else { return nil } }
            case 8:
                if calls, eq(key, "instance") { guard let v = s.plainString() else { return nil }; f.instance = v }
                else { guard s.skipValue() else { return nil } }
            case 9:
                if eq(key, "memory_mb") { guard let v = s.number(), let i = Int(exactly: v) else { return nil }; f.memoryMB = i }
                else if eq(key, "billed_ms") { guard let v = s.number() else { return nil }; f.billedMs = v }
                else { guard s.skipValue() else { return nil } }
            case 10:
                if calls, eq(key, "latency_ms") { guard let v = s.optNumber() else { return nil }; f.latencyMs = v }
                else { guard s.skipValue() else { return nil } }
            case 11:
                if eq(key, "duration_ms") { guard let v = s.number() else { return nil }; f.durationMs = v }
                else if calls, eq(key, "http_status") {
                    guard let v = s.optNumber() else { return nil }
                    if let v { guard let i = Int(exactly: v) else { return nil }; f.httpStatus = i } else { f.httpStatus = nil }
                } else { guard s.skipValue() else { return nil } }
            case 12:
                if calls, eq(key, "sent_unix_ms") { guard let v = s.optNumber() else { return nil }; f.sentUnixMs = v }
                else { guard s.skipValue() else { return nil } }
            case 13:
                if eq(key, "max_memory_mb") {
                    guard let v = s.optNumber() else { return nil }
                    if let v { guard let i = Int(exactly: v) else { return nil }; f.maxMemoryMB = i } else { f.maxMemoryMB = nil }
                } else { guard s.skipValue() else { return nil } }
            case 14:
                if calls, eq(key, "function_error") { f.hasFunctionError = !s.null(); if f.hasFunctionError { guard s.skipValue() else { return nil } } }
                else { guard s.skipValue() else { return nil } }
            case 16:
                if eq(key, "report_memory_mb") { guard let v = s.number(), let i = Int(exactly: v) else { return nil }; f.reportMemoryMB = i }
                else { guard s.skipValue() else { return nil } }
            case 19:
                if calls, eq(key, "phase_start_unix_ms") { guard let v = s.number() else { return nil }; f.phaseStartUnixMs = v }
                else { guard s.skipValue() else { return nil } }
            case 20:
                if calls, eq(key, "scheduled_latency_ms") { guard let v = s.optNumber() else { return nil }; f.scheduledLatencyMs = v }
                else { guard s.skipValue() else { return nil } }
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

    @inline(__always) static func eq(_ b: UnsafeBufferPointer<UInt8>, _ s: StaticString) -> Bool {
        let n = s.utf8CodeUnitCount
        guard b.count == n else { return false }
        let x = UnsafeRawPointer(b.baseAddress!), y = UnsafeRawPointer(s.utf8Start)
        var k = 0
        while k + 8 <= n {  // a word at a time: keys are short
            if x.loadUnaligned(fromByteOffset: k, as: UInt64.self) != y.loadUnaligned(fromByteOffset: k, as: UInt64.self) { return false }
            k += 8
        }
        while k < n { if b[k] != y.load(fromByteOffset: k, as: UInt8.self) { return false }; k += 1 }
        return true
    }

    /// Index (0..7) of the first byte of `w` equal to '"' or '\\' or below 0x20, or 8 when none (SWAR).
    @inline(__always) static func firstSpecial(_ w: UInt64) -> Int {
        let ones: UInt64 = 0x0101_0101_0101_0101, highs: UInt64 = 0x8080_8080_8080_8080
        let quote = w ^ (ones &* 0x22), slash = w ^ (ones &* 0x5C)
        let hits = ((quote &- ones) & ~quote | (slash &- ones) & ~slash | (w &- ones &* 0x20) & ~w) & highs
        return hits == 0 ? 8 : hits.trailingZeroBitCount / 8
    }

    struct Cursor {
        var p: UnsafePointer<UInt8>
        let end: UnsafePointer<UInt8>

        @inline(__always) mutating func skipSpace() {
            while p < end, p.pointee == 0x20 || p.pointee == 0x09 || p.pointee == 0x0D || p.pointee == 0x0A { p += 1 }
        }
        @inline(__always) mutating func take(_ c: UInt8) -> Bool {
            guard p < end, p.pointee == c else { return false }
            p += 1
            return true
        }
        mutating func null() -> Bool {
            guard end - p >= 4, p[0] == UInt8(ascii: "n"), p[1] == UInt8(ascii: "u"), p[2] == UInt8(ascii: "l"), p[3] == UInt8(ascii: "l") else { return false }
            p += 4
            return true
        }
        /// A string without escapes or control characters (else nil: full decoder).
        mutating func plainString() -> UnsafeBufferPointer<UInt8>? {
            guard take(UInt8(ascii: "\"")) else { return nil }
            let start = p
            while end - p >= 8 {  // skip ordinary bytes eight at a time
                let k = CallProjection.firstSpecial(UnsafeRawPointer(p).loadUnaligned(as: UInt64.self))
                p += k
                if k < 8 { break }
            }
            while p < end {
                let c = p.pointee
                if c == UInt8(ascii: "\"") { let r = UnsafeBufferPointer(start: start, count: p - start); p += 1; return r }
                if c == UInt8(ascii: "\\") || c < 0x20 { return nil }
                p += 1
            }
            return nil
        }
        mutating func optNumber() -> Double?? {
            if null() { return .some(nil) }
            guard let v = number() else { return nil }
            return .some(v)
        }
        /// A JSON number. Correctly rounded when the digits fit a double's mantissa (exact
        /// mantissa, one division); longer ones (e.g. full-precision `at_s`) keep 19 digits, a
        /// deterministic result within an ulp or two; exponents go through strtod.
        mutating func number() -> Double? {
            let start = p
            var neg = false
            if p < end, p.pointee == UInt8(ascii: "-") { neg = true; p += 1 }
            var mantissa: UInt64 = 0
            var digits = 0, fraction = 0, droppedInteger = 0
            let intStart = p
            while p < end, p.pointee &- 0x30 < 10 {
                if digits < 19 { mantissa = mantissa &* 10 &+ UInt64(p.pointee &- 0x30); if mantissa > 0 { digits += 1 } } else { droppedInteger += 1 }
                p += 1
            }
            guard p > intStart else { return nil }
            if p - intStart > 1, intStart.pointee == UInt8(ascii: "0") { return nil }
            if p < end, p.pointee == UInt8(ascii: ".") {
                p += 1
                let f0 = p
                while p < end, p.pointee &- 0x30 < 10 {
                    if digits < 19 { mantissa = mantissa &* 10 &+ UInt64(p.pointee &- 0x30); if mantissa > 0 { digits += 1 }; fraction += 1 }
                    p += 1
                }
                guard p > f0 else { return nil }
            }
            if p < end, p.pointee | 0x20 == UInt8(ascii: "e") || droppedInteger > 0 || fraction > 22 {
                if p < end, p.pointee | 0x20 == UInt8(ascii: "e") {
                    p += 1
                    if p < end, p.pointee == UInt8(ascii: "+") || p.pointee == UInt8(ascii: "-") { p += 1 }
                    let e0 = p
                    while p < end, p.pointee &- 0x30 < 10 { p += 1 }
                    guard p > e0 else { return nil }
                }
                return Double(String(decoding: UnsafeBufferPointer(start: start, count: p - start), as: UTF8.self))
            }
            let v = fraction == 0 ? Double(mantissa) : Double(mantissa) / Self.powers[fraction]
            return neg ? -v : v
        }
        static let powers: [Double] = (0...22).map { k in var x = 1.0; for _ in 0..<k { x *= 10 }; return x }

        /// Skips any value (strings may contain escapes; nesting is tracked outside strings).
        mutating func skipValue() -> Bool {
            guard p < end else { return false }
            switch p.pointee {
            case UInt8(ascii: "\""): return skipString()
            case UInt8(ascii: "{"), UInt8(ascii: "["):
                var depth = 0
                while p < end {
                    let c = p.pointee
                    if c == UInt8(ascii: "\"") { guard skipString() else { return false }; continue }
                    if c == UInt8(ascii: "{") || c == UInt8(ascii: "[") { depth += 1 }
                    else if c == UInt8(ascii: "}") || c == UInt8(ascii: "]") { depth -= 1; if depth == 0 { p += 1; return true } }
                    p += 1
                }
                return false
            default:
                let start = p
                while p < end, p.pointee != UInt8(ascii: ","), p.pointee != UInt8(ascii: "}"), p.pointee != UInt8(ascii: "]"),
                      p.pointee != 0x20 { p += 1 }
                return p > start
            }
        }
        mutating func skipString() -> Bool {
            p += 1
            while p < end {
                if end - p >= 8 {
                    let k = CallProjection.firstSpecial(UnsafeRawPointer(p).loadUnaligned(as: UInt64.self))
                    p += k
                    if k == 8 { continue }
                }
                let c = p.pointee
                if c == UInt8(ascii: "\\") { p += 2; continue }
                p += 1
                if c == UInt8(ascii: "\"") { return true }
            }
            return false
        }
        /// target: {"kind": ..., "function": ... | "url": ...}; returns function or url.
        mutating func targetLabel() -> UnsafeBufferPointer<UInt8>? {
            guard take(UInt8(ascii: "{")) else { return nil }
            var function: UnsafeBufferPointer<UInt8>?, url: UnsafeBufferPointer<UInt8>?
            skipSpace()
            if take(UInt8(ascii: "}")) { return nil }
            while true {
                skipSpace()
                guard let key = plainString() else { return nil }
                skipSpace()
                guard take(UInt8(ascii: ":")) else { return nil }
                skipSpace()
                if CallProjection.eq(key, "function") { guard let v = plainString() else { return nil }; function = v }
                else if CallProjection.eq(key, "url") { guard let v = plainString() else { return nil }; url = v }
                else { guard skipValue() else { return nil } }
                skipSpace()
                if take(UInt8(ascii: ",")) { continue }
                guard take(UInt8(ascii: "}")) else { return nil }
                break
            }
            return function ?? url
        }
    }
}
