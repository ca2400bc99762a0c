import AWS
import Clocks
import TestSupport
import Testing

@testable import LogCollection

@Suite struct PlanAndJoinTests {
    @Test func planExpectsOnlyCallsThatReachedTheFunction() {
        let invs = [
            Make.lambda(seq: 0, function: "fa", requestId: "a0", sentMs: 10_000),
            Make.lambda(seq: 1, function: "fb", requestId: "b0", sentMs: 11_000, latencyMs: 500),
            Make.lambda(seq: 2, function: "fa", requestId: nil, sentMs: 12_000, error: .throttled, status: 429),
            Make.lambda(seq: 3, function: "fa", requestId: nil, sentMs: 13_000, error: .notSent, status: nil),
            Make.lambda(seq: 4, function: "fa", requestId: "a1", sentMs: 14_000, latencyMs: 100),
        ]
        let plans = WaitPlanner.plan(invs, marginMs: 1_000)
        #expect(plans.map(\.function) == ["fa", "fb"])
        #expect(plans.map(\.expected) == [2, 1])
        #expect(plans[0].logGroup == "/aws/lambda/fa")
        #expect(plans[0].startMs == 9_000 && plans[0].endMs == 15_100)
        #expect(plans[0].window(missing: [1]) == (13_000, 15_100))
        #expect(plans[0].byRequestId == ["a0": 0, "a1": 1])
    }

    @Test func laterPassesSearchOnlyAroundTheMissingCalls() {
        // Three calls 10 s apart; the platform's clock runs 300 ms ahead of ours.
        let invs = (0..<3).map { Make.lambda(seq: $0, function: "f", requestId: "r\($0)", sentMs: Double($0) * 10_000, latencyMs: 100) }
        let plan = WaitPlanner.plan(invs, marginMs: 60_000)[0]
        var c = ReportCollector()
        c.add(LogEvent(eventId: "1", logStream: "s", timestampMs: 390, message: Make.reportLine("r0")))
        c.add(LogEvent(eventId: "2", logStream: "s", timestampMs: 10_395, message: Make.reportLine("r1")))
        let join = LogJoiner.join(plan, c)
        let offsets = FunctionPlan.Offsets.observed(join)
        #expect(offsets == FunctionPlan.Offsets(lowMs: 390, highMs: 295))
        let blind = plan.window(missing: join.missing)
        #expect(blind.startMs == -40_000.0 && blind.endMs == 80_100.0)
        let learned = plan.window(missing: join.missing, offsets: offsets)
        #expect(learned.startMs == 20_140.0 && learned.endMs == 20_645.0)
        // Asynchronous calls end whenever the function does: their window stays open.
        var event = Make.lambda(seq: 0, function: "g", requestId: "e0", sentMs: 0, latencyMs: 20)
        event.call.target = .lambda(function: "g", region: nil, invocationType: "Event", qualifier: nil)
        #expect(WaitPlanner.plan([event], marginMs: 1_000)[0].endMs == 900_000 + 1_000)
    }

    @Test func missingCallsFarApartAreSearchedInSeparateWindows() {
        let invs = [0.0, 10_000, 10_200].enumerated().map { k, t in
            Make.lambda(seq: k, function: "f", requestId: "r\(k)", sentMs: t, latencyMs: 100)
        }
        let plan = WaitPlanner.plan(invs, marginMs: 60_000)[0]
        let offsets = FunctionPlan.Offsets(lowMs: 50, highMs: 0)
        let seen: [Double] = [2_000, 3_000, 4_000, 5_000, 6_000]  // lines already read between the calls
        let split = plan.windows(missing: [0, 1, 2], offsets: offsets, seen: seen, pageSize: 3)
        #expect(split.count == 2)
        #expect(split[0].startMs == -200.0 && split[0].endMs == 350.0)
        #expect(split[1].startMs == 9_800.0 && split[1].endMs == 10_550.0)
        // Re-reading 5 lines costs less than another request when a page holds 10.
        #expect(plan.windows(missing: [0, 1, 2], offsets: offsets, seen: seen, pageSize: 10).count == 1)
        // Without measured offsets the margin makes them overlap.
        #expect(plan.windows(missing: [0, 2], offsets: nil, seen: seen, pageSize: 3).count == 1)
    }

    @Test func functionNamesFromArnsAndQualifiers() {
        #expect(WaitPlanner.functionName("arn:aws:lambda:us-east-1:123456789012:function:my-fn:prod") == "my-fn")
        #expect(WaitPlanner.functionName("123456789012:function:my-fn") == "my-fn")
        #expect(WaitPlanner.functionName("my-fn:7") == "my-fn")
        #expect(WaitPlanner.logGroup(forFunction: "my-fn") == "/aws/lambda/my-fn")
    }

