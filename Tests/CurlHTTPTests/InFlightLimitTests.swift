import Clocks
import CurlHTTP
import Foundation
import TestSupport
import Testing

/// `maxInFlight`: due requests past the limit wait for a slot (in due order) instead of
/// opening more connections, and the client counts how many waited.
@Suite(.serialized)
struct InFlightLimitTests {
    @Test func requestsPastTheLimitWaitForASlotOnTheSameConnections() async throws {
        let server = try LocalServer()
        defer { server.stop() }
        let client = HTTPClient(maxInFlight: 3)
        let now = MonotonicClock.nanoseconds()
        let batch = (0..<12).map { _ in (request: HTTPRequest(method: "GET", url: server.base + "/sleep/100"), due: Optional(now)) }
        let outcomes = Outcomes()
        await withCheckedContinuation { (done: CheckedContinuation<Void, Never>) in
            client.submit(batch) { k, outcome in
                if outcomes.add(k, outcome) == batch.count { done.resume() }
            }
        }
        #expect(outcomes.all.allSatisfy { $0.response?.status == 200 })
        #expect(client.requestsHeldForSlot == 9, "all due at once: 3 start, 9 wait")
        // The waiting ones started only as earlier ones ended: never more than 3 at a time.
        let spans = outcomes.all.map { ($0.startedNanos!, $0.finishedNanos) }.sorted { $0.0 < $1.0 }
        for (start, _) in spans {
            let overlapping = spans.filter { $0.0 <= start && $0.1 > start }.count
            #expect(overlapping <= 3)
        }
        let probe = HTTPClient()
        let connections = try #require(await probe.send(HTTPRequest(method: "GET", url: server.base + "/connections")).response)
        #expect(
            Int(connections.bodyText.trimmingCharacters(in: .whitespacesAndNewlines)).map { $0 <= 4 } == true, "\(connections.bodyText)")
    }

    final class Outcomes: @unchecked Sendable {
        // @unchecked: every access is under the lock.
        private let lock = NSLock()
        private var values: [Int: HTTPOutcome] = [:]
        func add(_ k: Int, _ outcome: HTTPOutcome) -> Int {
            lock.lock()
            defer { lock.unlock() }
            values[k] = outcome
            return values.count
        }
        var all: [HTTPOutcome] {
            lock.lock()
            defer { lock.unlock() }
            return Array(values.values)
        }
    }
}
