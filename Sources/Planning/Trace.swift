import JSON

/// An instance's arrivals taken from recorded traffic instead of a distribution
/// (docs/workload.md, "Traces"): which file, which part of it, and how it is scaled.
///
/// Built by `WorkloadParser`, which reads the whole trace once to validate it, so every
/// later pass (the counting pass, one per phase) meets a file known to be good.
public struct Trace: Sendable, Equatable {
    public enum Format: String, Sendable, CaseIterable {
        /// `aws cloudwatch get-metric-data` or `get-metric-statistics` output (Invocations, Sum).
        case cloudwatch
        /// Azure Functions 2019: `invocations_per_function_md.anon.dNN.csv`, counts per minute.
        case azure2019
        /// Azure Functions 2021: one row per invocation, `app,func,end_timestamp,duration`.
        case azure2021
        /// A plain CSV: one time per row, or `time,count` rows.
        case csv
    }

    /// Where the calls of one counting interval go inside it.
    public enum Placement: String, Sendable, CaseIterable {
        /// Exactly the interval's (thinned) count, at independent uniform times: the arrivals
        /// of a Poisson process given its count.
        case poisson
        /// Evenly spaced: call j of k at start + (j + 0.5) x length / k.
        case even
    }

    public var format: Format
    /// The path as the workload gives it (recorded in the run header).
    public var file: String
    /// SHA-256 of the trace file's bytes.
    public var sha256: String
    /// Trace seconds per run second: 60 plays an hour of trace in a minute.
    public var timeScale: Double
    /// The fraction of calls kept (0 < r <= 1), by seeded thinning.
    public var rateScale: Double
    public var placement: Placement
    /// The part of the trace replayed, in seconds from the trace's origin: start <= t < end.
    public var window: Arrivals.Window
    /// The counting interval in trace seconds; nil for traces of single timestamps.
    public var periodS: Double?
    /// What the validating read found, so later reads go straight to the data.
    var content: Content

    enum Content: Sendable, Equatable {
        /// Counts per interval, held in memory (CloudWatch answers are small: at most 100,800
        /// datapoints per call), times in seconds from the first datapoint.
        case counts(times: [Double], counts: [Int])
        /// Arrival times in seconds, sorted (Azure 2021 rows are not in time order).
        case timestamps([Double])
        /// Azure 2019: the selected function's row, re-read from the file on each pass.
        case azureRow(path: String, offset: Int, line: Int)
        /// A plain CSV, streamed from its first data row; times minus `originS`.
        case csvRows(path: String, offset: Int, line: Int, originS: Double)
    }

    /// Length of a counting interval in run time.
    public var intervalS: Double? { periodS.map { $0 / timeScale } }
}

/// One reading of a trace: a time in trace seconds from its origin and the number of calls
/// at it (for a trace of timestamps, 1), in nondecreasing time order.
struct TraceEvent: Equatable {
    var timeS: Double
    var count: Int
}
