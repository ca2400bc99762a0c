import AWS
import CurlHTTP
import Foundation
import LogCollection
import NDJSONIO
import RecordSchema
import SigV4

/// FilterLogEvents calls await-logs' waiter uses for N REPORT lines against a running
/// lambda-emulator, compared with the ideal ceil(events / page size) + passes.
enum LogsCallCount {
    static func run(
        endpoint: String, events: Int, pageLimit: Int, pollInterval: Double, function: String,
        invocationsFile: String?
    ) async throws {
        let configuration = AWSConfiguration(
            credentials: AWSCredentials(accessKeyId: "AKIDLOCALEMULATOR", secretAccessKey: "local-emulator-secret-key", sessionToken: nil),
            region: "us-east-1", endpointURL: endpoint)
        let http = HTTPClient(maxConnections: 32)
        let lambda = try LambdaClient(http: http, configuration: configuration)
        if let invocationsFile, let saved = try? LogsNDJSON.readInvocations(path: invocationsFile) {
            print("logs calls: re-reading the logs of \(saved.invocations.count) invocations from \(invocationsFile)")
            try await measure(saved.invocations, configuration: configuration, http: http, pageLimit: pageLimit, pollInterval: pollInterval)
            return
        }
        print("logs calls: invoking \(function) \(events) times (16 at a time)...")
        let clock = ContinuousClock()
        var invocations: [Invocation] = []
        invocations.reserveCapacity(events)
        let t = try await clock.measure {
            for start in stride(from: 0, to: events, by: 16) {
                let batch = try await withThrowingTaskGroup(of: Invocation?.self) { group in
                    for k in start..<min(events, start + 16) {
                        group.addTask {
                            let sent = Date().timeIntervalSince1970 * 1000
                            let r = try await lambda.invoke(function: function, payload: Array(#"{"ms": 1}"#.utf8))
                            guard r.status == 200, let id = r.header("x-amzn-RequestId") else { return nil }
                            let call = ScheduledCall(
                                run: "bench", seq: k, phase: 0, memoryMB: 128, instance: "bench", application: function,
                                atS: 0, target: .lambda(function: function, region: nil, invocationType: "RequestResponse", qualifier: nil),
                                payload: .emptyObject, payloadIndex: 0, seed: 0)
                            return Invocation(
                                call: call, phaseStartUnixMs: sent, sentUnixMs: sent, latencyMs: Date().timeIntervalSince1970 * 1000 - sent,
                                httpStatus: 200, requestId: id, attempts: 1)
                        }
                    }
                    var out: [Invocation] = []
                    for try await i in group { if let i { out.append(i) } }
                    return out
                }
                invocations += batch
            }
        }
        print("logs calls: \(invocations.count) invocations answered in \(seconds(t)) s")
        if let invocationsFile {
            let header = RunHeader(
                run: "bench", seed: 0, seedGenerated: false, workloadSHA256: "", workload: .emptyObject,
                memorySizes: [128], scheduled: invocations.count, generator: "bench", tools: ["rightsize-bench"])
            try InvocationsWriter.write(
                path: invocationsFile, header: header, invocations: invocations,
                summary: InvokeSummary(
                    scheduled: invocations.count, sent: invocations.count, notSent: 0, interrupted: false,
                    startedUnixMs: 0, endedUnixMs: 0, outcomes: [:]))
        }
        try await measure(invocations, configuration: configuration, http: http, pageLimit: pageLimit, pollInterval: pollInterval)
    }

    static func measure(
        _ invocations: [Invocation], configuration: AWSConfiguration, http: HTTPClient, pageLimit: Int,
        pollInterval: Double
    ) async throws {
        let clock = ContinuousClock()
        let plans = WaitPlanner.plan(invocations, marginMs: 5_000)
        let options = WaitOptions(timeoutS: 600, pollIntervalS: pollInterval, pageLimit: pageLimit)
        let started = clock.now
        let outcome = try await LogWaiter.wait(
            plans, options: options, fetch: try CloudWatchSource.fetcher(plans: plans, configuration: configuration, http: http))
        let found = outcome.joins.reduce(0) { $0 + $1.found }
        let calls = outcome.apiCalls.reduce(0, +)
        print(
            "logs calls: found \(found)/\(invocations.count) in \(seconds(clock.now - started)) s, \(outcome.passes) passes, \(outcome.throttles) throttles"
        )
        // The service caps a page at 1 MB as well as at `limit` events: the page size that counts is
        // the largest page actually served.
        for (label, size) in [("limit", pageLimit), ("largest page served", max(1, outcome.largestPage))] {
            let ideal = (invocations.count + size - 1) / size + outcome.passes
            let over = Double(calls) / Double(ideal) - 1
            print(
                "logs calls: FilterLogEvents calls \(calls) vs ceil(\(invocations.count)/\(size) [\(label)]) + \(outcome.passes) passes = \(ideal): \(Int((over * 100).rounded()))% over (target <= 10%) \(over <= 0.10 ? "PASS" : "ABOVE TARGET")"
            )
        }
    }

    static func seconds(_ d: Duration) -> String {
        let s = Double(d.components.seconds) + Double(d.components.attoseconds) * 1e-18
        return String(Double(Int((s * 10).rounded())) / 10)
    }
}
