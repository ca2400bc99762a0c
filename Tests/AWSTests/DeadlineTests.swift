import AWS
import CurlHTTP
import Foundation
import SigV4
import TestSupport
import Testing

/// A configuration change's wait is bounded by its timeout whatever the server does: a
/// server that accepts the connection and never answers ends the wait at the timeout, not
/// after every retry's own 30 s.
@Suite(.serialized)
struct DeadlineTests {
    @Test func aNeverAnsweringServerEndsTheMemoryWaitAtItsTimeout() async throws {
        let server = try LocalServer()
        defer { server.stop() }
        let http = HTTPClient()
        // Every call goes to /sleep/120000/...: accepted, answered only after two minutes.
        let configuration = AWSConfiguration(
            credentials: AWSCredentials(accessKeyId: "AKIDTEST", secretAccessKey: "secret"), region: "us-east-1",
            endpointURL: server.base + "/sleep/120000")
        let lambda = try LambdaClient(http: http, configuration: configuration)
        do {
            try await lambda.setMemorySize("f", to: 512, pollInterval: 0.05, timeout: 1)
            Issue.record("expected the wait to give up")
        } catch let error as AWSError {
            guard case .waitUnanswered(let function, let seconds, let call) = error else {
                Issue.record("unexpected error \(error)")
                return
            }
            #expect(function == "f")
            #expect(seconds == 1)
            #expect(call.contains("GetFunctionConfiguration f"))
        }
        // No timing is asserted (this machine may be loaded): that the wait gave up with the
        // unanswered call, not after six 30 s attempts with a transport error, is the point.
    }

    @Test func noRetryStartsThatCouldNotEndBeforeTheDeadline() async throws {
        let server = try LocalServer()
        defer { server.stop() }
        let http = HTTPClient()
        let sender = try AWSRequestSender(
            http: http,
            configuration: AWSConfiguration(
                credentials: AWSCredentials(accessKeyId: "AKIDTEST", secretAccessKey: "secret"), region: "us-east-1",
                endpointURL: server.base),
            service: .lambda, retry: RetryPolicy(maxAttempts: 6, baseDelay: 5, maxDelay: 5))
        // Throttled: retried after 5 s backoff, which would end past the 1 s deadline.
        await #expect(throws: AWSError.self) {
            try await sender.send(
                operation: "Test", method: "GET", path: "/flaky/deadline/9/429", deadline: Date().addingTimeInterval(1))
        }
        let attempts = try await sender.send(operation: "Count", method: "GET", path: "/flaky/deadline/0/200")
        #expect(attempts.bodyText.contains("\"attempt\": 2"), "one attempt before the deadline, then this one")
    }
}
