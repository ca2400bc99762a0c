import JSON
import RecordSchema

/// A validated workload: FaaSProfiler's workload format plus rightsize's extensions
/// (docs/workload.md). Produced by `WorkloadParser`; everything here is already checked.
public struct Workload: Sendable {
    public var testName: String
    public var durationS: Double
    /// nil: `random_seed` was null or absent, so plan picks one.
    public var seed: UInt64?
    /// FaaSProfiler's `blocking_cli`, recorded but not acted on (docs/workload.md).
    public var blockingCLI: Bool?
    /// One phase per size, in this order; [128] when the workload gives none.
    public var memorySizes: [Int]
    public var platform: Platform
    /// Sorted by the UTF-8 bytes of their names: the order that breaks ties between equal times.
    public var instances: [Instance]
    /// The workload text as JSON (trailing commas removed), compacted, for the run header.
    public var normalizedJSON: RawJSON
    /// Keys that were accepted but have no effect, as `file:line: field: ...` lines.
    public var warnings: [String]
    /// Line of `random_seed`, for errors that depend on options (--compat's 32-bit limit).
    var seedLine: Int? = nil

    /// Where the run goes: the local lambda-emulator or AWS (top-level `"target"`).
    public enum Platform: String, Sendable {
        case local, aws
    }
}

/// One entry of `instances`: a function, how often to call it and with what.
public struct Instance: Sendable {
    public var name: String
    public var application: String
    public var arrivals: Arrivals
    public var target: Target
    /// The input group, cycled in order; `[{}]` when the instance names no payload file.
    public var payloads: [RawJSON]
}

/// How an instance's call times are made (docs/workload.md; FaaSProfiler's EventGenerator).
public enum Arrivals: Sendable, Equatable {
    /// Calls at k/rate + shift, k = 1...floor(duration * rate), one random shift in [0, 1/rate),
    /// kept when window.start < t < window.end.
    case uniform(rate: Double, window: Window)
    /// Exponential inter-arrivals with mean 1/rate from time 0, kept when window.start < t < window.end.
    case poisson(rate: Double, window: Window)
    /// Replayed inter-arrival times; the first is the delay before the first call.
    /// Cut at the first call whose time exceeds the duration.
    case list([Double])
    /// Replayed from recorded traffic (docs/workload.md, "Traces").
    case trace(Trace)

    public struct Window: Sendable, Equatable {
        public var start: Double
        public var end: Double
        public init(start: Double, end: Double) {
            self.start = start
            self.end = end
        }
    }
}
