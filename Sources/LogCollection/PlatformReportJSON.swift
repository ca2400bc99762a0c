import JSON
import RecordSchema

/// Reads a JSON-format `platform.report` event without allocating per key.
///
/// Records.JSONScanner builds a String for every key (and a set to reject duplicates), which is
/// right for our own records but costs several times the text parser per event; this walker
/// compares keys as bytes and only makes Strings of the values kept.
struct PlatformReportJSON {
    struct Failure: Error { var problem: String }

    let b: UnsafeBufferPointer<UInt8>
    var i = 0

    init(_ bytes: UnsafeBufferPointer<UInt8>) { b = bytes }

    static func parse(_ bytes: UnsafeBufferPointer<UInt8>) -> ParsedLogLine {
        var p = PlatformReportJSON(bytes)
        var isReport = false
        var requestId: String?
        var status: String?
        var errorType: String?
        var trace: String?
        var duration: Double?
        var billed: Double?
        var memory: Double?
        var maxMemory: Double?
        var initMs: Double?
        var restore: Double?
        var billedRestore: Double?
        do {
            try p.object { key, p in
                if ReportLineParser.same(key, "type") {
                    isReport = try p.stringIs("platform.report")
                } else if ReportLineParser.same(key, "record"), p.peek() == UInt8(ascii: "{") {
                    try p.object { key, p in
                        switch key.count {
                        case 9 where ReportLineParser.same(key, "requestId"): requestId = try p.string()
                        case 6 where ReportLineParser.same(key, "status"): status = try p.string()
                        case 9 where ReportLineParser.same(key, "errorType"): errorType = try p.nullOrString()
                        case 7 where ReportLineParser.same(key, "tracing") && p.peek() == UInt8(ascii: "{"):
                            try p.object { key, p in
                                if ReportLineParser.same(key, "value"), p.peek() == UInt8(ascii: "\"") {
                                    trace = ReportLineParser.traceRoot(try p.string())
                                } else {
                                    try p.skipValue()
                                }
                            }
                        case 7 where ReportLineParser.same(key, "metrics") && p.peek() == UInt8(ascii: "{"):
                            try p.object { key, p in
                                switch key.count {
                                case 10 where ReportLineParser.same(key, "durationMs"): duration = try p.number()
                                case 16 where ReportLineParser.same(key, "billedDurationMs"): billed = try p.number()
                                case 12 where ReportLineParser.same(key, "memorySizeMB"): memory = try p.number()
                                case 15 where ReportLineParser.same(key, "maxMemoryUsedMB"): maxMemory = try p.number()
                                case 14 where ReportLineParser.same(key, "initDurationMs"): initMs = try p.number()
                                case 17 where ReportLineParser.same(key, "restoreDurationMs"): restore = try p.number()
                                case 23 where ReportLineParser.same(key, "billedRestoreDurationMs"): billedRestore = try p.number()
                                default: try p.skipValue()
                                }
                            }
                        default: try p.skipValue()
                        }
                    }
                } else {
                    try p.skipValue()
                }
            }
        } catch let f as Failure {
            return isReport ? .unparseable(reason: "JSON: \(f.problem)") : .other
        } catch {
            return .other
        }
        guard isReport else { return .other }
        guard let requestId, !requestId.isEmpty else { return .unparseable(reason: "no requestId") }
        guard let duration else { return .unparseable(reason: "no metrics.durationMs") }
        if let memory, ReportLineParser.megabytes(memory) == nil { return .unparseable(reason: "metrics.memorySizeMB out of range") }
        if let maxMemory, ReportLineParser.megabytes(maxMemory) == nil {
            return .unparseable(reason: "metrics.maxMemoryUsedMB out of range")
        }
        // Lambda Managed Instances' report states only durationMs (they are billed per instance):
        // billed falls back to the 1 ms rounding rule and an unstated memory size is 0.
        return .report(
            Report(
                requestId: requestId, durationMs: duration, billedMs: billed ?? duration.rounded(.up),
                memoryMB: memory.flatMap(ReportLineParser.megabytes) ?? 0, maxMemoryMB: maxMemory.flatMap(ReportLineParser.megabytes),
                initMs: initMs, restoreMs: restore,
                billedRestoreMs: billedRestore, status: ReportLineParser.reportStatus(status, errorType), errorType: errorType,
                xrayTraceId: trace))
    }

