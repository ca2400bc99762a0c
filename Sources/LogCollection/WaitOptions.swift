import RecordSchema

public struct WaitOptions: Sendable {
    public var timeoutS: Double
    public var pollIntervalS: Double
    public var requestsPerSecond: Double
    public var pageLimit: Int?
    public var filterPattern: String
    public var joinToleranceMs: Double
    /// Consecutive transient failures of one request before giving up.
    public var maxFailures: Int

    public init(
        timeoutS: Double = 600, pollIntervalS: Double = 5, requestsPerSecond: Double = 5, pageLimit: Int? = nil,
        filterPattern: String = LogFormat.auto.filterPattern, joinToleranceMs: Double = 2_000, maxFailures: Int = 5
    ) {
        self.timeoutS = timeoutS
        self.pollIntervalS = pollIntervalS
        self.requestsPerSecond = requestsPerSecond
        self.pageLimit = pageLimit
        self.filterPattern = filterPattern
        self.joinToleranceMs = joinToleranceMs
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
            LogWaitSummary(
                function: plans[k].function, logGroup: plans[k].logGroup, expected: plans[k].expected,
                found: joins[k].found, timedOut: joins[k].found < plans[k].expected,
                unmatched: joins[k].unmatched, unparseable: collectors[k].unparseable,
                waitedS: waitedS[k], apiCalls: apiCalls[k])
        }
    }
}
