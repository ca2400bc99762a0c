import Records

/// One FilterLogEvents request.
public struct FilterRequest: Hashable, Sendable {
    public var logGroup: String
    public var startTimeMs: Int64
    public var endTimeMs: Int64
    public var filterPattern: String?
    public var nextToken: String?
    public var limit: Int?
}

/// Thrown by a page source when the service answered ThrottlingException.
public struct ThrottledError: Error, Sendable {
    public init() {}
}

/// Thrown by a page source for a failure worth retrying (no response, 5xx); anything else it
/// throws ends the wait at once (bad credentials, a rejected filter pattern...).
public struct TransientError: Error, Sendable, CustomStringConvertible {
    public var underlying: any Error & Sendable
    public init(_ underlying: any Error & Sendable) { self.underlying = underlying }
    public var description: String { "\(underlying)" }
}

/// The log format to filter for (DESIGN.md §4).
public enum LogFormat: String, Sendable, CaseIterable {
    /// Text REPORT lines, JSON `platform.report` events, or both (one pattern matches either).
    case auto, text, json

    /// Term patterns: `?a ?b` matches events containing a or b. "Task timed out" lines mark
    /// timeouts in logs older than the `Status:` field.
    public var filterPattern: String {
        switch self {
        case .auto: return "?REPORT ?\"platform.report\" ?\"Task timed out\""
        case .text: return "?REPORT ?\"Task timed out\""
        case .json: return "{ $.type = \"platform.report\" }"
        }
    }
}

public struct WaitOptions: Sendable {
    public var timeoutS: Double
    public var pollIntervalS: Double
    public var requestsPerSecond: Double
    public var pageLimit: Int?
    public var filterPattern: String
    public var joinToleranceMs: Double
    /// Consecutive transient failures of one request before giving up.
    public var maxFailures: Int

    public init(timeoutS: Double = 600, pollIntervalS: Double = 5, requestsPerSecond: Double = 5, pageLimit: Int? = nil,
                filterPattern: String = LogFormat.auto.filterPattern, joinToleranceMs: Double = 2_000, maxFailures: Int = 5) {
        self.timeoutS = timeoutS; self.pollIntervalS = pollIntervalS; self.requestsPerSecond = requestsPerSecond
        self.pageLimit = pageLimit; self.filterPattern = filterPattern; self.joinToleranceMs = joinToleranceMs
        self.maxFailures = maxFailures
    }
}

/// Progress of one function, for the terminal display.
public struct FunctionProgress: Sendable {
    public var function: String
    public var expected: Int
    public var found: Int
}

/// How the wait ended, per function (same order as the plans).
public struct WaitOutcome: Sendable {
    public var collectors: [ReportCollector]
    public var joins: [JoinResult]
    public var apiCalls: [Int]
    /// Seconds from the start until the function was complete (or until the wait ended).
    public var waitedS: [Double]
    public var throttles: Int
    /// Polling passes made (each ends with a page without nextToken, unless cut by the timeout).
    public var passes: Int
    /// Most events in one page: the effective page size (responses are also capped at 1 MB).
    public var largestPage = 0
    public var timedOut: Bool

    public func summaries(_ plans: [FunctionPlan]) -> [LogWaitSummary] {
        plans.indices.map { k in
            LogWaitSummary(function: plans[k].function, logGroup: plans[k].logGroup, expected: plans[k].expected,
                           found: joins[k].found, timedOut: joins[k].found < plans[k].expected,
                           unmatched: joins[k].unmatched, unparseable: collectors[k].unparseable,
                           waitedS: waitedS[k], apiCalls: apiCalls[k])
        }
    }
}

/// Polls FilterLogEvents until every expected REPORT line is found or the timeout passes.
///
/// Each pass reads, for every function still incomplete, the window of its missing invocations
/// to the end of the pagination (an empty page with a token is not the end). All requests share
/// one token bucket; ThrottlingException is retried with backoff. Passes start at most every
/// poll interval, so a line is picked up within about one interval of becoming visible.
public struct LogWaiter {
    public typealias FetchPage = (FilterRequest) async throws -> FilterLogEventsPage

