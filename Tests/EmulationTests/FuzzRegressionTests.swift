import Foundation
import JSON
import Testing

@testable import Emulation

/// Inputs of fuzz-emulator-http (Fuzz/, docs/fuzzing.md), kept as regressions, answered by
/// the same `OfflineRouter` the target drives (no socket, no worker).
@Suite("Fuzzing regressions: emulator HTTP")
struct EmulatorFuzzRegressionTests {
    static let stream = "2024/01/01/[$LATEST]0123456789abcdef0123456789abcdef"

    func getLogEvents(nextToken: String) async throws -> (status: Int, type: String?) {
        let state = NSTemporaryDirectory() + "rightsize-fuzz-regression-\(getpid())-\(UInt64.random(in: 0...UInt64.max))"
        defer { try? FileManager.default.removeItem(atPath: state) }
        let router = try OfflineRouter(stateDirectory: state, authenticate: false)
        let body = #"{"logGroupName":"/aws/lambda/faas_measure","logStreamName":"\#(Self.stream)","nextToken":"\#(nextToken)"}"#
        let reply = await router.respond(
            method: "POST", uri: "/", headers: [("Host", "x"), ("X-Amz-Target", "Logs_20140328.GetLogEvents")], body: Array(body.utf8))
        return (reply.status, try JSONTree.parse(reply.body)["__type"]?.string)
    }

    /// GetLogEvents with a token at Int64's ends and no event past it: the answer's own tokens
    /// (id + 1, id - 1) overflowed and one request killed the emulator.
    @Test(arguments: ["f/9223372036854775807", "b/-9223372036854775808", "f/-1"])
    func tokenAtInt64sEndIsInvalid(_ token: String) async throws {
        let (status, type) = try await getLogEvents(nextToken: token)
        #expect(status == 400)
        #expect(type == "InvalidParameterException")
    }

    @Test func ordinaryTokenStillPages() async throws {
        let (status, type) = try await getLogEvents(nextToken: "f/00000000000000000001")
        #expect(status == 200)
        #expect(type == nil)
    }
}
