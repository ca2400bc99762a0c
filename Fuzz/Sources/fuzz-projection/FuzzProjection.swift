import FuzzSupport
import NDJSONIO
import RecordSchema

// fit's and report's fast call projection (`CallProjection.scan`, with one `KeyLayout` shared
// by the lines of the input, as a reader shares it). Its contract: a line it accepts is one
// `Record.decode` accepts too, with the same facts (numbers within a few ulps: the projection
// reads them with `exact: false`); any other line it leaves to the decoder (nil). The one
// exception is by design: values the projection does not read (other keys, the call fields
// with `calls: false`, the payload's and the target's insides) are skipped, not validated, so
// a line the decoder rejects for one of those may be accepted (docs/fuzzing.md).

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    var keys = CallProjection.KeyLayout()
    var logKeys = CallProjection.KeyLayout()
    FuzzInput.forEachLine(UnsafeBufferPointer(start: data, count: size)) { line in
        let calls = CallProjection.scan(line, calls: true, keys: &keys)
        let logs = CallProjection.scan(line, calls: false, keys: &logKeys)
        guard calls != nil || logs != nil else { return }
        let text = String(decoding: line, as: UTF8.self)
        let record: Record
        do {
            record = try Record.decode(line)
        } catch let failure as FieldFailure {
            // A repeated key is reported under the key before it: judge by the repeated one.
            let prefix = "duplicate key \""
            let field = failure.problem.hasPrefix(prefix) ? String(failure.problem.dropFirst(prefix.count).dropLast()) : failure.field
            if (calls != nil && readWithCalls.contains(field)) || (logs != nil && read.contains(field)) {
                FuzzInput.fail("the projection accepts a line the decoder rejects (\(failure)): \(text)")
            }
            return
        } catch {
            FuzzInput.fail("the decoder throws \(error)")
        }
        let invocation: Invocation
        let report: Report?
        switch record {
        case .invocation(let i): (invocation, report) = (i, nil)
        case .log(let l): (invocation, report) = (l.invocation, l.report)
        default: FuzzInput.fail("the projection accepts a \(record.kind) line: \(text)")
        }
        CallFacts.with(invocation, report) { full in
            for (scanned, withCalls) in [(calls, true), (logs, false)] {
                guard let (kind, facts) = scanned else { continue }
                if (kind == .log) != (report != nil) || kind == .other { FuzzInput.fail("kind \(kind) for \(record.kind): \(text)") }
                if let problem = difference(facts, full, calls: withCalls, log: report != nil) {
                    FuzzInput.fail("projection (calls: \(withCalls)) and decoder differ in \(problem): \(text)")
                }
            }
        }
    }
    return 0
}

/// The fields the projection reads and checks (with `calls: false`, and `true`).
private let read: Set<String> = [
    "record", "phase", "memory_mb", "status", "duration_ms", "billed_ms", "report_memory_mb", "max_memory_mb", "init_ms",
]
private let readWithCalls = read.union([
    "at_s", "instance", "phase_start_unix_ms", "sent_unix_ms", "lag_ms", "latency_ms", "scheduled_latency_ms", "http_status", "error",
])

private func same(_ a: UnsafeBufferPointer<UInt8>?, _ b: UnsafeBufferPointer<UInt8>?) -> Bool {
    guard let a, let b else { return a == nil && b == nil }
    return a.elementsEqual(b)
}

private func close(_ a: Double, _ b: Double) -> Bool {
    a == b || (a.isFinite && b.isFinite && abs(a - b) <= 4 * max(a.ulp, b.ulp))
}

private func close(_ a: Double?, _ b: Double?) -> Bool {
    guard let a, let b else { return a == nil && b == nil }
    return close(a, b)
}

private func difference(_ p: CallFacts, _ d: CallFacts, calls: Bool, log: Bool) -> String? {
    if !same(p.label, d.label) { return "label" }
    if p.memoryMB != d.memoryMB { return "memory_mb" }
    if p.phase != d.phase { return "phase" }
    if !same(p.payload, d.payload) { return "payload" }
    if log {
        if !close(p.durationMs, d.durationMs) { return "duration_ms" }
        if !close(p.billedMs, d.billedMs) { return "billed_ms" }
        if p.reportMemoryMB != d.reportMemoryMB { return "report_memory_mb" }
        if p.maxMemoryMB != d.maxMemoryMB { return "max_memory_mb" }
        if !close(p.initMs, d.initMs) { return "init_ms" }
        if p.status != d.status { return "status" }
    }
    guard calls else { return nil }
    if !same(p.instance, d.instance) { return "instance" }
    if !close(p.atS, d.atS) { return "at_s" }
    if !close(p.phaseStartUnixMs, d.phaseStartUnixMs) { return "phase_start_unix_ms" }
    if !close(p.sentUnixMs, d.sentUnixMs) { return "sent_unix_ms" }
    if !close(p.lagMs, d.lagMs) { return "lag_ms" }
    if !close(p.latencyMs, d.latencyMs) { return "latency_ms" }
    if !close(p.scheduledLatencyMs, d.scheduledLatencyMs) { return "scheduled_latency_ms" }
    if p.httpStatus != d.httpStatus { return "http_status" }
    if p.hasFunctionError != d.hasFunctionError { return "function_error" }
    if p.error != d.error { return "error" }
    return nil
}

@main
enum Main {
    static func main() { FuzzInput.main { fuzz($0!, $1) } }
}
