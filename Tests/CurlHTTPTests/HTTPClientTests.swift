import Clocks
import CurlHTTP
import Foundation
import TestSupport
import Testing

@Suite(.serialized)
struct HTTPClientTests {
    func json(_ response: HTTPResponse?) -> [String: Any] {
        guard let response else { return [:] }
        return (try? JSONSerialization.jsonObject(with: Data(response.body))) as? [String: Any] ?? [:]
    }

    @Test func postSendsBodyAndHeadersAsGiven() async throws {
        let server = try LocalServer()
        defer { server.stop() }
        let client = HTTPClient()
        let body = Array(#"{"cmds":{"sleep":1},"ü":"x"}"#.utf8)
        let outcome = await client.send(
            HTTPRequest(
                method: "POST", url: server.base + "/echo?a=1",
                headers: [("X-Custom", "v1"), ("Content-Type", "application/json")],
                body: body))
        let response = try #require(outcome.response)
        #expect(response.status == 200)
        #expect(response.header("x-amzn-requestid")?.hasPrefix("req-") == true)
        let echo = json(response)
        #expect(echo["method"] as? String == "POST")
        #expect(echo["path"] as? String == "/echo?a=1")
        #expect(echo["body"] as? String == String(decoding: body, as: UTF8.self))
        let headers = echo["headers"] as? [String: String] ?? [:]
        #expect(headers["x-custom"] == "v1")
        #expect(headers["content-type"] == "application/json")
        #expect(headers["expect"] == nil)
        #expect(outcome.startedNanos != nil && outcome.finishedNanos >= outcome.startedNanos!)
    }

    @Test func methodsAndEmptyBodies() async throws {
        let server = try LocalServer()
        defer { server.stop() }
        let client = HTTPClient()
        for method in ["GET", "PUT", "DELETE", "POST"] {
            let body: [UInt8] = method == "PUT" ? Array(#"{"MemorySize":512}"#.utf8) : []
            let echo = json(await client.send(HTTPRequest(method: method, url: server.base + "/echo", body: body)).response)
            #expect(echo["method"] as? String == method)
            #expect(echo["body"] as? String == String(decoding: body, as: UTF8.self))
            let headers = echo["headers"] as? [String: String] ?? [:]
            #expect(headers["content-type"] == nil, "libcurl must not label bodies as forms")
        }
    }

    @Test func sequentialRequestsReuseOneConnection() async throws {
        let server = try LocalServer()
        defer { server.stop() }
        let client = HTTPClient()
        for _ in 0..<20 {
            #expect(await client.send(HTTPRequest(method: "GET", url: server.base + "/echo")).response?.status == 200)
        }
        let count = await client.send(HTTPRequest(method: "GET", url: server.base + "/connections")).response?.bodyText
        #expect(count == "1")
    }

    @Test func manyRequestsInFlightAtOnce() async throws {
        let server = try LocalServer()
        defer { server.stop() }
        let client = HTTPClient()
        let start = Date()
        let statuses = await withTaskGroup(of: Int.self) { group in
            for _ in 0..<40 {
                group.addTask { await client.send(HTTPRequest(method: "GET", url: server.base + "/sleep/1000")).response?.status ?? 0 }
            }
            return await group.reduce(into: [Int]()) { $0.append($1) }
        }
        #expect(statuses == Array(repeating: 200, count: 40))
        // One after the other would take 40 s; a loaded machine still overlaps them well under 15 s.
        #expect(Date().timeIntervalSince(start) < 15.0, "40 x 1 s requests must overlap")
    }

    @Test func timeoutAndTransportErrors() async throws {
        let server = try LocalServer()
        defer { server.stop() }
        let client = HTTPClient()
        let slow = await client.send(HTTPRequest(method: "GET", url: server.base + "/sleep/3000", timeout: 0.2))
        #expect(slow.error?.kind == .timeout)
        let refused = await client.send(HTTPRequest(method: "GET", url: "http://127.0.0.1:1/"))
        #expect(refused.error?.kind == .transport)
        #expect(refused.error?.message.isEmpty == false)
        let badScheme = await client.send(HTTPRequest(method: "GET", url: "ftp://127.0.0.1/"))
        #expect(badScheme.error?.kind == .transport)
    }

    /// Never before the due time. (How soon after it depends on the machine's load: the start
    /// lag is bounded by AcceptanceTests and measured by rightsize-bench invoke.)
    @Test func startsNoEarlierThanTheDueTime() async throws {
        let server = try LocalServer()
        defer { server.stop() }
        let client = HTTPClient()
        _ = await client.send(HTTPRequest(method: "GET", url: server.base + "/echo"))  // warm the connection
        for k in 1...10 {
            let due = MonotonicClock.nanoseconds() + UInt64(20_000_000 + k * 1_000_000)
            let outcome: HTTPOutcome = await withCheckedContinuation { c in
                client.submit(HTTPRequest(method: "GET", url: server.base + "/echo"), due: due) { c.resume(returning: $0) }
            }
            let started = try #require(outcome.startedNanos)
            #expect(started >= due)
            #expect(outcome.response?.status == 200)
        }
    }

    @Test func cancellingScheduledAndInFlightRequests() async throws {
        let server = try LocalServer()
        defer { server.stop() }
        let client = HTTPClient()
        // Submitted here, in order, so both are queued before anything is cancelled.
        let (later, laterDone) = AsyncStream.makeStream(of: HTTPOutcome.self)
        client.submit(
            HTTPRequest(method: "GET", url: server.base + "/echo"),
            due: MonotonicClock.nanoseconds() + 10_000_000_000
        ) {
            laterDone.yield($0)
            laterDone.finish()
        }
        let (slow, slowDone) = AsyncStream.makeStream(of: HTTPOutcome.self)
        client.submit(HTTPRequest(method: "GET", url: server.base + "/sleep/5000")) {
            slowDone.yield($0)
            slowDone.finish()
        }
        // In flight: the server is answering it (asked on a connection of another client).
        let probe = HTTPClient()
        let inFlight = await Wait.until(timeout: 30) {
            await probe.send(HTTPRequest(method: "GET", url: server.base + "/sleeping")).response?.bodyText == "1"
        }
        try #require(inFlight, "the slow request never reached the server")
        client.cancelScheduled()
        #expect(await later.first { _ in true }?.error?.kind == .notStarted)
        client.cancelAll()
        #expect(await slow.first { _ in true }?.error?.kind == .cancelled)
        client.shutdown()
        let after = await client.send(HTTPRequest(method: "GET", url: server.base + "/echo"))
        #expect(after.error?.kind == .notStarted)
    }

    @Test func tlsPeersAreVerified() async throws {
        let dir = try TemporaryDirectory("tls")
        defer { dir.remove() }
        let openssl = Process()
        openssl.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        openssl.arguments = [
            "openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-subj", "/CN=127.0.0.1",
            "-keyout", dir.file("key.pem"), "-out", dir.file("cert.pem"),
        ]
        openssl.standardError = FileHandle.nullDevice
        openssl.standardOutput = FileHandle.nullDevice
        try openssl.run()
        try #require(await Wait.until(timeout: 60) { !openssl.isRunning }, "openssl req did not finish")
        try #require(openssl.terminationStatus == 0)
        let server = try LocalServer(tls: (dir.file("cert.pem"), dir.file("key.pem")))
        defer { server.stop() }
        let client = HTTPClient()
        // A self-signed certificate is not trusted: the request fails before anything is sent.
        let outcome = await client.send(HTTPRequest(method: "GET", url: "https://127.0.0.1:\(server.port)/echo"))
        let error = try #require(outcome.error)
        #expect(error.kind == .transport)
        #expect(error.message.lowercased().contains("certificate"))
    }

    @Test func lastReferenceDroppedOnTheLoopThreadDoesNotDeadlock() async throws {
        let server = try LocalServer()
        defer { server.stop() }
        let (status, loopThread): (Int, String?) = await withCheckedContinuation { continuation in
            var client: HTTPClient? = HTTPClient()
            // The completion holds the only reference once `client` is cleared: the client is
            // released (and shut down) on its own loop thread.
            let held = client!
            held.submit(HTTPRequest(method: "GET", url: server.base + "/echo")) { outcome in
                _ = held
                // "<pid>/task/<tid>": the loop thread, which runs completions.
                let thread = try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/thread-self")
                continuation.resume(returning: (outcome.response?.status ?? 0, thread))
            }
            client = nil
            _ = client
        }
        #expect(status == 200)
        // Not deadlocked: once the completion returns, the loop thread shuts down and exits.
        let thread = try #require(loopThread.map { "/proc/" + $0 })
        #expect(await Wait.until(timeout: 30) { !FileManager.default.fileExists(atPath: thread) }, "the loop thread \(thread) did not exit")
    }
}
