import JSON

/// First line of schedule/invocations/logs files: what run this is and how it was made.
///
/// plan writes it; every later stage copies it through (adding itself to `tools`), so
/// the report can show the workload and how to re-run it from the records alone.
public struct RunHeader: Hashable, Sendable {
    public var run: String
    public var seed: UInt64
    /// True when the workload's `random_seed` was null and plan picked `seed`.
    public var seedGenerated: Bool
    public var workloadSHA256: String
    /// The workload as written (compacted), so the run is reproducible from the records.
    public var workload: RawJSON
    /// Memory size of each phase, in order.
    public var memorySizes: [Int]
    /// Calls in the schedule.
    public var scheduled: Int
    /// "--compat faasprofiler" or "rightsize": which generator made the times.
    public var generator: String
    /// "<tool> <version>" of every stage the records went through.
    public var tools: [String]
    /// The trace files instances replay (docs/workload.md, "Traces"); empty when none, and
    /// then not written at all, so schedules without traces keep their bytes.
    public var traces: [TraceDigest]

    public init(
        run: String, seed: UInt64, seedGenerated: Bool, workloadSHA256: String, workload: RawJSON,
        memorySizes: [Int], scheduled: Int, generator: String, tools: [String], traces: [TraceDigest] = []
    ) {
        self.run = run
        self.seed = seed
        self.seedGenerated = seedGenerated
        self.workloadSHA256 = workloadSHA256
        self.workload = workload
        self.memorySizes = memorySizes
        self.scheduled = scheduled
        self.generator = generator
        self.tools = tools
        self.traces = traces
    }
}

/// One trace file an instance replays: which bytes the schedule came from, and the length of
/// its counting interval in run time (what the report bins calls by).
public struct TraceDigest: Hashable, Sendable {
    public var instance: String
    /// `cloudwatch`, `azure2019`, `azure2021` or `csv`.
    public var format: String
    /// The path as the workload gives it.
    public var file: String
    public var sha256: String
    /// Seconds of run time per trace interval (the period divided by `time_scale`); nil for
    /// traces of single timestamps.
    public var intervalS: Double?

    public init(instance: String, format: String, file: String, sha256: String, intervalS: Double?) {
        self.instance = instance
        self.format = format
        self.file = file
        self.sha256 = sha256
        self.intervalS = intervalS
    }
}

/// Last line invoke writes: totals, and whether the run was interrupted.
public struct InvokeSummary: Hashable, Sendable {
    public var scheduled: Int
    public var sent: Int
    public var notSent: Int
    /// Ctrl-C or SIGTERM stopped the run early; calls after it are `not_sent`.
    public var interrupted: Bool
    public var startedUnixMs: Double
    public var endedUnixMs: Double
    /// Count per error kind (CallError raw values) and "ok".
    public var outcomes: [String: Int]
    /// A sharded run (`invoke --shard I/N`): the shard that wrote this file, or, after
    /// merge-shards, every shard merged (empty for a run in one process).
    public var shards: [ShardInfo] = []

    public init(
        scheduled: Int, sent: Int, notSent: Int, interrupted: Bool, startedUnixMs: Double,
        endedUnixMs: Double, outcomes: [String: Int]
    ) {
        self.scheduled = scheduled
        self.sent = sent
        self.notSent = notSent
        self.interrupted = interrupted
        self.startedUnixMs = startedUnixMs
        self.endedUnixMs = endedUnixMs
        self.outcomes = outcomes
    }
}

/// One shard of a sharded run: who sent which part, when.
public struct ShardInfo: Hashable, Sendable {
    public var index: Int
    public var count: Int
    /// The host name the shard ran on.
    public var host: String
    /// The common start every shard was given (--start-at), Unix ms.
    public var startAtUnixMs: Double
    public var scheduled: Int
    public var sent: Int

    public init(index: Int, count: Int, host: String, startAtUnixMs: Double, scheduled: Int, sent: Int) {
        self.index = index
        self.count = count
        self.host = host
        self.startAtUnixMs = startAtUnixMs
        self.scheduled = scheduled
        self.sent = sent
    }
}

/// One per function in logs.ndjson: how the wait for REPORT lines ended (fit copies
/// them into models.json, hence Codable, with the same keys).
public struct LogWaitSummary: Codable, Hashable, Sendable {
    public var function: String
    public var logGroup: String
    public var expected: Int
    public var found: Int
    public var timedOut: Bool
    /// REPORT lines in the window that matched no invocation (other traffic).
    public var unmatched: Int
    /// Lines that looked like REPORT lines but could not be parsed.
    public var unparseable: Int
    public var waitedS: Double
    /// FilterLogEvents requests made for this function.
    public var apiCalls: Int

    public init(
        function: String, logGroup: String, expected: Int, found: Int, timedOut: Bool, unmatched: Int,
        unparseable: Int, waitedS: Double, apiCalls: Int
    ) {
        self.function = function
        self.logGroup = logGroup
        self.expected = expected
        self.found = found
        self.timedOut = timedOut
        self.unmatched = unmatched
        self.unparseable = unparseable
        self.waitedS = waitedS
        self.apiCalls = apiCalls
    }

    enum CodingKeys: String, CodingKey {
        case function, expected, found, unmatched, unparseable
        case logGroup = "log_group"
        case timedOut = "timed_out"
        case waitedS = "waited_s"
        case apiCalls = "api_calls"
    }
}
