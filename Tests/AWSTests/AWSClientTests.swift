import AWS
import CurlHTTP
import Foundation
import SigV4
import TestSupport
import Testing

@Suite(.serialized)
struct AWSClientTests {
    let credentials = AWSCredentials(accessKeyId: LocalEmulator.accessKeyId, secretAccessKey: LocalEmulator.secretAccessKey)

    func sender(
        _ http: HTTPClient, endpoint: String, retry: RetryPolicy = RetryPolicy(maxAttempts: 4, baseDelay: 0.01)
    ) throws -> AWSRequestSender {
        try AWSRequestSender(
            http: http, configuration: AWSConfiguration(credentials: credentials, region: "us-east-1", endpointURL: endpoint),
            service: .cloudWatchLogs, retry: retry)
    }

    @Test func throttlingAndServerErrorsAreRetriedOthersAreNot() async throws {
        let server = try LocalServer()
        defer { server.stop() }
        let http = HTTPClient()
        let s = try sender(http, endpoint: server.base)
        // 429 TooManyRequests twice, then success.
        let r1 = try await s.send(operation: "Test", method: "POST", path: "/flaky/a/2/429")
        #expect(r1.bodyText.contains("\"attempt\": 3"))
        // 400 ThrottlingException (CloudWatch Logs style) is retried too.
        let r2 = try await s.send(operation: "Test", method: "POST", path: "/flaky/b/1/400")
        #expect(r2.bodyText.contains("\"attempt\": 2"))
        // 503 then success.
        _ = try await s.send(operation: "Test", method: "POST", path: "/flaky/c/1/503")
        // Too many throttles: the last error is thrown.
        await #expect(throws: AWSError.self) { try await s.send(operation: "Test", method: "POST", path: "/flaky/d/9/429") }
        // A 404 is final at once, with the AWS error code and message.
        do {
            _ = try await s.send(operation: "GetThing", method: "GET", path: "/status/404")
            Issue.record("expected an error")
        } catch let error as AWSError {
            #expect(error.code == "TestError")
            #expect("\(error)".hasPrefix("GetThing failed: HTTP 404 TestError: status 404"))
        }
    }

    @Test func signedRequestsCarryHostDateAndAuthorization() async throws {
        let server = try LocalServer()
        defer { server.stop() }
        let http = HTTPClient()
        let s = try sender(http, endpoint: server.base)
        let r = try await s.send(
            operation: "Echo", method: "POST", path: "/echo",
            headers: [
                ("X-Amz-Target", "Logs_20140328.FilterLogEvents"),
                ("Content-Type", "application/x-amz-json-1.1"),
            ], body: Array("{}".utf8))
        let echo = try JSONSerialization.jsonObject(with: Data(r.body)) as! [String: Any]
        let headers = echo["headers"] as! [String: String]
        #expect(headers["host"] == "127.0.0.1:\(server.port)")
        #expect(headers["x-amz-date"]?.count == 16)
        let auth = try #require(headers["authorization"])
        #expect(auth.hasPrefix("AWS4-HMAC-SHA256 Credential=AKIDLOCALEMULATOR/"))
        #expect(auth.contains("/us-east-1/logs/aws4_request"))
        #expect(auth.contains("x-amz-target"))
        #expect(!auth.contains(LocalEmulator.secretAccessKey))
    }

    @Test func lambdaClientAgainstTheEmulator() async throws {
        let emulator = try LocalEmulator.start()
        defer { emulator.stop() }
        let http = HTTPClient()
        let config = AWSConfiguration.resolve(environment: emulator.environment, home: "/nonexistent")
        let lambda = try LambdaClient(http: http, configuration: config)
        let before = try await lambda.getFunctionConfiguration("faas_measure")
        #expect(before.memorySize == 128 && before.lastUpdateStatus == "Successful")
        // The change goes through InProgress; setMemorySize returns once it is live.
        let start = Date()
        let after = try await lambda.setMemorySize("faas_measure", to: 512, pollInterval: 0.05)
        #expect(after.memorySize == 512 && after.lastUpdateStatus == "Successful")
        #expect(Date().timeIntervalSince(start) >= 0.25)
        // Same size again: no update needed.
        _ = try await lambda.setMemorySize("faas_measure", to: 512)
        let response = try await lambda.invoke(function: "faas_measure", payload: Array(#"{"cmds":{"sleep":5}}"#.utf8))
        #expect(response.status == 200)
        #expect(response.header("x-amzn-RequestId") != nil)
        let failing = try await lambda.invoke(function: "faas_measure", payload: Array(#"{"cmds":{"net":{}}}"#.utf8))
        #expect(failing.header("X-Amz-Function-Error") == "Unhandled")
        do {
            _ = try await lambda.getFunctionConfiguration("no_such_function")
            Issue.record("expected ResourceNotFoundException")
        } catch let error as AWSError {
            #expect(error.code == "ResourceNotFoundException")
        }
        // An ARN goes in the path percent-encoded and is signed as AWS expects.
        let arn = "arn:aws:lambda:us-east-1:123456789012:function:faas_measure"
        #expect(try await lambda.getFunctionConfiguration(arn).functionName == "faas_measure")
    }

    @Test func wrongSecretIsRejectedByTheEmulator() async throws {
        let emulator = try LocalEmulator.start()
        defer { emulator.stop() }
        let http = HTTPClient()
        var env = emulator.environment
        env["AWS_SECRET_ACCESS_KEY"] = "wrong"
        let lambda = try LambdaClient(http: http, configuration: .resolve(environment: env, home: "/nonexistent"))
        await #expect(throws: AWSError.self) { try await lambda.getFunctionConfiguration("faas_measure") }
    }
}
