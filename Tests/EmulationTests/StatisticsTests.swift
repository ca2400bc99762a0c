import Foundation
import TestSupport
import Testing

/// The emulator's own counts (`GET /rightsize/2026-12-01/stats`): calls in flight and their
/// peak, invocations, environments, and throttles counted apart.
@Suite("Statistics endpoint")
struct StatisticsTests {
    @Test func peakInFlightIsTheNumberOfConcurrentCalls() throws {
        let emulator = try LocalEmulator.start()
        let port = emulator.port
        let calls = 5
        let statuses = Statuses()
        let group = DispatchGroup()
        for _ in 0..<calls {
            group.enter()
            Thread {
                let r = try? RawHTTP.invoke("faas_sleep", #"{"ms": 4000}"#, port: port)
                statuses.add(r?.status ?? -1, nil, nil)
                group.leave()
            }.start()
        }
        // Each call holds its environment for 4 s: all five are in flight together.
        #expect(Wait.until(timeout: 60) { (try? Self.sleepStats(port: port))?["in_flight"] as? Int == calls })
        group.wait()
        #expect(statuses.values.allSatisfy { $0.0 == 200 })
        for _ in 0..<3 { _ = try RawHTTP.invoke("faas_sleep", #"{"ms": 1}"#, port: port) }
        let all = try Self.stats(port: port)
        let sleep = try Self.sleepStats(port: port)
        #expect(sleep["peak_in_flight"] as? Int == calls)
        #expect(sleep["in_flight"] as? Int == 0)
        #expect(sleep["invocations"] as? Int == calls + 3)
        #expect(sleep["environments_started"] as? Int == calls, "the later calls reused idle environments")
        #expect(sleep["environments_live"] as? Int == calls)
        #expect(sleep["throttled"] as? Int == 0)
        #expect(all["peak_in_flight"] as? Int == calls)
        #expect(all["concurrency_limit"] as? Int == 64)
        #expect(emulator.stop(keepState: true) == 0)
        defer { try? FileManager.default.removeItem(atPath: emulator.stateDirectory) }
        #expect(
            emulator.errors.contains("lambda-emulator: faas_sleep: peak in flight 5, invocations 8, throttled 0, environments started 5"))
    }

    @Test func throttledCallsAreCountedApartAndThePeakStaysAtTheLimit() throws {
        let emulator = try LocalEmulator.start(["--concurrency-limit", "2"])
        defer { emulator.stop() }
        let port = emulator.port
        let group = DispatchGroup()
        for _ in 0..<2 {
            group.enter()
            Thread {
                _ = try? RawHTTP.invoke("faas_sleep", #"{"ms": 4000}"#, port: port)
                group.leave()
            }.start()
        }
        #expect(Wait.until(timeout: 60) { (try? Self.stats(port: port))?["in_flight"] as? Int == 2 })
        var refused = 0
        for _ in 0..<3 where try RawHTTP.invoke("faas_sleep", #"{"ms": 1}"#, port: port).status == 429 { refused += 1 }
        group.wait()
        #expect(refused >= 1)
        let sleep = try Self.sleepStats(port: port)
        #expect(sleep["throttled"] as? Int == refused, "every 429 is counted, and nothing else")
        #expect(sleep["invocations"] as? Int == 2 + (3 - refused))
        #expect(sleep["peak_in_flight"] as? Int == 2)
    }

    @Test func endpointIsUnsignedJSONAndOnlyGet() throws {
        let emulator = try LocalEmulator.start()
        defer { emulator.stop() }
        let r = try RawHTTP.exchange("GET", "/rightsize/2026-12-01/stats", port: emulator.port, sign: nil)
        #expect(r.status == 200)
        #expect(r.header("Content-Type") == "application/json")
        let functions = r.json["functions"] as? [String: Any]
        #expect(Set(functions?.keys.map { $0 } ?? []) == ["faas_measure", "faas_sleep", "saaf_hello"])
        #expect(try RawHTTP.exchange("POST", "/rightsize/2026-12-01/stats", port: emulator.port, sign: nil).status == 405)
        #expect(try RawHTTP.exchange("GET", "/rightsize/2026-12-01/other", port: emulator.port, sign: nil).status == 404)
    }

    static func stats(port: Int) throws -> [String: Any] {
        try RawHTTP.exchange("GET", "/rightsize/2026-12-01/stats", port: port, sign: nil).json
    }

    static func sleepStats(port: Int) throws -> [String: Any] {
        (try stats(port: port)["functions"] as? [String: Any])?["faas_sleep"] as? [String: Any] ?? [:]
    }
}
