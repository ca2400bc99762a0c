import Foundation
import TestSupport
import NDJSONIO
import RecordSchema

/// Builders for invocation records and REPORT messages, shared by the tests.
enum Make {
    static let run = "run-test"

    static func header(memorySizes: [Int] = [128, 256], scheduled: Int) -> RunHeader {
        RunHeader(run: run, seed: 1, seedGenerated: false, workloadSHA256: String(repeating: "0", count: 64),
                  workload: .emptyObject, memorySizes: memorySizes, scheduled: scheduled, generator: "rightsize",
                  tools: ["plan 0.1.0", "invoke 0.1.0"])
    }

    /// A Lambda Invoke call that got a response with `requestId`.
    static func lambda(seq: Int, function: String, requestId: String?, sentMs: Double, latencyMs: Double = 50,
                       memoryMB: Int = 128, phase: Int = 0, error: CallError? = nil, status: Int? = 200) -> Invocation {
        let call = ScheduledCall(run: run, seq: seq, phase: phase, memoryMB: memoryMB, instance: "i-\(function)",
                                 application: function, atS: 0,
                                 target: .lambda(function: function, region: "us-east-1", invocationType: "RequestResponse", qualifier: nil),
                                 payload: .emptyObject, payloadIndex: 0, seed: 1)
        return Invocation(call: call, phaseStartUnixMs: sentMs, sentUnixMs: error == .notSent ? nil : sentMs, lagMs: 0,
                          latencyMs: status == nil ? nil : latencyMs, httpStatus: status, requestId: requestId, error: error, attempts: 1)
    }

    /// An HTTP (API Gateway) call: its request id is the gateway's, not Lambda's.
    static func http(seq: Int, application: String, sentMs: Double, latencyMs: Double = 50, memoryMB: Int = 128,
                     phase: Int = 0) -> Invocation {
        let call = ScheduledCall(run: run, seq: seq, phase: phase, memoryMB: memoryMB, instance: "web", application: application,
                                 atS: 0, target: .http(url: "http://127.0.0.1:1/default/\(application)", method: "POST", signed: false),
                                 payload: .emptyObject, payloadIndex: 0, seed: 1)
        return Invocation(call: call, phaseStartUnixMs: sentMs, sentUnixMs: sentMs, lagMs: 0, latencyMs: latencyMs,
                          httpStatus: 200, requestId: "gw-\(seq)", attempts: 1)
    }

    static func reportLine(_ id: String, durationMs: Double = 12.5, memoryMB: Int = 128, extra: String = "") -> String {
        "REPORT RequestId: \(id)\tDuration: \(durationMs) ms\tBilled Duration: \(Int(durationMs.rounded(.up))) ms\tMemory Size: \(memoryMB) MB\tMax Memory Used: 60 MB\t\(extra)"
    }

    static func writeInvocations(_ invocations: [Invocation], to path: String, memorySizes: [Int] = [128, 256]) throws {
        try InvocationsWriter.write(
            path: path, header: header(memorySizes: memorySizes, scheduled: invocations.count), invocations: invocations,
            summary: InvokeSummary(scheduled: invocations.count, sent: invocations.count, notSent: 0, interrupted: false,
                                   startedUnixMs: 0, endedUnixMs: 0, outcomes: [:]))
    }

    /// Reads back a logs.ndjson.
    static func readRecords(_ path: String) throws -> [Record] {
        var out: [Record] = []
        try NDJSONReader(path: path).forEachRecord { _, r in out.append(r) }
        return out
    }
}

extension Array where Element == Record {
    var logs: [LogRecord] { compactMap { if case .log(let l) = $0 { l } else { nil } } }
    var waits: [LogWaitSummary] { compactMap { if case .logWait(let s) = $0 { s } else { nil } } }
    var header: RunHeader? { if case .run(let h)? = first { h } else { nil } }
}
