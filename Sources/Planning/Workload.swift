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
    /// The user functions a local run deploys before it invokes (top-level `"functions"`).
    public var functions: [LocalFunction] = []

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
    /// The input group; `[{}]` when the instance names no payload file.
    public var payloads: [RawJSON]
    /// Which payload each call gets: cycled in order unless weighted or shuffled.
    public var payloadOrder: PayloadOrder = .cycle
    /// Change the function's configuration before each call (a closed loop's only).
    public var cold = false
    /// JSON pointers of response fields invoke keeps (already checked as RFC 6901 pointers).
    public var responseFields: [String] = []
}

/// How an instance's calls pick their payload from its input group (docs/workload.md).
public enum PayloadOrder: Sendable, Equatable {
    /// Call k of a phase gets payload k mod n (FaaSProfiler's input groups).
    case cycle
    /// Each payload gets calls in proportion to its weight, exactly (largest remainder over
    /// the phase's calls); interleaved evenly, or in a seeded random order when `shuffled`.
    case weighted([Double], shuffled: Bool)
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
    /// A closed loop: calls sent as slots free up, not at times (docs/workload.md, "Closed loops").
    case closedLoop(ClosedLoop)

    public struct Window: Sendable, Equatable {
        public var start: Double
        public var end: Double
        public init(start: Double, end: Double) {
            self.start = start
            self.end = end
        }
    }
}
