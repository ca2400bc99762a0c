import Foundation
import TestSupport
import Testing

@Suite("CloudWatch Logs API")
struct LogsAPITests {
    static let group = "/aws/lambda/faas_sleep"

    func events(_ r: RawHTTP.Response) -> [[String: Any]] { r.json["events"] as? [[String: Any]] ?? [] }

    @Test func eventsAppearOnlyAfterThePropagationDelayAndPaginate() throws {
        let emulator = try LocalEmulator.start(["--log-delay-ms", "400", "--logs-rate-limit", "0"])
        defer { emulator.stop() }
        let start = Int(Date().timeIntervalSince1970 * 1000) - 1
        var ids: [String] = []
        for _ in 0..<3 {
            ids.append(try #require(try RawHTTP.invoke("faas_sleep", #"{"ms":1}"#, port: emulator.port).header("x-amzn-RequestId")))
        }
        let query = #"{"logGroupName":"\#(Self.group)","filterPattern":"REPORT","startTime":\#(start)}"#
        let early = try RawHTTP.logs("FilterLogEvents", query, port: emulator.port)
        let answered = Int((Date().timeIntervalSince1970 * 1000).rounded(.up))
        #expect(early.status == 200)
        // Events are not visible before their propagation delay: whatever a query returns arrived
        // (ingestionTime) no later than the query was answered, however slow this machine is.
        #expect(
            events(early).allSatisfy { (($0["ingestionTime"] as? Int) ?? .max) <= answered },
            "events are not visible before their propagation delay")
        // delay = 200 ms + exponential(200 ms): poll until all three have arrived.
        var all: [[String: Any]] = []
        let arrived = try Wait.until(timeout: 30, poll: 0.1) {
            all = events(try RawHTTP.logs("FilterLogEvents", query, port: emulator.port))
            return all.count >= 3
        }
        #expect(arrived, "only \(all.count) of 3 REPORT lines visible after 30 s")
        #expect(all.count == 3)
        for id in ids { #expect(all.contains { ($0["message"] as? String)?.hasPrefix("REPORT RequestId: \(id)\t") == true }) }
        #expect(all.allSatisfy { $0["eventId"] is String && $0["logStreamName"] is String })
        // ingestionTime is when the event arrived: at least 200 ms (half the mean delay) after its timestamp.
        #expect(all.allSatisfy { (($0["ingestionTime"] as? Int) ?? 0) - (($0["timestamp"] as? Int) ?? 0) >= 199 })

        // Pagination: limit 2 -> a nextToken, then the rest.
        let page1 = try RawHTTP.logs(
            "FilterLogEvents", #"{"logGroupName":"\#(Self.group)","filterPattern":"REPORT","startTime":\#(start),"limit":2}"#,
            port: emulator.port)
        let token = try #require(page1.json["nextToken"] as? String)
        #expect(events(page1).count == 2)
        let page2 = try RawHTTP.logs(
            "FilterLogEvents",
            #"{"logGroupName":"\#(Self.group)","filterPattern":"REPORT","startTime":\#(start),"limit":2,"nextToken":"\#(token)"}"#,
            port: emulator.port)
        #expect(events(page2).count == 1)
        #expect(page2.json["nextToken"] == nil)

        // Time window and stream filters.
        let none = try RawHTTP.logs(
            "FilterLogEvents", #"{"logGroupName":"\#(Self.group)","endTime":\#(start - 1000)}"#, port: emulator.port)
        #expect(events(none).isEmpty)
        let stream = try #require(all.first?["logStreamName"] as? String)
        let byStream = try RawHTTP.logs(
            "FilterLogEvents", #"{"logGroupName":"\#(Self.group)","logStreamNames":["\#(stream)"],"filterPattern":"\"START RequestId\""}"#,
            port: emulator.port)
        #expect(events(byStream).count == 3, "one warm environment served all three")

        // GetLogEvents and DescribeLogStreams.
        let get = try RawHTTP.logs(
            "GetLogEvents", #"{"logGroupName":"\#(Self.group)","logStreamName":"\#(stream)","startFromHead":true}"#, port: emulator.port)
        #expect(events(get).count >= 9)  // START, output, END, REPORT per call
        #expect((get.json["nextForwardToken"] as? String)?.hasPrefix("f/") == true)
        let streams = try RawHTTP.logs("DescribeLogStreams", #"{"logGroupName":"\#(Self.group)"}"#, port: emulator.port)
        let list = streams.json["logStreams"] as? [[String: Any]] ?? []
        #expect(list.count == 1)
        #expect((list.first?["logStreamName"] as? String)?.contains("/[$LATEST]") == true)
        #expect(list.first?["lastEventTimestamp"] is Int)
    }

    @Test func errorsAndThrottling() throws {
        let emulator = try LocalEmulator.start(["--logs-rate-limit", "2"])
        defer { emulator.stop() }
        let burstStart = Date()
        let missing = try RawHTTP.logs("FilterLogEvents", #"{"logGroupName":"/aws/lambda/nope"}"#, port: emulator.port)
        #expect(missing.status == 400)
        #expect(missing.json["__type"] as? String == "ResourceNotFoundException")
        #expect(missing.header("Content-Type") == "application/x-amz-json-1.1")
        var throttled = 0
        for _ in 0..<6 {
            let r = try RawHTTP.logs("DescribeLogGroups", "{}", port: emulator.port)
            if r.status == 400 && r.json["__type"] as? String == "ThrottlingException" { throttled += 1 }
        }
        // The bucket holds 2 and refills at 2/s, and the request above took one: of the 6, at most
        // 1 + 2T pass, T being the time since that request. Unless this machine is very slow
        // (T >= 1.5 s), that is at least 2 throttled.
        let span = Date().timeIntervalSince(burstStart)
        #expect(throttled >= min(2, 6 - Int((1 + 2 * span).rounded(.down))), "a 2/s limit throttles a burst of 6 (in \(span) s)")
        // Once the bucket has refilled (a throttled request takes no token), requests are served again.
        var bad = RawHTTP.Response(status: 0, headers: [], body: [])
        try Wait.until(timeout: 10, poll: 0.1) {
            bad = try RawHTTP.logs("FilterLogEvents", "{oops", port: emulator.port)
            return bad.json["__type"] as? String != "ThrottlingException"
        }
        #expect(bad.status == 400)
        #expect(bad.json["__type"] as? String == "SerializationException")
        let unknown = try RawHTTP.logs("PutLogEvents", "{}", port: emulator.port)
        #expect(unknown.json["__type"] as? String == "UnknownOperationException")
    }

    @Test func logsSurviveARestart() throws {
        let state = try TemporaryDirectory("lambda-emulator-restart")
        defer { state.remove() }
        // Stopped right after the call: its queued logs are stored before the emulator exits.
        let first = try LocalEmulator.start(["--log-delay-ms", "200"], stateDirectory: state.path)
        let id = try #require(try RawHTTP.invoke("faas_sleep", #"{"ms":1}"#, port: first.port).header("x-amzn-RequestId"))
        #expect(first.stop() == 0)
        let second = try LocalEmulator.start(["--log-delay-ms", "200"], stateDirectory: state.path)
        defer { second.stop() }
        var found = false
        for _ in 0..<40 where !found {
            let r = try RawHTTP.logs("FilterLogEvents", #"{"logGroupName":"\#(Self.group)","filterPattern":"REPORT"}"#, port: second.port)
            found = r.text.contains("REPORT RequestId: \(id)")
            if !found { usleep(100_000) }
        }
        #expect(found)
    }
}