    @Test func joinByRequestIdKeepsInvocationFieldsAndCountsOtherTraffic() {
        let invs = (0..<3).map { Make.lambda(seq: $0, function: "f", requestId: "r\($0)", sentMs: 1_000 + Double($0) * 100) }
        let plan = WaitPlanner.plan(invs, marginMs: 0)[0]
        var c = ReportCollector()
        for (k, id) in ["r2", "other-1", "r0"].enumerated() {
            c.add(LogEvent(eventId: "e\(k)", logStream: "s", timestampMs: 2_000, message: Make.reportLine(id)))
        }
        c.add(LogEvent(eventId: "e0", logStream: "s", timestampMs: 2_000, message: Make.reportLine("r2")))  // re-read page
        #expect(c.duplicateEvents == 1)
        let j = LogJoiner.join(plan, c)
        #expect(j.records.map(\.index) == [0, 2])
        #expect(j.records.allSatisfy { $0.record.joinedBy == .requestId })
        #expect(j.records[1].record.invocation == invs[2])
        #expect(j.records[1].record.report.requestId == "r2")
        #expect(j.missing == [1] && j.unmatched == 1)
    }

    @Test func taskTimedOutMarksTheReport() {
        let plan = WaitPlanner.plan([Make.lambda(seq: 0, function: "f", requestId: "r0", sentMs: 0, latencyMs: 3_000)], marginMs: 0)[0]
        var c = ReportCollector()
        c.add(LogEvent(eventId: "1", logStream: "s", timestampMs: 3_000, message: Make.reportLine("r0", durationMs: 3003.16)))
        c.add(
            LogEvent(
                eventId: "2", logStream: "s", timestampMs: 3_000, message: "2020-06-09T15:02:26.150Z r0 Task timed out after 3.00 seconds"))
        #expect(LogJoiner.join(plan, c).records[0].record.report.status == .timeout)
    }

    @Test func httpInvocationsJoinByPhaseAndTimeOrder() {
        // Two phases (128, 256 MB); the gateway's ids are not Lambda's.
        let invs = [
            Make.http(seq: 0, application: "web", sentMs: 1_000, latencyMs: 100),
            Make.http(seq: 1, application: "web", sentMs: 1_050, latencyMs: 300),
            Make.http(seq: 2, application: "web", sentMs: 2_000, latencyMs: 100, memoryMB: 256, phase: 1),
        ]
        let plan = WaitPlanner.plan(invs, marginMs: 0)[0]
        #expect(plan.timeJoined == [0, 1, 2])
        var c = ReportCollector()
        let lines: [(String, Double, Int)] = [
            ("L-a", 1_095, 128), ("L-b", 1_345, 128), ("L-c", 2_098, 256),
            ("L-stray", 60_000, 128), ("L-other-size", 1_200, 512),
        ]
        for (k, (id, ts, mem)) in lines.enumerated() {
            c.add(LogEvent(eventId: "\(k)", logStream: "s", timestampMs: ts, message: Make.reportLine(id, memoryMB: mem)))
        }
        let j = LogJoiner.join(plan, c, toleranceMs: 500)
        #expect(j.records.map(\.record.report.requestId) == ["L-a", "L-b", "L-c"])
        #expect(j.records.allSatisfy { $0.record.joinedBy == .time })
        #expect(j.unmatched == 2 && j.missing.isEmpty)
    }

    @Test func tokenBucketSpacesRequests() {
        var b = TokenBucket(rate: 5)
        #expect(b.take(nowS: 0) == 0)
        #expect(abs(b.take(nowS: 0) - 0.2) < 1e-9)
        #expect(abs(b.take(nowS: 0) - 0.4) < 1e-9)
        // Whatever the timing, no more than 5 grants fall in any one second.
        var bucket = TokenBucket(rate: 5)
        var grants: [Double] = []
        var now = 0.0
        for k in 0..<40 {
            now += Double(k % 3) * 0.05
            grants.append(now + bucket.take(nowS: now))
        }
        for g in grants { #expect(grants.filter { $0 >= g && $0 < g + 1 - 1e-9 }.count <= 5) }
        var backoff = Backoff(baseS: 0.2, maxS: 5)
        let delays = (0..<8).map { _ in backoff.next() }
        #expect(delays[0] >= 0.1 && delays[0] <= 0.2 && delays[7] >= 2.5 && delays[7] <= 5)
    }

    @Test func filterLogEventsPages() throws {
        let body =
            #"{"events":[{"logStreamName":"2024/01/01/[$LATEST]ab","timestamp":1700000000123,"message":"REPORT RequestId: r1\tDuration: 1.5 ms\tBilled Duration: 2 ms\tMemory Size: 128 MB\tMax Memory Used: 60 MB\t\n","ingestionTime":1700000000200,"eventId":"3771"}],"searchedLogStreams":[],"nextToken":"tok"}"#
        let page = try FilterLogEventsPage.parse(Array(body.utf8))
        #expect(page.nextToken == "tok" && page.events.count == 1)
        #expect(page.events[0].timestampMs == 1_700_000_000_123 && page.events[0].eventId == "3771")
        guard case .report(let r) = ReportLineParser.parse(page.events[0].message) else {
            Issue.record("no report")
            return
        }
        #expect(r.requestId == "r1" && r.maxMemoryMB == 60)
        #expect(try FilterLogEventsPage.parse(Array(#"{"events":[]}"#.utf8)).nextToken == nil)
    }
}
