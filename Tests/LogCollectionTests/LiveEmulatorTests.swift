import AWS
import CurlHTTP
import Foundation
import RecordSchema
import SigV4
import TestSupport
import Testing

@testable import LogCollection

@Suite(.serialized) struct LiveEmulatorTests {
    /// 200 calls with propagation delay on: all 200 joined by request id, each once.
    /// (How soon after the last line becomes visible await-logs ends is timed by AcceptanceTests.)
    @Test func twoHundredCallsAllJoinedByRequestId() async throws {
        let emulator = try LocalEmulator.start(["--log-delay-ms", "1000", "--logs-rate-limit", "0"])
        defer { emulator.stop() }
        let invocations = try await invokeMany(emulator, function: "faas_sleep", count: 200, firstSeq: 0)
        #expect(invocations.allSatisfy { $0.httpStatus == 200 && $0.requestId != nil })
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        try Make.writeInvocations(invocations, to: dir.file("invocations.ndjson"))
        let result = try await runTool(
            "await-logs",
            [
                dir.file("invocations.ndjson"), "-o", dir.file("logs.ndjson"),
                "--poll-interval", "1.0", "--timeout", "60",
            ],
            environment: emulator.environment)
        #expect(result.status == 0, "\(result.stderr)")
        let records = try Make.readRecords(dir.file("logs.ndjson"))
        #expect(records.logs.count == 200)
        #expect(records.logs.allSatisfy { $0.joinedBy == .requestId && $0.report.requestId == $0.invocation.requestId })
        #expect(Set(records.logs.map(\.report.requestId)).count == 200)
        #expect(records.waits.count == 1 && records.waits[0].expected == 200 && records.waits[0].found == 200 && !records.waits[0].timedOut)
    }

