import AWS
import Clocks
import RecordSchema

/// Polls FilterLogEvents until every expected REPORT line is found or the timeout passes.
///
/// Each pass reads, for every function still incomplete, the window of its missing invocations
/// to the end of the pagination (an empty page with a token is not the end). All requests share
/// one token bucket; ThrottlingException is retried with backoff. Passes start at most every
/// poll interval, so a line is picked up within about one interval of becoming visible.
public struct LogWaiter {
    public typealias FetchPage = (FilterRequest) async throws -> FilterLogEventsPage

    public static func wait(
        _ plans: [FunctionPlan], options: WaitOptions, fetch: FetchPage,
        progress: (([FunctionProgress], Double) -> Void)? = nil
    ) async throws -> WaitOutcome {
        let clock = ContinuousClock()
        let start = clock.now
        func elapsed() -> Double {
            let d = clock.now - start
            return Double(d.components.seconds) + Double(d.components.attoseconds) * 1e-18
        }
        func sleep(_ seconds: Double) async throws {
            if seconds > 0 { try await Task.sleep(for: .milliseconds(Int64((seconds * 1000).rounded(.up)))) }
        }
        var outcome = WaitOutcome(
            collectors: plans.map { _ in ReportCollector() },
            joins: plans.map { LogJoiner.join($0, ReportCollector()) },
            apiCalls: plans.map { _ in 0 }, waitedS: plans.map { _ in 0 },
            throttles: 0, passes: 0, timedOut: false)
        var bucket = TokenBucket(rate: options.requestsPerSecond)
        // Events per page when pages are cut by size before the limit (1 MB): sizes the windows.
        var cappedPage: Int?
        var backoff = Backoff(baseS: 0.2, maxS: 5)
        // Found so far, for the display: the last join, or during a pass the request ids ticked off.
        var shown = outcome.joins.map(\.found)
        func report() {
            progress?(
                plans.indices.map {
                    FunctionProgress(
                        function: plans[$0].function, expected: plans[$0].expected,
                        found: shown[$0])
                }, elapsed())
        }
        func complete(_ k: Int) -> Bool { outcome.joins[k].found >= plans[k].expected }

        passes: while true {
            let passStart = elapsed()
            outcome.passes += 1
            for k in plans.indices where !complete(k) {
                let seen = outcome.collectors[k].reports.values.map(\.timestampMs).sorted()
                // Every 4th pass sweeps with the blind margin, in case the platform's clock jumped.
                let offsets = outcome.passes % 4 == 0 ? nil : FunctionPlan.Offsets.observed(outcome.joins[k])
                let windows = plans[k].windows(
                    missing: outcome.joins[k].missing, offsets: offsets,
                    seen: seen, pageSize: cappedPage ?? options.pageLimit ?? 10_000)
                // Request ids still missing: when all are in, the rest of the pass is other traffic.
                var remaining =
                    plans[k].timeJoined.isEmpty
                    ? Set(outcome.joins[k].missing.compactMap { plans[k].invocations[$0].requestId }) : nil
                windows: for window in windows {
                    var request = FilterRequest(
                        logGroup: plans[k].logGroup,
                        startTimeMs: Int64(window.startMs.rounded(.down)),
                        endTimeMs: Int64(window.endMs.rounded(.up)),
                        filterPattern: options.filterPattern.isEmpty ? nil : options.filterPattern,
                        nextToken: nil, limit: options.pageLimit)
                    var failures = 0
                    // `continue` retries the same page; only a page without nextToken ends the window.
                    while true {
                        let wait = bucket.take(nowS: elapsed())
                        if elapsed() + wait >= options.timeoutS {
                            outcome.timedOut = true
                            break passes
                        }
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
            if elapsed() >= options.timeoutS - 0.05 {
                outcome.timedOut = true
                break
            }
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
