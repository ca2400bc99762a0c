import AWS
import Clocks
import CurlHTTP
import Foundation
import LogCollection
import RecordSchema
import TestSupport
import Testing

/// How punctual the tools are on this machine: statistics of live runs, which a loaded CI host
/// can miss by chance. (Moved from CurlHTTPTests, InvokingTests and LogCollectionTests, which
/// keep the parts that cannot fail on a slow machine.)
@Suite("Timing of live runs", .serialized)
struct TimingTests {
    @Test(.enabled(if: ProcessInfo.processInfo.environment["RIGHTSIZE_ACCEPTANCE"] == "1", "set RIGHTSIZE_ACCEPTANCE=1"))
    func httpClientStartsRequestsAtTheirDueTime() async throws {
        let server = try LocalServer()
        defer { server.stop() }
        let client = HTTPClient()
        _ = await client.send(HTTPRequest(method: "GET", url: server.base + "/echo"))  // warm the connection
        var lags: [Double] = []
        for k in 1...10 {
            let due = MonotonicClock.nanoseconds() + UInt64(20_000_000 + k * 1_000_000)
            let outcome: HTTPOutcome = await withCheckedContinuation { c in
                client.submit(HTTPRequest(method: "GET", url: server.base + "/echo"), due: due) { c.resume(returning: $0) }
            }
            let started = try #require(outcome.startedNanos)
            #expect(started >= due)
            lags.append(Double(started - due) / 1e6)
        }
        // Precision is measured by rightsize-bench invoke; here only a sane bound.
        #expect(lags.sorted()[5] < 50.0, "median start lag \(lags) ms")
    }

    /// invoke sends each call within 100 ms of its due time (two memory phases, 10 calls/s).
    @Test(.enabled(if: ProcessInfo.processInfo.environment["RIGHTSIZE_ACCEPTANCE"] == "1", "set RIGHTSIZE_ACCEPTANCE=1"))
    func invokeSendsEachCallOnTime() async throws {
        let emulator = try LocalEmulator.start()
        defer { emulator.stop() }
        let dir = try TemporaryDirectory("acceptance-invoke")
        defer { dir.remove() }
        try dir.write("p.json", #"{"cmds":{"sleep":5}}"#)
        try dir.write(
            "w.json",
            """
            {"test_name": "acceptance-lag", "test_duration_in_seconds": 1, "random_seed": 5, "memory_sizes": [128, 256],
             "instances": {"m": {"application": "faas_measure", "distribution": "Uniform", "rate": 10, "payload": "p.json"}}}
            """)
        let environment = emulator.environment.merging(["HOME": dir.path]) { $1 }
        for (tool, args) in [
            ("plan", [dir.file("w.json"), "-o", dir.file("schedule.ndjson")]),
            ("invoke", [dir.file("schedule.ndjson"), "-o", dir.file("invocations.ndjson")]),
        ] {
            let r = try await runTool(tool, args, environment: environment)
            try #require(r.status == 0, "\(tool): \(r.stderr)")
        }
        let invocations = try PipelineFixture.records(dir.file("invocations.ndjson")).compactMap { r -> Invocation? in
            if case .invocation(let i) = r { i } else { nil }
        }
        #expect(invocations.count >= 16 && Set(invocations.map(\.call.memoryMB)) == [128, 256])
        for i in invocations {
            let lag = try #require(i.lagMs)
            #expect(lag >= 0 && lag < 100, "call \(i.call.seq) sent \(lag) ms late")
        }
    }

    /// 200 calls with propagation delay on: await-logs ends within about one poll interval of
    /// the last REPORT line becoming visible.
    @Test(.enabled(if: ProcessInfo.processInfo.environment["RIGHTSIZE_ACCEPTANCE"] == "1", "set RIGHTSIZE_ACCEPTANCE=1"))
    func awaitLogsEndsSoonAfterTheLastLineIsVisible() async throws {
        // Unlimited Logs rate here, so the test's own visibility probe does not eat await-logs' quota.
        let emulator = try LocalEmulator.start(["--log-delay-ms", "1000", "--logs-rate-limit", "0"])
        defer { emulator.stop() }
        let configuration = AWSConfiguration.resolve(environment: emulator.environment, home: "/nonexistent")
        let lambda = try LambdaClient(http: HTTPClient(maxConnections: 16), configuration: configuration)
        let invocations = try await Make.invokeMany(function: "faas_sleep", count: 200, firstSeq: 0) {
            let response = try await lambda.invoke(function: "faas_sleep", payload: Array(#"{"ms": 2}"#.utf8))
            return Make.Answer(
                status: response.status, requestId: response.header("x-amzn-RequestId"),
                functionError: response.header("X-Amz-Function-Error"))
        }
        try #require(invocations.allSatisfy { $0.httpStatus == 200 && $0.requestId != nil })
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        try Make.writeInvocations(invocations, to: dir.file("invocations.ndjson"))

        // Probe: when does the 200th REPORT line become visible? (every 100 ms, whole window)
        let logs = try LogsClient(http: HTTPClient(maxConnections: 2), configuration: configuration)
        let probe = Task { () -> Double in
            let start = Int64(invocations.map { $0.sentUnixMs! }.min()! - 60_000)
            let deadline = Date().timeIntervalSince1970 + 60
            while Date().timeIntervalSince1970 < deadline {
                var seen = Set<String>()
                var token: String? = nil
                repeat {
                    let page = try FilterLogEventsPage.parse(
                        try await logs.filterLogEvents(
                            .init(
                                logGroupName: "/aws/lambda/faas_sleep", startTime: start, filterPattern: "REPORT", nextToken: token)))
                    for e in page.events { seen.insert(e.eventId) }
                    token = page.nextToken
                } while token != nil
                if seen.count >= 200 { return Date().timeIntervalSince1970 }
                try await Task.sleep(for: .milliseconds(100))
            }
            return .nan
        }
        let poll = 1.0
        let result = try await runTool(
            "await-logs",
            [
                dir.file("invocations.ndjson"), "-o", dir.file("logs.ndjson"),
                "--poll-interval", "\(poll)", "--timeout", "60",
            ],
            environment: emulator.environment)
        let ended = Date().timeIntervalSince1970
        let visible = try await probe.value
        #expect(result.status == 0, "\(result.stderr)")
        let records = try Make.readRecords(dir.file("logs.ndjson"))
        #expect(records.logs.count == 200)
        // Within ~1 poll interval of the last line becoming visible (+ process exit and file writing slack).
        #expect(ended - visible <= poll + 1.0, "await-logs ended \(ended - visible) s after the last line became visible")
    }
}
