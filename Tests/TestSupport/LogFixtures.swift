import Foundation
import NDJSONIO
import RecordSchema

/// Builders for invocation records and REPORT messages, shared by LogCollectionTests and
/// AcceptanceTests.
public enum Make {
    public static let run = "run-test"

    public static func header(memorySizes: [Int] = [128, 256], scheduled: Int) -> RunHeader {
        RunHeader(
            run: run, seed: 1, seedGenerated: false, workloadSHA256: String(repeating: "0", count: 64),
            workload: .emptyObject, memorySizes: memorySizes, scheduled: scheduled, generator: "rightsize",
            tools: ["plan 0.1.0", "invoke 0.1.0"])
    }

    /// A Lambda Invoke call that got a response with `requestId`.
    public static func lambda(
        seq: Int, function: String, requestId: String?, sentMs: Double, latencyMs: Double = 50,
        memoryMB: Int = 128, phase: Int = 0, error: CallError? = nil, status: Int? = 200
    ) -> Invocation {
        let call = ScheduledCall(
            run: run, seq: seq, phase: phase, memoryMB: memoryMB, instance: "i-\(function)",
            application: function, atS: 0,
            target: .lambda(function: function, region: "us-east-1", invocationType: "RequestResponse", qualifier: nil),
            payload: .emptyObject, payloadIndex: 0, seed: 1)
        return Invocation(
            call: call, phaseStartUnixMs: sentMs, sentUnixMs: error == .notSent ? nil : sentMs, lagMs: 0,
            latencyMs: status == nil ? nil : latencyMs, httpStatus: status, requestId: requestId, error: error, attempts: 1)
    }

    /// An HTTP (API Gateway) call: its request id is the gateway's, not Lambda's.
    public static func http(
        seq: Int, application: String, sentMs: Double, latencyMs: Double = 50, memoryMB: Int = 128,
        phase: Int = 0
    ) -> Invocation {
        let call = ScheduledCall(
            run: run, seq: seq, phase: phase, memoryMB: memoryMB, instance: "web", application: application,
            atS: 0, target: .http(url: "http://127.0.0.1:1/default/\(application)", method: "POST", signed: false),
            payload: .emptyObject, payloadIndex: 0, seed: 1)
        return Invocation(
            call: call, phaseStartUnixMs: sentMs, sentUnixMs: sentMs, lagMs: 0, latencyMs: latencyMs,
            httpStatus: 200, requestId: "gw-\(seq)", attempts: 1)
    }

    public static func reportLine(_ id: String, durationMs: Double = 12.5, memoryMB: Int = 128, extra: String = "") -> String {
        "REPORT RequestId: \(id)\tDuration: \(durationMs) ms\tBilled Duration: \(Int(durationMs.rounded(.up))) ms\tMemory Size: \(memoryMB) MB\tMax Memory Used: 60 MB\t\(extra)"
    }

    public static func writeInvocations(_ invocations: [Invocation], to path: String, memorySizes: [Int] = [128, 256]) throws {
        try InvocationsWriter.write(
            path: path, header: header(memorySizes: memorySizes, scheduled: invocations.count), invocations: invocations,
            summary: InvokeSummary(
                scheduled: invocations.count, sent: invocations.count, notSent: 0, interrupted: false,
                startedUnixMs: 0, endedUnixMs: 0, outcomes: [:]))
    }

    /// Reads back a logs.ndjson.
    public static func readRecords(_ path: String) throws -> [Record] {
        var out: [Record] = []
        try NDJSONReader(path: path).forEachRecord { _, r in out.append(r) }
        return out
    }
}

extension Array where Element == Record {
    public var logs: [LogRecord] { compactMap { if case .log(let l) = $0 { l } else { nil } } }
    public var waits: [LogWaitSummary] { compactMap { if case .logWait(let s) = $0 { s } else { nil } } }
    public var header: RunHeader? { if case .run(let h)? = first { h } else { nil } }
}

extension Make {
    /// What one Invoke answered.
    public struct Answer: Sendable {
        public var status: Int
        public var requestId: String?
        public var functionError: String?
        public init(status: Int, requestId: String?, functionError: String?) {
            self.status = status
            self.requestId = requestId
            self.functionError = functionError
        }
    }

    /// Calls `invoke` `count` times (8 at a time) and returns the invocation records of
    /// `function`, as invoke would write them (seq from `firstSeq`, in seq order).
    public static func invokeMany(
        function: String, count: Int, firstSeq: Int,
        invoke: @escaping @Sendable () async throws -> Answer
    ) async throws -> [Invocation] {
        var out: [Invocation] = []
        for start in stride(from: 0, to: count, by: 8) {
            let batch = try await withThrowingTaskGroup(of: Invocation.self) { group in
                for k in start..<min(count, start + 8) {
                    group.addTask {
                        let sent = Date().timeIntervalSince1970 * 1000
                        let answer = try await invoke()
                        let latency = Date().timeIntervalSince1970 * 1000 - sent
                        var inv = Make.lambda(
                            seq: firstSeq + k, function: function, requestId: answer.requestId,
                            sentMs: sent, latencyMs: latency, status: answer.status)
                        inv.functionError = answer.functionError
                        return inv
                    }
                }
                var results: [Invocation] = []
                for try await inv in group { results.append(inv) }
                return results
            }
            out += batch
        }
        return out.sorted { $0.call.seq < $1.call.seq }
    }
}

/// Runs a tool off the cooperative pool (Tools.run blocks until the process exits). Inherited
/// AWS_SESSION_TOKEN / AWS_PROFILE are blanked so only the emulator's credentials are used.
public func runTool(_ tool: String, _ args: [String], environment: [String: String]) async throws -> Tools.Result {
    let environment = environment.merging(["AWS_SESSION_TOKEN": "", "AWS_PROFILE": ""]) { given, _ in given }
    return try await withCheckedThrowingContinuation { c in
        Thread.detachNewThread { c.resume(with: Result { try Tools.run(tool, args, environment: environment) }) }
    }
}
