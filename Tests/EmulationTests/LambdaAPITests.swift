import Foundation
import SigV4
import TestSupport
import Testing

@Suite("Lambda API over real sockets")
struct LambdaAPITests {
    @Test func invokeRequestResponseAnswersWithHeadersAndTailLog() throws {
        let emulator = try LocalEmulator.start()
        defer { emulator.stop() }
        let r = try RawHTTP.invoke("faas_measure", #"{"cmds":{"sleep":5,"cpu":{"n":1},"stat":{}}}"#, port: emulator.port)
        #expect(r.status == 200)
        #expect(r.header("x-amzn-RequestId")?.count == 36)
        #expect(r.header("X-Amz-Executed-Version") == "$LATEST")
        #expect(r.header("X-Amz-Function-Error") == nil)
        let body = r.json
        #expect(body["start_time"] is Double && body["end_time"] is Double && body["elapsed_time"] is Double)
        #expect(body["sleep"] != nil && body["cpu"] != nil && body["stat"] != nil)
        let log = r.tailLog
        let id = r.header("x-amzn-RequestId")!
        #expect(log.contains("START RequestId: \(id) Version: $LATEST"))
        #expect(log.contains("END RequestId: \(id)"))
        #expect(log.contains("REPORT RequestId: \(id)\tDuration: "))
        #expect(r.report["Init Duration"] != nil, "first call is a cold start")
        let reportLine = try #require(log.split(separator: "\n").first { $0.hasPrefix("REPORT ") })
        let format = try NSRegularExpression(
            pattern:
                #"^REPORT RequestId: [0-9a-f-]{36}\tDuration: [0-9]+\.[0-9]{2} ms\tBilled Duration: [0-9]+ ms\tMemory Size: 128 MB\tMax Memory Used: [0-9]+ MB\tInit Duration: [0-9]+\.[0-9]{2} ms\t$"#
        )
        #expect(
            format.firstMatch(in: String(reportLine), range: NSRange(location: 0, length: reportLine.utf16.count)) != nil, "\(reportLine)")
        #expect(r.report["Memory Size"] == "128 MB")
        // Billed Duration = Duration + Init Duration rounded up to 1 ms.
        let billed = try #require(r.reportNumber("Billed Duration"))
        let total = try #require(r.reportNumber("Duration")) + (r.reportNumber("Init Duration") ?? 0)
        #expect(billed >= total.rounded(.down) && billed <= total.rounded(.up) + 1)

        let warm = try RawHTTP.invoke("faas_measure", #"{"cmds":{"stat":{}}}"#, port: emulator.port)
        #expect(warm.report["Init Duration"] == nil, "second call reuses the idle environment")
        #expect((warm.json["stat"] as? [String: Any])?["warm"] as? Bool == true)
    }

    @Test func eventAndDryRunInvocations() throws {
        let emulator = try LocalEmulator.start(["--log-delay-ms", "0"])
        defer { emulator.stop() }
        let dry = try RawHTTP.invoke("faas_sleep", "{}", port: emulator.port, type: "DryRun")
        #expect(dry.status == 204)
        let event = try RawHTTP.invoke("faas_sleep", #"{"ms": 10}"#, port: emulator.port, type: "Event")
        #expect(event.status == 202)
        #expect(event.body.isEmpty)
        let id = try #require(event.header("x-amzn-RequestId"))
        // The event runs in the background: its REPORT appears in the logs.
        var found = false
        for _ in 0..<100 where !found {
            let page = try RawHTTP.logs(
                "FilterLogEvents", #"{"logGroupName":"/aws/lambda/faas_sleep","filterPattern":"REPORT"}"#, port: emulator.port)
            found = page.text.contains("REPORT RequestId: \(id)")
            if !found { usleep(50_000) }
        }
        #expect(found)
    }

    @Test func functionErrorsAndAWSErrorShapes() throws {
        let emulator = try LocalEmulator.start()
        defer { emulator.stop() }
        let net = try RawHTTP.invoke("faas_measure", #"{"cmds":{"net":{}}}"#, port: emulator.port)
        #expect(net.status == 200)
        #expect(net.header("X-Amz-Function-Error") == "Unhandled")
        #expect((net.json["errorMessage"] as? String)?.contains("iperf") == true)

        let missing = try RawHTTP.invoke("nope", "{}", port: emulator.port)
        #expect(missing.status == 404)
        #expect(missing.header("x-amzn-ErrorType") == "ResourceNotFoundException")
        #expect((missing.json["message"] as? String)?.hasPrefix("Function not found: arn:aws:lambda:us-east-1:") == true)

        let badJSON = try RawHTTP.invoke("faas_measure", "{not json", port: emulator.port)
        #expect(badJSON.status == 400)
        #expect(badJSON.header("x-amzn-ErrorType") == "InvalidRequestContentException")

        let badType = try RawHTTP.invoke("faas_measure", "{}", port: emulator.port, type: "Sometimes")
        #expect(badType.status == 400)
        #expect(badType.header("x-amzn-ErrorType") == "InvalidParameterValueException")

        let badMemory = try RawHTTP.exchange(
            "PUT", "/2015-03-31/functions/faas_measure/configuration", port: emulator.port,
            body: Array(#"{"MemorySize": 64}"#.utf8))
        #expect(badMemory.status == 400)
        #expect(badMemory.header("x-amzn-ErrorType") == "InvalidParameterValueException")

        let unknownRoute = try RawHTTP.exchange("GET", "/2015-03-31/layers", port: emulator.port)
        #expect(unknownRoute.status == 404)

        let list = try RawHTTP.exchange("GET", "/2015-03-31/functions/", port: emulator.port)
        #expect(list.status == 200)
        let names = (list.json["Functions"] as? [[String: Any]])?.compactMap { $0["FunctionName"] as? String }
        #expect(names == ["faas_measure", "faas_sleep", "saaf_hello"])
    }

    @Test func updateGoesInProgressThenSuccessfulAndOldConfigServesMeanwhile() throws {
        let emulator = try LocalEmulator.start(["--update-delay-ms", "1500"])
        defer { emulator.stop() }
        let before = try RawHTTP.invoke("faas_sleep", #"{"ms":1}"#, port: emulator.port)
        #expect(before.report["Memory Size"] == "128 MB")
        let update = try RawHTTP.exchange(
            "PUT", "/2015-03-31/functions/faas_sleep/configuration", port: emulator.port,
            body: Array(#"{"MemorySize": 512, "Timeout": 10}"#.utf8))
        #expect(update.status == 200)
        #expect(update.json["LastUpdateStatus"] as? String == "InProgress")
        #expect(update.json["MemorySize"] as? Int == 512)
        let conflict = try RawHTTP.exchange(
            "PUT", "/2015-03-31/functions/faas_sleep/configuration", port: emulator.port,
            body: Array(#"{"MemorySize": 256}"#.utf8))
        #expect(conflict.status == 409)
        #expect(conflict.header("x-amzn-ErrorType") == "ResourceConflictException")
        let during = try RawHTTP.invoke("faas_sleep", #"{"ms":1}"#, port: emulator.port)
        #expect(during.report["Memory Size"] == "128 MB", "invocations use the old configuration while InProgress")
        var status = ""
        for _ in 0..<100 {
            let c = try RawHTTP.exchange("GET", "/2015-03-31/functions/faas_sleep/configuration", port: emulator.port)
            status = c.json["LastUpdateStatus"] as? String ?? ""
            if status == "Successful" {
                #expect(c.json["Timeout"] as? Int == 10)
                break
            }
            usleep(50_000)
        }
        #expect(status == "Successful")
        let after = try RawHTTP.invoke("faas_sleep", #"{"ms":1}"#, port: emulator.port)
        #expect(after.report["Memory Size"] == "512 MB")
        #expect(after.report["Init Duration"] != nil, "the old environment retired; the new configuration starts cold")
    }

    @Test func concurrencyLimitThrottlesWith429AndRetryAfter() throws {
        let emulator = try LocalEmulator.start(["--concurrency-limit", "2"])
        defer { emulator.stop() }
        let statuses = Statuses()
        let group = DispatchGroup()
        for _ in 0..<5 {
            group.enter()
            Thread {
                let r = try? RawHTTP.invoke("faas_sleep", #"{"ms": 1500}"#, port: emulator.port)
                statuses.add(r?.status ?? -1, r?.header("Retry-After"), r?.header("x-amzn-ErrorType"))
                group.leave()
            }.start()
        }
        group.wait()
        let all = statuses.values
        #expect(all.filter { $0.0 == 200 }.count == 2)
        #expect(all.filter { $0.0 == 429 }.count == 3)
        #expect(all.filter { $0.0 == 429 }.allSatisfy { $0.1 == "1" && $0.2 == "TooManyRequestsException" })
    }

    @Test func idleEnvironmentsRetireAfterTheIdleTimeout() throws {
        // 2 s: long enough that the idle worker is surely still there when looked for right after the call.
        let emulator = try LocalEmulator.start(["--idle-timeout-s", "2"])
        defer { emulator.stop() }
        _ = try RawHTTP.invoke("faas_sleep", #"{"ms":1}"#, port: emulator.port)
        #expect(emulator.workerPids.count == 1)
        #expect(Wait.until(timeout: 30) { emulator.workerPids.isEmpty }, "the idle environment retired")
        let again = try RawHTTP.invoke("faas_sleep", #"{"ms":1}"#, port: emulator.port)
        #expect(again.report["Init Duration"] != nil)
    }

    @Test func gatewayRouteInvokesTheBoundFunctionWithItsOwnRequestId() throws {
        let emulator = try LocalEmulator.start(["--log-delay-ms", "0"])
        defer { emulator.stop() }
        let r = try RawHTTP.exchange(
            "POST", "/default/faas_measure?format=json", port: emulator.port,
            body: Array(#"{"cmds":{"sleep":1}}"#.utf8), sign: nil)
        #expect(r.status == 200)
        #expect(r.json["sleep"] != nil)
        let gatewayId = try #require(r.header("x-amzn-RequestId"))
        let reports = try RawHTTP.logs(
            "FilterLogEvents", #"{"logGroupName":"/aws/lambda/faas_measure","filterPattern":"REPORT"}"#, port: emulator.port)
        #expect(reports.text.contains("REPORT RequestId: "))
        #expect(!reports.text.contains(gatewayId), "the gateway's request id is not Lambda's")
        let unknown = try RawHTTP.exchange("POST", "/default/nothing", port: emulator.port, sign: nil)
        #expect(unknown.status == 403)
        #expect(unknown.json["message"] as? String == "Missing Authentication Token")
    }
}

final class Statuses: @unchecked Sendable {  // guarded by lock
    private let lock = NSLock()
    private var list: [(Int, String?, String?)] = []
    func add(_ s: Int, _ retry: String?, _ type: String?) {
        lock.lock()
        list.append((s, retry, type))
        lock.unlock()
    }
    var values: [(Int, String?, String?)] {
        lock.lock()
        defer { lock.unlock() }
        return list
    }
}
