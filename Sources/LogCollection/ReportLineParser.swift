import JSON
import RecordSchema

/// What one CloudWatch log message says, as far as await-logs cares.
public enum ParsedLogLine: Hashable, Sendable {
    /// A REPORT line (text) or a `platform.report` event (JSON log format).
    case report(Report)
    /// `<time> <request id> Task timed out after N seconds`: older REPORT lines lack `Status: timeout`.
    case timedOut(requestId: String)
    /// A lone `XRAY TraceId: ...` line: in CloudWatch it is part of the REPORT event, but text
    /// exports split it onto the next line.
    case xray(traceId: String)
    /// It looked like a REPORT line but a required field was missing or malformed.
    case unparseable(reason: String)
    /// Anything else (START, END, the function's own output...).
    case other
}

/// Parses Lambda REPORT lines from their bytes, field by field.
///
/// Fields are found by name, not position (the runtime interface emulator prints Init Duration
/// first), separated by tabs or spaces (old logs have "100 ms \t", some exports only spaces).
/// No regex and no Foundation: await-logs parses every REPORT line of a run, and the
/// benchmark asks for a million lines per second.
public enum ReportLineParser {
    public static func parse(_ message: String) -> ParsedLogLine {
        var copy = message
        return copy.withUTF8 { parse($0) }
    }

    public static func parse(_ b: UnsafeBufferPointer<UInt8>) -> ParsedLogLine {
        var i = 0
        while i < b.count, b[i] == 0x20 || b[i] == 0x09 { i += 1 }
        if i < b.count, b[i] == UInt8(ascii: "{") {
            guard find("platform.report", in: b, from: i) != nil else { return .other }
            return PlatformReportJSON.parse(UnsafeBufferPointer(rebasing: b[i...]))
        }
        if hasPrefix("REPORT RequestId:", b, at: i) { return parseText(b, from: i + 17) }
        if hasPrefix("XRAY TraceId:", b, at: i) {
            var j = i + 13
            skipBlanks(b, &j)
            let trace = token(b, &j)
            return trace.isEmpty ? .other : .xray(traceId: trace)
        }
        // Prefixed forms: `aws logs tail` / `sam logs` put a timestamp or stream name first.
        if let at = find("REPORT RequestId:", in: b, from: i) { return parseText(b, from: at + 17) }
        if let at = find(" Task timed out after ", in: b, from: i) { return parseTimeout(b, at: at) }
        return .other
    }

    // MARK: Text REPORT lines

    static func parseText(_ b: UnsafeBufferPointer<UInt8>, from start: Int) -> ParsedLogLine {
        var i = start
        skipBlanks(b, &i)
        let requestId = token(b, &i)
        guard !requestId.isEmpty else { return .unparseable(reason: "no request id") }
        var duration: Double?
        var billed: Double?
        var memory: Double?
        var maxMemory: Double?
        var initMs: Double?
        var restore: Double?
        var billedRestore: Double?
        var status: String?
        var errorType: String?
        var trace: String?
        while true {
            skipSpace(b, &i)
            guard i < b.count else { break }
            let keyStart = i
            while i < b.count, b[i] != UInt8(ascii: ":") { i += 1 }
            guard i < b.count else { break }  // trailing text without a colon: ignore
            let key = UnsafeBufferPointer(rebasing: b[keyStart..<i])
            i += 1
            skipBlanks(b, &i)
            switch key.count {
            case 8 where same(key, "Duration"): duration = number(b, &i)
            case 15 where same(key, "Billed Duration"): billed = number(b, &i)
            case 11 where same(key, "Memory Size"): memory = number(b, &i)
            case 15 where same(key, "Max Memory Used"): maxMemory = number(b, &i)
            case 13 where same(key, "Init Duration"): initMs = number(b, &i)
            case 16 where same(key, "Restore Duration"): restore = number(b, &i)
            case 23 where same(key, "Billed Restore Duration"): billedRestore = number(b, &i)
            case 6 where same(key, "Status"): status = token(b, &i)
            case 10 where same(key, "Error Type"): errorType = token(b, &i)
            case 12 where same(key, "XRAY TraceId"): trace = token(b, &i)
            default:
                // Unknown or uninteresting (SegmentId, Sampled): one value, and its unit if numeric.
                if number(b, &i) == nil { _ = skipToken(b, &i) }
            }
        }
        guard let duration else { return .unparseable(reason: "no Duration") }
        guard let billed else { return .unparseable(reason: "no Billed Duration") }
        guard let memory else { return .unparseable(reason: "no Memory Size") }
        guard let memoryMB = megabytes(memory) else { return .unparseable(reason: "Memory Size out of range") }
        if let maxMemory, megabytes(maxMemory) == nil { return .unparseable(reason: "Max Memory Used out of range") }
        return .report(
            Report(
                requestId: requestId, durationMs: duration, billedMs: billed, memoryMB: memoryMB,
                maxMemoryMB: maxMemory.flatMap(megabytes), initMs: initMs, restoreMs: restore, billedRestoreMs: billedRestore,
                status: reportStatus(status, errorType), errorType: errorType, xrayTraceId: trace))
    }