    // MARK: Walking

    mutating func skipSpace() {
        while i < b.count, b[i] == 0x20 || b[i] == 0x09 || b[i] == 0x0A || b[i] == 0x0D { i += 1 }
    }

    mutating func peek() -> UInt8? {
        skipSpace()
        return i < b.count ? b[i] : nil
    }

    mutating func expect(_ c: UInt8) throws {
        guard peek() == c else { throw Failure(problem: "expected '\(Character(UnicodeScalar(c)))'") }
        i += 1
    }

    /// Calls `member` with each key's raw bytes (between the quotes); it must consume the value.
    mutating func object(_ member: (UnsafeBufferPointer<UInt8>, inout PlatformReportJSON) throws -> Void) throws {
        try expect(UInt8(ascii: "{"))
        if peek() == UInt8(ascii: "}") {
            i += 1
            return
        }
        while true {
            let key = try rawString()
            try expect(UInt8(ascii: ":"))
            try member(key, &self)
            guard let c = peek() else { throw Failure(problem: "unterminated object") }
            i += 1
            if c == UInt8(ascii: "}") { return }
            guard c == UInt8(ascii: ",") else { throw Failure(problem: "expected ',' or '}'") }
        }
    }

    /// The bytes between the quotes (escapes not decoded).
    mutating func rawString() throws -> UnsafeBufferPointer<UInt8> {
        try expect(UInt8(ascii: "\""))
        let start = i
        while i < b.count {
            let c = b[i]
            if c == UInt8(ascii: "\"") {
                i += 1
                return UnsafeBufferPointer(rebasing: b[start..<(i - 1)])
            }
            i += c == UInt8(ascii: "\\") ? 2 : 1
        }
        throw Failure(problem: "unterminated string")
    }

    mutating func string() throws -> String {
        let start = i
        let raw = try rawString()
        guard raw.contains(UInt8(ascii: "\\")) else { return String(decoding: raw, as: UTF8.self) }
        var s = JSONScanner(UnsafeBufferPointer(rebasing: b[start..<i]))  // escapes: the full decoder
        do { return try s.readString() } catch { throw Failure(problem: "bad string escape") }
    }

    mutating func stringIs(_ text: StaticString) throws -> Bool {
        guard peek() == UInt8(ascii: "\"") else {
            try skipValue()
            return false
        }
        let raw = try rawString()
        return raw.count == text.utf8CodeUnitCount && ReportLineParser.same(raw, text)
    }

    mutating func nullOrString() throws -> String? {
        if peek() == UInt8(ascii: "n") {
            try skipValue()
            return nil
        }
        return try string()
    }

    mutating func number() throws -> Double {
        skipSpace()
        guard let v = ReportLineParser.number(b, &i, unit: false) else { throw Failure(problem: "expected a number") }
        return v
    }

    mutating func skipValue() throws {
        switch peek() {
        case UInt8(ascii: "{")?: try object { _, p in try p.skipValue() }
        case UInt8(ascii: "[")?:
            i += 1
            if peek() == UInt8(ascii: "]") {
                i += 1
                return
            }
            while true {
                try skipValue()
                guard let c = peek() else { throw Failure(problem: "unterminated array") }
                i += 1
                if c == UInt8(ascii: "]") { return }
                guard c == UInt8(ascii: ",") else { throw Failure(problem: "expected ',' or ']'") }
            }
        case UInt8(ascii: "\"")?: _ = try rawString()
        case nil: throw Failure(problem: "unexpected end")
        default:
            let start = i
            while i < b.count,
                !(b[i] == UInt8(ascii: ",") || b[i] == UInt8(ascii: "}") || b[i] == UInt8(ascii: "]")
                    || ReportLineParser.isBlank(b[i]))
            { i += 1 }
            guard i > start else { throw Failure(problem: "expected a value") }
        }
    }
}
