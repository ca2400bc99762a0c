import AWS
import CurlHTTP
import Foundation
import JSON
import RecordSchema
import SigV4
import Testing

@testable import Invoking

struct CallRequestsTests {
    let config = AWSConfiguration(
        credentials: AWSCredentials(
            accessKeyId: "AKIDTEST", secretAccessKey: "secret-key",
            sessionToken: "session-token"),
        region: "us-east-1")

    func signable(_ r: HTTPRequest) -> SignableRequest {
        let c = URLComponents(string: r.url)!
        return SignableRequest(
            method: r.method, path: c.percentEncodedPath, query: c.percentEncodedQuery ?? "",
            headers: r.headers, body: r.body)
    }

    func call(_ target: Target, payload: String = #"{"a": [1, 2]}"#) throws -> ScheduledCall {
        ScheduledCall(
            run: "r", seq: 0, phase: 0, memoryMB: 128, instance: "i", application: "app", atS: 0, target: target,
            payload: try RawJSON(parsing: payload), payloadIndex: 0, seed: 1)
    }

    @Test func iamSignedHTTPTargetsAreSignedForExecuteAPIInTheURLsRegion() throws {
        let url = "https://abc123.execute-api.eu-west-2.amazonaws.com/prod/pyaes?format=json"
        let c = try call(.http(url: url, method: "POST", signed: true))
        let requests = try CallRequests(calls: [c], configuration: config, http: HTTPClient(), timeout: 5)
        let r = requests.request(for: c, date: Date())
        #expect(r.url == url)
        #expect(r.body == Array(c.payload.text.utf8))
        let auth = try #require(r.headers.first { $0.name == "Authorization" }?.value)
        #expect(auth.contains("/eu-west-2/execute-api/aws4_request"))
        #expect(r.headers.contains { $0.name == "X-Amz-Security-Token" && $0.value == "session-token" })
        #expect(SigV4Verifier.verify(signable(r), now: Date()) { $0 == "AKIDTEST" ? "secret-key" : nil } == .valid(accessKeyId: "AKIDTEST"))
    }

    @Test func plainHTTPTargetsAreNotSignedAndGetHasNoBody() throws {
        let post = try call(.http(url: "http://127.0.0.1:1/x", method: "post", signed: false))
        let get = try call(.http(url: "http://127.0.0.1:1/x", method: "GET", signed: false))
        let requests = try CallRequests(
            calls: [post, get], configuration: AWSConfiguration(credentials: nil, region: nil),
            http: HTTPClient(), timeout: 5)
        let p = requests.request(for: post, date: Date())
        #expect(p.method == "POST" && !p.headers.contains { $0.name == "Authorization" })
        #expect(p.headers.contains { $0.name == "Content-Type" && $0.value == "application/json" })
        #expect(requests.request(for: get, date: Date()).body.isEmpty)
    }

    @Test func lambdaTargetsUseTheirOwnRegionAndQualifier() throws {
        let c = try call(
            .lambda(
                function: "arn:aws:lambda:eu-central-1:123456789012:function:f", region: "eu-central-1",
                invocationType: "Event", qualifier: "live"))
        let requests = try CallRequests(calls: [c], configuration: config, http: HTTPClient(), timeout: 5)
        let r = requests.request(for: c, date: Date())
        #expect(
            r.url == "https://lambda.eu-central-1.amazonaws.com/2015-03-31/functions/"
                + "arn%3Aaws%3Alambda%3Aeu-central-1%3A123456789012%3Afunction%3Af/invocations?Qualifier=live")
        #expect(r.headers.contains { $0.name == "X-Amz-Invocation-Type" && $0.value == "Event" })
        #expect(SigV4Verifier.verify(signable(r), now: Date()) { _ in "secret-key" } == .valid(accessKeyId: "AKIDTEST"))
    }

    @Test func statisticsPercentilesAndRates() throws {
        var invocations: [Invocation] = []
        for k in 0..<100 {
            var c = try call(.http(url: "http://x/", method: "POST", signed: false))
            c.seq = k
            c.atS = Double(k) * 0.01
            invocations.append(
                Invocation(
                    call: c, phaseStartUnixMs: 1000, sentUnixMs: 1000 + Double(k) * 10 + Double(k) / 100,
                    lagMs: Double(k) / 100, latencyMs: 1, scheduledLatencyMs: 1, httpStatus: 200, attempts: 1))
        }
        invocations[5].error = .throttled
        let s = RunStatistics(invocations)
        // The one quantile definition (OrderStatistics, type 7): lags 0.00...0.99 give
        // p50 = 0.49 + 0.5 · 0.01 and p99 = 0.98 + 0.01 · 0.01.
        #expect(abs(s.lagP50Ms - 0.495) < 1e-12 && abs(s.lagP99Ms - 0.9801) < 1e-12 && s.lagMaxMs == 0.99)
        #expect(abs(s.scheduledRate - 100) < 1e-9)
        #expect(abs(s.achievedRate - 99 / (990.99 / 1000)) < 1e-6)
        #expect(s.outcomes == ["ok": 99, "throttled": 1])
    }

    /// A qualified target's memory is checked, never set: UpdateFunctionConfiguration would change $LATEST.
    @Test func qualifiedTargetsAreCheckedNotSized() throws {
        let live = try call(.lambda(function: "f", region: nil, invocationType: "RequestResponse", qualifier: "live"))
        var latest = try call(.lambda(function: "g", region: nil, invocationType: "RequestResponse", qualifier: "$LATEST"))
        latest.seq = 1
        let schedule = LoadedSchedule(header: ScheduleFile.header(memorySizes: [128], scheduled: 2), calls: [live, latest])
        let invoker = try ScheduleInvoker(schedule: schedule, options: InvokeOptions(), configuration: config, http: HTTPClient())
        let (set, check) = invoker.sizing[schedule.phases[0].index]!
        #expect(set.map(\.function) == ["g"])
        #expect(check.map { "\($0.function):\($0.qualifier)" } == ["f:live"])
    }
}