    public static func wait(_ plans: [FunctionPlan], options: WaitOptions, fetch: FetchPage,
                            progress: (([FunctionProgress], Double) -> Void)? = nil) async throws -> WaitOutcome {
        let clock = ContinuousClock()
        let start = clock.now
        func elapsed() -> Double {
            let d = clock.now - start
            return Double(d.components.seconds) + Double(d.components.attoseconds) * 1e-18
        }
        func sleep(_ seconds: Double) async throws {
            if seconds > 0 { try await Task.sleep(for: .milliseconds(Int64((seconds * 1000).rounded(.up)))) }
        }
        var outcome = WaitOutcome(collectors: plans.map { _ in ReportCollector() },
                                  joins: plans.map { LogJoiner.join($0, ReportCollector()) },
                                  apiCalls: plans.map { _ in 0 }, waitedS: plans.map { _ in 0 },
                                  throttles: 0, passes: 0, timedOut: false)
        var bucket = TokenBucket(rate: options.requestsPerSecond)
        // Events per page when pages are cut by size before the limit (1 MB): sizes the windows.
        var cappedPage: Int?
        var backoff = Backoff()
        // Found so far, for the display: the last join, or during a pass the request ids ticked off.
        var shown = outcome.joins.map(\.found)
        func report() {
            progress?(plans.indices.map { FunctionProgress(function: plans[$0].function, expected: plans[$0].expected,
                                                           found: shown[$0]) }, elapsed())
        }
        func complete(_ k: Int) -> Bool { outcome.joins[k].found >= plans[k].expected }

        passes: while true {
            let passStart = elapsed()
            outcome.passes += 1
            for k in plans.indices where !complete(k) {
                let seen = outcome.collectors[k].reports.values.map(\.timestampMs).sorted()
                // Every 4th pass sweeps with the blind margin, in case the platform's clock jumped.
                let offsets = outcome.passes % 4 == 0 ? nil : FunctionPlan.Offsets.observed(outcome.joins[k])
                let windows = plans[k].windows(missing: outcome.joins[k].missing, offsets: offsets,
                                               seen: seen, pageSize: cappedPage ?? options.pageLimit ?? 10_000)
                // Request ids still missing: when all are in, the rest of the pass is other traffic.
                var remaining = plans[k].timeJoined.isEmpty
                    ? Set(outcome.joins[k].missing.compactMap { plans[k].invocations[$0].requestId }) : nil
                windows: for window in windows {
                    var request = FilterRequest(logGroup: plans[k].logGroup,
                                                startTimeMs: Int64(window.startMs.rounded(.down)),
                                                endTimeMs: Int64(window.endMs.rounded(.up)),
                                                filterPattern: options.filterPattern.isEmpty ? nil : options.filterPattern,
                                                nextToken: nil, limit: options.pageLimit)
                    var failures = 0
                    // `continue` retries the same page; only a page without nextToken ends the window.
                    while true {
                        let wait = bucket.take(nowS: elapsed())
                        if elapsed() + wait >= options.timeoutS { outcome.timedOut = true; break passes }
                        try await sleep(wait)
                        let page: FilterLogEventsPage
                        do {
                            outcome.apiCalls[k] += 1
                            page = try await fetch(request)
                        } catch is ThrottledError {
                            outcome.throttles += 1
                            bucket.drain(nowS: elapsed())
                            try await sleep(min(backoff.next(), max(0, options.timeoutS - elapsed())))
                            continue
                        } catch let e as TransientError {
                            failures += 1
                            if failures >= options.maxFailures { throw e.underlying }
                            try await sleep(min(backoff.next(), max(0, options.timeoutS - elapsed())))
                            continue
                        }
                        backoff.reset()
                        failures = 0
                        outcome.largestPage = max(outcome.largestPage, page.events.count)
                        for event in page.events {
                            if case .report(let r)? = outcome.collectors[k].add(event) { remaining?.remove(r.requestId) }
                        }
                        if !page.events.isEmpty {
                            if let remaining { shown[k] = plans[k].expected - remaining.count }
                            report()
                        }
                        if page.nextToken != nil, page.events.count < (options.pageLimit ?? 10_000) {
                            cappedPage = max(cappedPage ?? 0, page.events.count)  // the 1 MB cap, not the limit
                        }
                        if remaining?.isEmpty == true { break windows }
                        guard let token = page.nextToken else { break }
                        request.nextToken = token
                    }
                }
                outcome.joins[k] = LogJoiner.join(plans[k], outcome.collectors[k], toleranceMs: options.joinToleranceMs)
                outcome.waitedS[k] = elapsed()
                shown[k] = outcome.joins[k].found
                report()
            }
            if plans.indices.allSatisfy(complete) { break }
            // Next pass one interval after this one started; a last one just before the deadline.
            if elapsed() >= options.timeoutS - 0.05 { outcome.timedOut = true; break }
            try await sleep(min(passStart + options.pollIntervalS, options.timeoutS - 0.05) - elapsed())
        }
        // Functions cut short mid-pass still get their join of what was read.
        for k in plans.indices where !complete(k) {
            outcome.joins[k] = LogJoiner.join(plans[k], outcome.collectors[k], toleranceMs: options.joinToleranceMs)
            outcome.waitedS[k] = elapsed()
        }
        report()
        return outcome
    }
}