    /// Three functions under the emulator's 5 requests/s quota, pages of 7 events: with await-logs
    /// pacing itself no ThrottlingException happens; pushed to 20/s it is throttled, recovers, and
    /// still finds every line exactly once.
    @Test func multiFunctionPagingUnderTheRateQuota() async throws {
        let config = #"""
            {"functions": [
              {"name": "fa", "handler": "sleep", "memory_mb": 128, "timeout_s": 10},
              {"name": "fb", "handler": "sleep", "memory_mb": 256, "timeout_s": 10},
              {"name": "fc", "handler": "sleep", "memory_mb": 512, "timeout_s": 10}],
             "routes": []}
            """#
        let configDir = try TemporaryDirectory()
        defer { configDir.remove() }
        let emulator = try LocalEmulator.start(["--log-delay-ms", "400", "--logs-rate-limit", "5"], config: config, in: configDir)
        defer { emulator.stop() }
        async let a = invokeMany(emulator, function: "fa", count: 30, firstSeq: 0)
        async let b = invokeMany(emulator, function: "fb", count: 30, firstSeq: 30)
        async let c = invokeMany(emulator, function: "fc", count: 30, firstSeq: 60)
        let invocations = try await a + b + c
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        try Make.writeInvocations(invocations, to: dir.file("invocations.ndjson"))

        // A: at once, while lines are still propagating (they appear behind the pagination cursor);
        // B: once all are visible, where the page arithmetic is exact; C: above the quota.
        for (run, rate) in [("A", 5), ("B", 5), ("C", 20)] {
            if run == "B" {
                // A ended only once it had found all 90 lines, so all are visible now. The pause is
                // not for them but for the quota: after 1 s without calls the emulator's bucket (5
                // tokens at 5/s) is full again, as it was for A. A slower machine only pauses longer.
                try await Task.sleep(for: .seconds(1))
            }
            let out = dir.file("logs-\(run).ndjson")
            let r = try await runTool(
                "await-logs",
                [
                    dir.file("invocations.ndjson"), "-o", out, "--page-limit", "7",
                    "--poll-interval", "1", "--timeout", "60", "--rate", "\(rate)",
                ],
                environment: emulator.environment)
            #expect(r.status == 0, "\(run): \(r.stderr)")
            #expect(r.stderr.contains("throttled") == (rate > 5), "\(run): \(r.stderr)")
            let records = try Make.readRecords(out)
            let ids = records.logs.map(\.report.requestId)
            #expect(ids.count == 90 && Set(ids).count == 90, "\(run): no event lost or duplicated across pages")
            #expect(Set(ids) == Set(invocations.compactMap(\.requestId)))
            for w in records.waits {
                #expect(w.expected == 30 && w.found == 30 && w.unmatched == 0 && w.unparseable == 0)
                // 30 lines in pages of 7: 5 pages, the last one short (no token) -> exactly 5 calls.
                if run == "B" { #expect(w.apiCalls == 5, "\(w.function): \(w.apiCalls) calls") }
            }
        }
    }

    /// HTTP (gateway) calls, whose ids are the gateway's, join by time; earlier direct calls to the
    /// same function are other traffic, excluded and counted.
    @Test func httpCallsJoinByTimeAndOtherTrafficIsCounted() async throws {
        let emulator = try LocalEmulator.start(["--log-delay-ms", "300"])
        defer { emulator.stop() }
        _ = try await invokeMany(emulator, function: "faas_sleep", count: 3, firstSeq: 100)  // other traffic
        // A deliberate gap, not synchronisation: the other traffic must lie more than the time join's
        // 2 s tolerance before the first HTTP call. A slower machine only makes the gap longer (and
        // the 60 s search margin keeps it in the window).
        try await Task.sleep(for: .milliseconds(2_500))
        let http = HTTPClient(maxConnections: 2)
        var invocations: [Invocation] = []
        for k in 0..<12 {
            let sent = Date().timeIntervalSince1970 * 1000
            let outcome = await http.send(
                HTTPRequest(
                    method: "POST", url: emulator.endpoint + "/default/faas_sleep",
                    headers: [("Content-Type", "application/json")], body: Array(#"{"ms": 5}"#.utf8)))
            let response = try outcome.result.get()
            let latency = Date().timeIntervalSince1970 * 1000 - sent
            var inv = Make.http(seq: k, application: "faas_sleep", sentMs: sent, latencyMs: latency)
            inv.requestId = response.header("x-amzn-RequestId")
            #expect(response.status == 200)
            invocations.append(inv)
        }
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        try Make.writeInvocations(invocations, to: dir.file("invocations.ndjson"))
        let r = try await runTool(
            "await-logs",
            [
                dir.file("invocations.ndjson"), "-o", dir.file("logs.ndjson"),
                "--poll-interval", "0.5", "--timeout", "30",
            ], environment: emulator.environment)
        #expect(r.status == 0, "\(r.stderr)")
        let records = try Make.readRecords(dir.file("logs.ndjson"))
        #expect(records.logs.count == 12 && records.logs.allSatisfy { $0.joinedBy == .time })
        #expect(records.logs.map(\.invocation.call.seq) == Array(0..<12))
        // In time order each REPORT lies between its call's send and response (same clock here).
        for l in records.logs {
            #expect(
                l.logTimestampUnixMs >= l.invocation.sentUnixMs! - 5
                    && l.logTimestampUnixMs <= l.invocation.sentUnixMs! + l.invocation.latencyMs! + 5)
        }
        #expect(records.waits.map(\.unmatched) == [3])
        #expect(r.stderr.contains("3 REPORT line(s) matched no invocation"))
    }

    /// A timeout is not silent: exit 3, found records written, expected vs found per function.
    @Test func timeoutWritesWhatWasFoundAndExits3() async throws {
        let emulator = try LocalEmulator.start(["--log-delay-ms", "0"])
        defer { emulator.stop() }
        var invocations = try await invokeMany(emulator, function: "faas_sleep", count: 4, firstSeq: 0)
        let t = invocations[0].sentUnixMs!
        invocations.append(Make.lambda(seq: 4, function: "faas_sleep", requestId: "never-logged-1", sentMs: t))
        invocations.append(Make.lambda(seq: 5, function: "faas_measure", requestId: "never-logged-2", sentMs: t))
        invocations.append(Make.lambda(seq: 6, function: "faas_measure", requestId: nil, sentMs: t, error: .throttled, status: 429))
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        try Make.writeInvocations(invocations, to: dir.file("invocations.ndjson"))
        let started = Date()
        let r = try await runTool(
            "await-logs",
            [
                dir.file("invocations.ndjson"), "-o", dir.file("logs.ndjson"),
                "--poll-interval", "0.5", "--timeout", "2",
            ], environment: emulator.environment)
        #expect(Date().timeIntervalSince(started) < 6)
        #expect(r.status == 3)
        #expect(r.stderr.contains("timed out after 2.0 s"))
        #expect(r.stderr.contains("faas_sleep (/aws/lambda/faas_sleep): found 4 of 5 REPORT lines"))
        #expect(r.stderr.contains("faas_measure (/aws/lambda/faas_measure): found 0 of 1 REPORT lines"))
        let records = try Make.readRecords(dir.file("logs.ndjson"))
        #expect(records.logs.map(\.invocation.call.seq) == [0, 1, 2, 3])
        #expect(records.waits.map(\.expected) == [5, 1] && records.waits.map(\.found) == [4, 0])
        #expect(records.waits.allSatisfy { $0.timedOut })
    }

    /// The real tools in a row: plan | invoke | await-logs, two memory phases.
    @Test func afterTheRealInvokeTool() async throws {
        let emulator = try LocalEmulator.start(["--log-delay-ms", "500"])
        defer { emulator.stop() }
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        try dir.write(
            "w.json",
            """
            {"test_name": "logs-e2e", "test_duration_in_seconds": 2, "random_seed": 3, "memory_sizes": [128, 256],
             "instances": {"s": {"application": "faas_sleep", "distribution": "Uniform", "rate": 5}}}
            """)
        for (tool, args) in [
            ("plan", [dir.file("w.json"), "-o", dir.file("schedule.ndjson")]),
            ("invoke", [dir.file("schedule.ndjson"), "-o", dir.file("invocations.ndjson")]),
            ("await-logs", [dir.file("invocations.ndjson"), "-o", dir.file("logs.ndjson"), "--poll-interval", "0.5"]),
        ] {
            let r = try await runTool(tool, args, environment: emulator.environment)
            #expect(r.status == 0, "\(tool): \(r.stderr)")
            guard r.status == 0 else { return }
        }
        let sent = try Make.readRecords(dir.file("invocations.ndjson")).compactMap { r -> Invocation? in
            if case .invocation(let i) = r, i.reachedFunction { i } else { nil }
        }
        #expect(sent.count >= 16 && Set(sent.map(\.call.memoryMB)) == [128, 256])
        let records = try Make.readRecords(dir.file("logs.ndjson"))
        let logs = records.logs
        #expect(logs.map(\.invocation) == sent)
        #expect(logs.allSatisfy { $0.joinedBy == .requestId && $0.report.requestId == $0.invocation.requestId })
        #expect(logs.allSatisfy { $0.report.memoryMB == $0.invocation.call.memoryMB }, "each phase ran at its memory size")
        #expect(records.header?.tools.suffix(2) == ["invoke \(RightsizeVersion.current)", "await-logs \(RightsizeVersion.current)"])
        #expect(records.waits.map(\.found) == [sent.count])
    }

    /// Timeout, out-of-memory and success as the emulator's REPORT lines state them.
    @Test func reportStatusesThroughTheLivePath() async throws {
        let config = #"""
            {"functions": [
              {"name": "short", "handler": "sleep", "memory_mb": 128, "timeout_s": 1},
              {"name": "measure", "handler": "faas_measure", "memory_mb": 128, "timeout_s": 10}],
             "routes": []}
            """#
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let emulator = try LocalEmulator.start(["--log-delay-ms", "200"], config: config, in: dir)
        defer { emulator.stop() }
        let client = try LambdaClient(http: HTTPClient(maxConnections: 4), configuration: emulator.configuration)
        var invocations: [Invocation] = []
        for (seq, (function, payload)) in [
            ("short", #"{"ms": 1500}"#), ("measure", #"{"cmds": {"alloc": {"mb": 400}}}"#),
            ("measure", #"{"cmds": {"sleep": 5}}"#),
        ].enumerated() {
            let sent = Date().timeIntervalSince1970 * 1000
            let response = try await client.invoke(function: function, payload: Array(payload.utf8))
            var inv = Make.lambda(
                seq: seq, function: function, requestId: response.header("x-amzn-RequestId"), sentMs: sent,
                latencyMs: Date().timeIntervalSince1970 * 1000 - sent, status: response.status)
            inv.functionError = response.header("X-Amz-Function-Error")
            invocations.append(inv)
        }
        try Make.writeInvocations(invocations, to: dir.file("invocations.ndjson"))
        let r = try await runTool(
            "await-logs", [dir.file("invocations.ndjson"), "-o", dir.file("logs.ndjson"), "--poll-interval", "0.5"],
            environment: emulator.environment)
        #expect(r.status == 0, "\(r.stderr)")
        let logs = try Make.readRecords(dir.file("logs.ndjson")).logs
        #expect(logs.map(\.report.status) == [.timeout, .oom, .success])
        #expect(logs[1].report.errorType == "Runtime.OutOfMemory")
        #expect(logs[0].report.durationMs >= 1000)
    }
}
