import Foundation
import RecordSchema
import TestSupport
import Testing

@testable import LogCollection

/// `await-logs --from FILE`: CloudWatch exports instead of the API, through the real tool.
@Suite struct FromFileTests {
    @Test func filterLogEventsExportJoinsByRequestId() throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let invs = (0..<4).map {
            Make.lambda(seq: $0, function: "fa", requestId: "req-\($0)", sentMs: 1_700_000_000_000 + Double($0) * 1000)
        }
        try Make.writeInvocations(invs, to: dir.file("invocations.ndjson"))
        // `aws logs filter-log-events` output: two pages concatenated, one REPORT of other traffic,
        // START/END lines, a cold start and an XRAY part.
        func event(_ id: Int, _ message: String) -> String {
            let escaped = message.replacingOccurrences(of: "\t", with: "\\t").replacingOccurrences(of: "\n", with: "\\n")
            return
                #"{"logStreamName":"2023/11/14/[$LATEST]abc","timestamp":\#(1_700_000_000_100 + id * 1000),"message":"\#(escaped)","ingestionTime":1,"eventId":"ev\#(id)"}"#
        }
        let page1 =
            #"{"events":[\#(event(0, "START RequestId: req-0 Version: $LATEST\n")),\#(event(1, Make.reportLine("req-0", extra: "Init Duration: 120.5 ms\t") + "\n")),\#(event(2, Make.reportLine("req-1") + "\nXRAY TraceId: 1-abc-def\tSegmentId: 12\tSampled: true\t\n"))],"nextToken":"t1"}"#
        let page2 =
            #"{"events":[\#(event(3, Make.reportLine("someone-else"))),\#(event(4, Make.reportLine("req-3", extra: "Status: error\tError Type: Runtime.OutOfMemory"))),\#(event(5, "REPORT RequestId: req-2\tDuration: ?? ms"))],"searchedLogStreams":[]}"#
        try dir.write("export.json", page1 + "\n" + page2 + "\n")

        let r = try Tools.run(
            "await-logs", [dir.file("invocations.ndjson"), "--from", dir.file("export.json"), "-o", dir.file("logs.ndjson")])
        #expect(r.status == 3, "req-2 has no parseable REPORT: incomplete")
        #expect(r.stderr.contains("fa (/aws/lambda/fa): found 3 of 4"))
        #expect(r.stderr.contains("1 REPORT line(s) could not be parsed"))
        let records = try Make.readRecords(dir.file("logs.ndjson"))
        #expect(records.header?.tools.last == "await-logs \(RightsizeVersion.current)")
        let logs = records.logs
        #expect(logs.map(\.invocation.call.seq) == [0, 1, 3])
        #expect(logs[0].report.initMs == 120.5 && logs[0].logTimestampUnixMs == 1_700_000_001_100)
        #expect(logs[1].report.xrayTraceId == "1-abc-def")
        #expect(logs[2].report.status == .oom)
        #expect(logs.allSatisfy { $0.joinedBy == .requestId && $0.logStream == "2023/11/14/[$LATEST]abc" })
        #expect(
            records.waits == [
                LogWaitSummary(
                    function: "fa", logGroup: "/aws/lambda/fa", expected: 4, found: 3, timedOut: true,
                    unmatched: 1, unparseable: 1, waitedS: 0, apiCalls: 0)
            ])
    }

    @Test func rawTextWithTimestampsJoinsHttpCallsByTime() throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let t0 = 1_600_000_000_000.0  // 2020-09-13T12:26:40Z
        let invs = [
            Make.http(seq: 0, application: "web", sentMs: t0, latencyMs: 200),
            Make.http(seq: 1, application: "web", sentMs: t0 + 1_000, latencyMs: 200),
        ]
        try Make.writeInvocations(invs, to: dir.file("invocations.ndjson"))
        try dir.write(
            "tail.txt",
            """
            2020-09-13T12:26:40.150Z START RequestId: aaa Version: $LATEST
            2020-09-13T12:26:40.190Z \(Make.reportLine("aaa"))
            XRAY TraceId: 1-xyz\tSegmentId: 1\tSampled: true
            2020-09-13T12:26:41.180000+00:00 \(Make.reportLine("bbb"))

            """)
        let r = try Tools.run("await-logs", [dir.file("invocations.ndjson"), "--from", "web=\(dir.file("tail.txt"))"])
        #expect(r.status == 0, "\(r.stderr)")
        let records = try parseRecords(r.stdout)
        #expect(records.logs.map(\.report.requestId) == ["aaa", "bbb"])
        #expect(records.logs.allSatisfy { $0.joinedBy == .time })
        #expect(records.logs[0].report.xrayTraceId == "1-xyz")
        #expect(records.logs[1].logTimestampUnixMs == t0 + 1_180)
    }

    @Test func theWholeFixtureAsRawTextJoinsEveryRequest() throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        var ids: [String] = []
        for line in fixtureLines {
            if case .report(let r) = ReportLineParser.parse(line), !ids.contains(r.requestId) { ids.append(r.requestId) }
        }
        let invs = ids.enumerated().map { Make.lambda(seq: $0, function: "f", requestId: $1, sentMs: 0) }
        try Make.writeInvocations(invs, to: dir.file("invocations.ndjson"))
        let fixture = Bundle.module.url(forResource: "Fixtures/report-lines", withExtension: "txt")!.path
        let r = try Tools.run("await-logs", [dir.file("invocations.ndjson"), "--from", fixture, "-o", dir.file("logs.ndjson")])
        #expect(r.status == 0, "\(r.stderr)")
        let logs = try Make.readRecords(dir.file("logs.ndjson")).logs
        #expect(logs.count == ids.count)
        let byId = Dictionary(logs.map { ($0.report.requestId, $0.report) }, uniquingKeysWith: { a, _ in a })
        // Old REPORT lines without Status, followed by "Task timed out": timeouts.
        #expect(byId["7c9567b5-107b-4a6c-8798-0157ac21db52"]?.status == .timeout)
        #expect(byId["dbb585bb-3a54-4d1a-a690-54e5085c55f8"]?.status == .timeout)
        #expect(byId["806ab12b-e660-4a4a-8d9a-eee01e457f98"]?.status == .oom)
        // The XRAY line after a REPORT belongs to it.
        #expect(byId["814ba7cb-071e-4181-9a09-fa41db5bccad"]?.xrayTraceId == "1-5d83c0ad-b8eb33a0b1de97d804fac890")
    }

    @Test func badInputIsOneLineAndExit2() throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        try dir.write("bad.ndjson", "{\"record\":\"run\",\"run\":\"x\"}\n{\"record\":\"invocation\",\"seq\":\"one\"}\n")
        let r = try Tools.run("await-logs", [dir.file("bad.ndjson"), "--from", "/dev/null", "-o", dir.file("out.ndjson")])
        #expect(r.status == 2)
        #expect(r.stderr.hasPrefix("await-logs: \(dir.file("bad.ndjson")):2: seq: "))
        #expect(r.stderr.split(separator: "\n").count == 1)
        #expect(!dir.exists("out.ndjson"))
    }

    func parseRecords(_ text: String) throws -> [Record] {
        try text.split(separator: "\n").map { line in
            var l = String(line)
            return try l.withUTF8 { try Record.decode($0) }
        }
    }
}
