import Foundation
import TestSupport
import Testing

#if canImport(Glibc)
import Glibc
#endif

@Suite("Robustness")
struct RobustnessTests {
    func stillServes(_ emulator: LocalEmulator) throws -> Bool {
        try RawHTTP.exchange("GET", "/2015-03-31/functions/faas_sleep/configuration", port: emulator.port).status == 200
    }

    @Test func malformedHTTPGetsA400AndTheServerKeepsServing() throws {
        let emulator = try LocalEmulator.start()
        defer { emulator.stop() }
        for garbage in [
            "GARBAGE\r\n\r\n", "GET / HTTP/9.9\r\n\r\n", "POST /x HTTP/1.1\r\nContent-Length: nope\r\n\r\n", "\u{01}\u{02}\u{03}\r\n\r\n",
        ] {
            let client = try RawHTTP(port: emulator.port)
            try client.send(Array(garbage.utf8))
            let r = try client.readResponse()
            #expect(r.status == 400, "\(garbage.debugDescription)")
        }
        #expect(try stillServes(emulator))
    }

    @Test func payloadOver6MBIs413() throws {
        let emulator = try LocalEmulator.start()
        defer { emulator.stop() }
        let big = "{\"x\":\"" + String(repeating: "a", count: 6_300_000) + "\"}"
        let r = try RawHTTP.invoke("faas_measure", big, port: emulator.port)
        #expect(r.status == 413)
        #expect(r.header("x-amzn-ErrorType") == "RequestEntityTooLargeException")
        #expect(try stillServes(emulator))
    }

    @Test func deeplyNestedJSONIsRefusedNotACrash() throws {
        let emulator = try LocalEmulator.start()
        defer { emulator.stop() }
        let deep = String(repeating: "[", count: 1_000_000) + String(repeating: "]", count: 1_000_000)
        let r = try RawHTTP.invoke("faas_measure", deep, port: emulator.port)
        #expect(r.status == 400)
        #expect(r.header("x-amzn-ErrorType") == "InvalidRequestContentException")
        let logs = try RawHTTP.logs("FilterLogEvents", #"{"logGroupName":"/aws/lambda/faas_sleep","x":"# + deep + "}", port: emulator.port)
        #expect(logs.json["__type"] as? String == "SerializationException")
        #expect(try stillServes(emulator))
    }

    @Test func unknownRoutesGetAWSErrors() throws {
        let emulator = try LocalEmulator.start()
        defer { emulator.stop() }
        #expect(try RawHTTP.exchange("GET", "/", port: emulator.port).status == 403)
        // (DELETE of the function itself is DeleteFunction.)
        #expect(try RawHTTP.exchange("DELETE", "/2015-03-31/functions/faas_sleep/configuration", port: emulator.port).status == 404)
        #expect(
            try RawHTTP.exchange("GET", "/a/b/c", port: emulator.port, sign: nil).json["message"] as? String
                == "Missing Authentication Token")
    }

    @Test func thousandConcurrentConnectionsAllGetAnswers() throws {
        var limit = rlimit()
        getrlimit(__rlimit_resource_t(RLIMIT_NOFILE.rawValue), &limit)
        limit.rlim_cur = max(limit.rlim_cur, min(limit.rlim_max, 4096))
        setrlimit(__rlimit_resource_t(RLIMIT_NOFILE.rawValue), &limit)
        let emulator = try LocalEmulator.start(["--no-auth"])
        defer { emulator.stop() }
        // Open all connections first, then send on each, then read every answer.
        var clients: [RawHTTP] = []
        for _ in 0..<1000 { clients.append(try RawHTTP(port: emulator.port)) }
        for (i, c) in clients.enumerated() {
            let path = i % 2 == 0 ? "/2015-03-31/functions/faas_sleep/configuration" : "/2015-03-31/functions/missing/configuration"
            try c.send(RawHTTP.request("GET", path, port: emulator.port))
        }
        var ok = 0
        var notFound = 0
        for c in clients {
            let r = try c.readResponse()
            if r.status == 200 { ok += 1 } else if r.status == 404 { notFound += 1 }
        }
        #expect(ok == 500 && notFound == 500)
        #expect(try stillServes(emulator))
    }

    @Test func thousandConcurrentInvocationsAreRunOrThrottled() throws {
        var limit = rlimit()
        getrlimit(__rlimit_resource_t(RLIMIT_NOFILE.rawValue), &limit)
        limit.rlim_cur = max(limit.rlim_cur, min(limit.rlim_max, 4096))
        setrlimit(__rlimit_resource_t(RLIMIT_NOFILE.rawValue), &limit)
        let emulator = try LocalEmulator.start(["--no-auth", "--concurrency-limit", "4"])
        defer { emulator.stop() }
        var clients: [RawHTTP] = []
        for _ in 0..<1000 { clients.append(try RawHTTP(port: emulator.port)) }
        for c in clients {
            try c.send(
                RawHTTP.request(
                    "POST", "/2015-03-31/functions/faas_sleep/invocations", port: emulator.port,
                    body: Array(#"{"ms": 300}"#.utf8)))
        }
        var ran = 0
        var throttled = 0
        for c in clients {
            let r = try c.readResponse()
            if r.status == 200 { ran += 1 }
            if r.status == 429 && r.header("x-amzn-ErrorType") == "TooManyRequestsException" { throttled += 1 }
        }
        #expect(ran + throttled == 1000)
        #expect(ran >= 4)
        #expect(emulator.workerPids.count <= 4)
        #expect(try stillServes(emulator))
    }
}
