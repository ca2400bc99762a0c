import Foundation
import TestSupport
import Testing

/// UpdateFunctionConfiguration as on Lambda: every member applied, shown, validated, and any
/// change retires the warm environments, so the next call is a cold start.
@Suite("Configuration updates")
struct ConfigurationUpdateTests {
    static let statAndGreeting = #"{"cmds":{"stat":{},"env":{"names":["GREETING"]}}}"#

    @Test func environmentUpdateIsShownReachesTheWorkerAndTheNextCallIsCold() throws {
        let emulator = try LocalEmulator.start()
        defer { emulator.stop() }
        let port = emulator.port
        let first = try RawHTTP.invoke("faas_measure", Self.statAndGreeting, port: port)
        let warm = try RawHTTP.invoke("faas_measure", Self.statAndGreeting, port: port)
        #expect(warm.report["Init Duration"] == nil)
        #expect(Self.instanceId(warm) == Self.instanceId(first), "one environment keeps its inst_id")
        #expect(Self.greeting(warm) == nil)
        let before = try Self.configuration("faas_measure", port: port)
        #expect(before["Environment"] == nil, "no Environment member while the function has no variables")

        let update = try Self.update("faas_measure", #"{"Environment":{"Variables":{"GREETING":"hello"}},"Description":"d1"}"#, port: port)
        #expect(update.status == 200)
        #expect(update.json["LastUpdateStatus"] as? String == "InProgress")
        let after = try Self.awaitSuccessful("faas_measure", port: port)
        #expect((after["Environment"] as? [String: Any])?["Variables"] as? [String: String] == ["GREETING": "hello"])
        #expect(after["Description"] as? String == "d1")
        #expect(after["RevisionId"] as? String != before["RevisionId"] as? String)
        #expect(after["LastModified"] as? String != before["LastModified"] as? String)
        let list = try RawHTTP.exchange("GET", "/2015-03-31/functions/", port: port)
        let listed = (list.json["Functions"] as? [[String: Any]]) ?? []
        #expect(listed.first { $0["FunctionName"] as? String == "faas_measure" }?["Environment"] != nil)
        #expect(listed.first { $0["FunctionName"] as? String == "faas_sleep" }?["Environment"] == nil)

        let cold = try RawHTTP.invoke("faas_measure", Self.statAndGreeting, port: port)
        #expect(cold.report["Init Duration"] != nil, "the change retired the warm environment")
        #expect(Self.greeting(cold) == "hello", "the variable is in the worker's environment")
        #expect(Self.instanceId(cold) != Self.instanceId(first))

        // Repeating the same values is still a change: a new revision and a new environment.
        #expect(try Self.update("faas_measure", #"{"Environment":{"Variables":{"GREETING":"hello"}}}"#, port: port).status == 200)
        let same = try Self.awaitSuccessful("faas_measure", port: port)
        #expect(same["RevisionId"] as? String != after["RevisionId"] as? String)
        let again = try RawHTTP.invoke("faas_measure", Self.statAndGreeting, port: port)
        #expect(again.report["Init Duration"] != nil)
        #expect(Self.greeting(again) == "hello")
    }

    @Test func handlerAndTimeoutUpdatesApply() throws {
        let emulator = try LocalEmulator.start()
        defer { emulator.stop() }
        #expect(try Self.update("faas_sleep", #"{"Handler":"faas_measure","Timeout":7}"#, port: emulator.port).status == 200)
        let after = try Self.awaitSuccessful("faas_sleep", port: emulator.port)
        #expect(after["Handler"] as? String == "faas_measure")
        #expect(after["Timeout"] as? Int == 7)
        let r = try RawHTTP.invoke("faas_sleep", #"{"cmds":{"stat":{}}}"#, port: emulator.port)
        #expect(r.json["stat"] != nil, "faas_sleep now runs the faas_measure handler")
    }

    @Test func busyEnvironmentFinishesItsCallThenRetires() throws {
        let emulator = try LocalEmulator.start()
        defer { emulator.stop() }
        let port = emulator.port
        let answer = Answers()
        let busy = Thread { answer.set(try? RawHTTP.invoke("faas_sleep", #"{"ms": 3000}"#, port: port)) }
        busy.start()
        #expect(Wait.until(timeout: 60) { (try? Self.stats(port: port))?["in_flight"] as? Int == 1 })
        let worker = try #require(emulator.workerPids.first)
        #expect(try Self.update("faas_sleep", #"{"Description":"retire them"}"#, port: port).status == 200)
        _ = try Self.awaitSuccessful("faas_sleep", port: port)
        #expect(Wait.until(timeout: 60) { answer.value != nil })
        #expect(answer.value?.status == 200, "the busy environment finished the call it was serving")
        #expect(answer.value?.header("X-Amz-Function-Error") == nil)
        #expect(Wait.until(timeout: 30) { !emulator.workerPids.contains(worker) }, "and then ended")
        let next = try RawHTTP.invoke("faas_sleep", #"{"ms": 1}"#, port: port)
        #expect(next.report["Init Duration"] != nil)
    }

    @Test(arguments: [
        #"{"Environment":{"Variables":{"AWS_REGION":"eu-west-1"}}}"#,
        #"{"Environment":{"Variables":{"AWS_LAMBDA_FUNCTION_NAME":"x"}}}"#,
        #"{"Environment":{"Variables":{"A":"one letter"}}}"#,
        #"{"Environment":{"Variables":{"1ABC":"digit first"}}}"#,
        #"{"Environment":{"Variables":{"MY-KEY":"dash"}}}"#,
        #"{"Environment":{"Variables":{"COUNT":5}}}"#,
        #"{"Environment":{"Variables":{"BIG":"\#(String(repeating: "x", count: 4090))"}}}"#,
        #"{"Environment":"GREETING=hello"}"#,
        #"{"Description":"\#(String(repeating: "d", count: 257))"}"#,
        #"{"Handler":"nope"}"#,
        #"{"Handler":5}"#,
    ])
    func badValuesAreInvalidParameterValueAndChangeNothing(body: String) throws {
        let emulator = try LocalEmulator.start()
        defer { emulator.stop() }
        let r = try Self.update("faas_measure", body, port: emulator.port)
        #expect(r.status == 400)
        #expect(r.header("x-amzn-ErrorType") == "InvalidParameterValueException", "\(r.text)")
        let c = try Self.configuration("faas_measure", port: emulator.port)
        #expect(c["LastUpdateStatus"] as? String == "Successful")
        #expect(c["Environment"] == nil && c["Handler"] as? String == "faas_measure")
    }

    @Test func environmentOfUpToFourKilobytesIsAccepted() throws {
        let emulator = try LocalEmulator.start()
        defer { emulator.stop() }
        // {"BIG":"..."} is 10 bytes plus the value: exactly 4096.
        let value = String(repeating: "x", count: 4086)
        #expect(try Self.update("faas_measure", #"{"Environment":{"Variables":{"BIG":"\#(value)"}}}"#, port: emulator.port).status == 200)
    }

    @Test func functionsFileEnvironmentIsValidatedAndServed() throws {
        let dir = try TemporaryDirectory("emulator-environment")
        defer { dir.remove() }
        let emulator = try LocalEmulator.start(
            [], config: #"{"functions":[{"name":"f","handler":"faas_measure","environment":{"GREETING":"from the file"}}]}"#, in: dir)
        defer { emulator.stop() }
        let c = try Self.configuration("f", port: emulator.port)
        #expect((c["Environment"] as? [String: Any])?["Variables"] as? [String: String] == ["GREETING": "from the file"])
        #expect(Self.greeting(try RawHTTP.invoke("f", Self.statAndGreeting, port: emulator.port)) == "from the file")
        try dir.write("bad.json", #"{"functions":[{"name":"f","handler":"faas_measure","environment":{"AWS_REGION":"x"}}]}"#)
        let bad = try Tools.run("lambda-emulator", ["--config", dir.file("bad.json"), "--port", "0"])
        #expect(bad.status == 2)
        #expect(bad.stderr.hasPrefix("lambda-emulator: \(dir.file("bad.json")):1: functions[0].environment: Lambda was unable"))
    }

    // Helpers.

    static func update(_ function: String, _ body: String, port: Int) throws -> RawHTTP.Response {
        try RawHTTP.exchange("PUT", "/2015-03-31/functions/\(function)/configuration", port: port, body: Array(body.utf8))
    }

    static func configuration(_ function: String, port: Int) throws -> [String: Any] {
        try RawHTTP.exchange("GET", "/2015-03-31/functions/\(function)/configuration", port: port).json
    }

    /// GetFunctionConfiguration once the update is `Successful` (empty if it never is).
    static func awaitSuccessful(_ function: String, port: Int) throws -> [String: Any] {
        var last: [String: Any] = [:]
        let done = try Wait.until(timeout: 60) {
            last = try configuration(function, port: port)
            return last["LastUpdateStatus"] as? String == "Successful"
        }
        #expect(done)
        return last
    }

    static func stats(port: Int) throws -> [String: Any] {
        try RawHTTP.exchange("GET", "/rightsize/2026-12-01/stats", port: port, sign: nil).json
    }

    static func instanceId(_ r: RawHTTP.Response) -> String? { (r.json["stat"] as? [String: Any])?["inst_id"] as? String }
    static func greeting(_ r: RawHTTP.Response) -> String? { (r.json["env"] as? [String: Any])?["GREETING"] as? String }
}

/// One answer handed from a thread to the test.
final class Answers: @unchecked Sendable {  // guarded by lock
    private let lock = NSLock()
    private var response: RawHTTP.Response?
    func set(_ r: RawHTTP.Response?) {
        lock.lock()
        response = r
        lock.unlock()
    }
    var value: RawHTTP.Response? {
        lock.lock()
        defer { lock.unlock() }
        return response
    }
}