    /// A memory figure as whole megabytes (truncated, as before); nil when negative or past
    /// Int's range (`Memory Size: 1e30 MB` trapped in the conversion).
    static func megabytes(_ value: Double) -> Int? {
        value >= 0 && value < 9e18 ? Int(value) : nil
    }

    /// Runtime.OutOfMemory is its own outcome: fit treats an OOM size as infeasible.
    static func reportStatus(_ status: String?, _ errorType: String?) -> ReportStatus {
        if errorType == "Runtime.OutOfMemory" { return .oom }
        switch status {
        case nil, "success": return errorType == nil ? .success : .error
        case "timeout": return .timeout
        default: return .error  // "error", "failure" and anything newer
        }
    }

    static func parseTimeout(_ b: UnsafeBufferPointer<UInt8>, at: Int) -> ParsedLogLine {
        // `<timestamp> <request id> Task timed out after 3.00 seconds`: the id is the word before.
        var end = at
        while end > 0, b[end - 1] == 0x20 || b[end - 1] == 0x09 { end -= 1 }
        var start = end
        while start > 0, !isBlank(b[start - 1]) { start -= 1 }
        guard start < end else { return .other }
        return .timedOut(requestId: String(decoding: UnsafeBufferPointer(rebasing: b[start..<end]), as: UTF8.self))
    }

    /// "Root=1-abc-def;Parent=...;Sampled=1" -> "1-abc-def" (the form the text XRAY line prints).
    static func traceRoot(_ header: String) -> String {
        for part in header.split(separator: ";") where part.hasPrefix("Root=") { return String(part.dropFirst(5)) }
        return header
    }

    // MARK: Bytes

    @inline(__always) static func isBlank(_ c: UInt8) -> Bool { c == 0x20 || c == 0x09 || c == 0x0A || c == 0x0D }

    /// Spaces and tabs (within one line).
    @inline(__always) static func skipBlanks(_ b: UnsafeBufferPointer<UInt8>, _ i: inout Int) {
        while i < b.count, b[i] == 0x20 || b[i] == 0x09 { i += 1 }
    }

    /// Any whitespace, including the newline before an XRAY part.
    @inline(__always) static func skipSpace(_ b: UnsafeBufferPointer<UInt8>, _ i: inout Int) {
        while i < b.count, isBlank(b[i]) { i += 1 }
    }

    static func token(_ b: UnsafeBufferPointer<UInt8>, _ i: inout Int) -> String {
        let start = i
        _ = skipToken(b, &i)
        return String(decoding: UnsafeBufferPointer(rebasing: b[start..<i]), as: UTF8.self)
    }

    static func skipToken(_ b: UnsafeBufferPointer<UInt8>, _ i: inout Int) -> Int {
        let start = i
        while i < b.count, !isBlank(b[i]) { i += 1 }
        return i - start
    }

    /// A decimal number and its unit word ("26.73 ms", "128 MB"); nil (i unchanged) when none,
    /// or when it is beyond a Double's range (`1e400` would become an infinite duration).
    /// `unit: false` for JSON, where ',' or '}' may follow.
    @inline(__always)
    static func number(_ b: UnsafeBufferPointer<UInt8>, _ i: inout Int, unit: Bool = true) -> Double? {
        guard let (value, j) = DecimalNumber.parse(b, from: i), value.isFinite else { return nil }
        if unit, j < b.count, !isBlank(b[j]) { return nil }  // "12abc" is not a number
        i = j
        guard unit else { return value }
        // The unit: letters after the number on the same line.
        var k = i
        skipBlanks(b, &k)
        let unitStart = k
        while k < b.count, (b[k] | 0x20) &- UInt8(ascii: "a") < 26 { k += 1 }
        if k > unitStart, k - unitStart <= 2, k == b.count || isBlank(b[k]) { i = k }
        return value
    }

    @inline(__always)
    static func same(_ key: UnsafeBufferPointer<UInt8>, _ name: StaticString) -> Bool {
        guard key.count == name.utf8CodeUnitCount else { return false }
        let p = name.utf8Start
        for k in 0..<key.count where key[k] != p[k] { return false }
        return true
    }

    @inline(__always)
    static func hasPrefix(_ prefix: StaticString, _ b: UnsafeBufferPointer<UInt8>, at i: Int) -> Bool {
        let n = prefix.utf8CodeUnitCount
        guard b.count - i >= n else { return false }
        let p = prefix.utf8Start
        for k in 0..<n where b[i + k] != p[k] { return false }
        return true
    }

    static func find(_ needle: StaticString, in b: UnsafeBufferPointer<UInt8>, from: Int) -> Int? {
        let n = needle.utf8CodeUnitCount
        guard n > 0, b.count - from >= n else { return nil }
        let first = needle.utf8Start[0]
        var i = from
        while i <= b.count - n {
            if b[i] == first, hasPrefix(needle, b, at: i) { return i }
            i += 1
        }
        return nil
    }
}
