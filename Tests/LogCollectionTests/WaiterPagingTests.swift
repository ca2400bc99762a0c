import TestSupport
import Testing

@testable import LogCollection

/// The waiter's paging rules against scripted service answers (CloudWatch behaviours the
/// emulator does not produce: empty pages that still carry a token, throttling the first page).
@Suite struct WaiterPagingTests {
    /// Answers requests from a script; records what was asked.
    final class ScriptedService: @unchecked Sendable {  // used from the single waiting task only
        var answers: [Result<FilterLogEventsPage, Error>]
        var requests: [FilterRequest] = []
        init(_ answers: [Result<FilterLogEventsPage, Error>]) { self.answers = answers }
        func fetch(_ r: FilterRequest) async throws -> FilterLogEventsPage {
            requests.append(r)
            guard !answers.isEmpty else { return FilterLogEventsPage(events: [], nextToken: nil) }
            return try answers.removeFirst().get()
        }
    }

    static func event(_ id: String, _ n: Int) -> LogEvent {
        LogEvent(eventId: "e\(n)", logStream: "s", timestampMs: 1_000 + Double(n), message: Make.reportLine(id))
    }

    @Test func anEmptyPageWithATokenIsNotTheEnd() async throws {
        let plan = WaitPlanner.plan(
            [
                Make.lambda(seq: 0, function: "f", requestId: "r0", sentMs: 1_000),
                Make.lambda(seq: 1, function: "f", requestId: "r1", sentMs: 1_000),
            ], marginMs: 0)
        let service = ScriptedService([
            .failure(ThrottledError()),  // the very first page: retried
            .success(FilterLogEventsPage(events: [Self.event("r0", 0)], nextToken: "t1")),
            .success(FilterLogEventsPage(events: [], nextToken: "t2")),  // empty, but more to come
            .success(FilterLogEventsPage(events: [Self.event("r0", 0), Self.event("r1", 1)], nextToken: "t3")),
        ])
        // The timeout is a ceiling only: other suites may hold the cooperative threads.
        let outcome = try await LogWaiter.wait(
            plan, options: WaitOptions(timeoutS: 300, pollIntervalS: 0.1, requestsPerSecond: 100),
            fetch: service.fetch)
        #expect(!outcome.timedOut && outcome.joins[0].found == 2)
        #expect(outcome.throttles == 1 && outcome.apiCalls == [4])
        #expect(service.requests.map(\.nextToken) == [nil, nil, "t1", "t2"])
        #expect(outcome.collectors[0].duplicateEvents == 1)
        // Every request of a pass carries the same window and the filter pattern.
        #expect(Set(service.requests.map { "\($0.startTimeMs)-\($0.endTimeMs)-\($0.filterPattern ?? "")" }).count == 1)
    }

    @Test func persistentFailureEndsTheWaitAndOthersFailAtOnce() async throws {
        struct Boom: Error {}
        let plan = WaitPlanner.plan([Make.lambda(seq: 0, function: "f", requestId: "r0", sentMs: 1_000)], marginMs: 0)
        let flaky = ScriptedService(Array(repeating: .failure(TransientError(Boom())), count: 5))
        await #expect(throws: Boom.self) {
            _ = try await LogWaiter.wait(
                plan, options: WaitOptions(timeoutS: 300, requestsPerSecond: 100, maxFailures: 3), fetch: flaky.fetch)
        }
        #expect(flaky.requests.count == 3)
        let rejected = ScriptedService([.failure(Boom())])
        await #expect(throws: Boom.self) {
            _ = try await LogWaiter.wait(plan, options: WaitOptions(timeoutS: 300, requestsPerSecond: 100), fetch: rejected.fetch)
        }
        #expect(rejected.requests.count == 1)
    }
}
