import CurlHTTP
import Foundation
import SigV4
import TestSupport
import Testing

@testable import AWS

@Suite(.serialized)
struct RefreshAndErrorTests {
    /// credential_process hands out key n (AKIDROT<n>) valid for 6 s; calls are signed every
    /// 100 ms, some still running when their key is replaced, until four keys have been used
    /// (about 9 s: each key is replaced halfway through its life; longer on a loaded machine,
    /// where the loop runs less often, but keys expire by the clock). Every call must be accepted, keys must only move
    /// forward, and credential_process must run at most once per half-lifetime (no storm).
    /// Structural only: how long signing took is printed, not asserted.
    @Test func expiringCredentialsAreRefreshedWithoutLosingACall() async throws {
        let s = try Situation()
        defer { s.remove() }
        let script = try s.script(
            "rotate.sh",
            """
            #!/bin/sh
            n=$(( $(cat "$0.count" 2>/dev/null || echo 0) + 1 ))
            echo $n > "$0.count"
            echo '{"Version": 1, "AccessKeyId": "AKIDROT'$n'", "SecretAccessKey": "rotsecret'$n'", "Expiration": "'$(date -u -d @$(( $(date +%s) + 6 )) +%Y-%m-%dT%H:%M:%SZ)'"}'
            """)
        try s.dir.write(".aws/config", "[default]\ncredential_process = \(script)\n")
        var keyArguments: [String] = []
        for n in 1...20 {
            try s.dir.write("secret\(n)", "rotsecret\(n)")
            keyArguments += ["--access-key-id", "AKIDROT\(n)", "--secret-access-key-file", s.dir.file("secret\(n)")]
        }
        let emulator = try LocalEmulator.start(keyArguments)
        defer { emulator.stop() }
        var environment = s.environment
        environment["AWS_ENDPOINT_URL_LAMBDA"] = emulator.endpoint
        let config = AWSConfiguration.resolve(environment: environment, home: s.dir.path)
        let http = HTTPClient()
        defer { http.shutdown() }
        let lambda = try LambdaClient(http: http, configuration: config)

        let results = Results()
        let start = Date()
        var keys: [String] = []
        var slowestSigningS = 0.0
        while Set(keys).count < 4, Date().timeIntervalSince(start) < 120 {
            let before = Date()
            let request = lambda.invokeRequest(function: "faas_measure", payload: Array(#"{"cmds":{"sleep":700}}"#.utf8))
            slowestSigningS = max(slowestSigningS, Date().timeIntervalSince(before))
            let key = try #require(SignedBy.accessKey(request))
            keys.append(key)
            results.expect(1)
            http.submit(request) { outcome in results.add(key, outcome.response?.status ?? -1) }
            try await Task.sleep(nanoseconds: 100_000_000)
        }
        let elapsed = Date().timeIntervalSince(start)
        #expect(await Wait.until(timeout: 60) { results.done })
        let statuses = results.statuses
        #expect(statuses.count == keys.count)
        #expect(statuses.allSatisfy { $0.status == 200 }, "\(statuses.filter { $0.status != 200 })")
        let numbers = keys.map { Int($0.dropFirst("AKIDROT".count))! }
        #expect(numbers == numbers.sorted(), "keys went back: \(numbers)")
        #expect(Set(numbers).count >= 4, "refreshed \(Set(numbers).count - 1) times in \(elapsed) s of 6-s credentials")
        #expect(numbers.first == 1)
        let runs = Int(try s.dir.read("rotate.sh.count").trimmingCharacters(in: .whitespacesAndNewlines)) ?? 0
        // The background refresh starts at most once per half-lifetime (3 s), plus the first fetch.
        #expect(runs <= Int(elapsed / 3) + 2, "credential_process ran \(runs) times in \(elapsed) s")
        print(
            "refresh: \(keys.count) calls in \(Int(elapsed)) s, keys \(Set(numbers).sorted()), credential_process ran \(runs) times, slowest signing \(Int(slowestSigningS * 1000)) ms"
        )
    }

    final class Results: @unchecked Sendable {  // guarded by lock
        private let lock = NSLock()
        private var expected = 0
        private var got: [(key: String, status: Int)] = []
        func expect(_ n: Int) { lock.withLock { expected += n } }
        func add(_ key: String, _ status: Int) { lock.withLock { got.append((key, status)) } }
        var done: Bool { lock.withLock { got.count == expected } }
        var statuses: [(key: String, status: Int)] { lock.withLock { got } }
    }

    @Test func everyErrorBodyBecomesStatusCodeAndMessageOnOneLine() async throws {
        let dir = try TemporaryDirectory("aws-errors")
        defer { dir.remove() }
        let server = try CredentialServer.start(["key": "K", "secret": "S"], in: dir)
        defer { server.stop() }
        let http = HTTPClient()
        defer { http.shutdown() }
        let sender = try AWSRequestSender(
            http: http,
            configuration: AWSConfiguration(
                credentials: AWSCredentials(accessKeyId: "AKIDERR", secretAccessKey: "TOPSECRETERR"), region: "us-east-1",
                endpointURL: server.base),
            service: .lambda, retry: .none)
        func failure(_ path: String) async -> String {
            do {
                _ = try await sender.send(operation: "Op", method: "POST", path: path)
                return "no error"
            } catch {
                return "\(error)"
            }
        }
        #expect(await failure("/xml") == "Op failed: HTTP 403 AccessDenied: User is not authorized")
        #expect(await failure("/s3xml") == "Op failed: HTTP 403 SignatureDoesNotMatch: no match")
        #expect(await failure("/empty") == "Op failed: HTTP 403 Forbidden: empty response body")
        #expect(await failure("/html") == "Op failed: HTTP 403 Forbidden: 403 Forbidden")
        #expect(await failure("/json") == "Op failed: HTTP 400 ValidationException: bad")
        for path in ["/xml", "/empty", "/html"] { #expect(!(await failure(path)).contains("TOPSECRETERR")) }
    }
}
