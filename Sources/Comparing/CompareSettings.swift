/// The knobs of a comparison, with the documented defaults (docs/compare.md).
public struct CompareSettings: Sendable, Hashable {
    /// Confidence level of the bootstrap intervals.
    public var level = 0.95
    /// A difference smaller than this (percent of the baseline) is never a verdict, however
    /// certain: noise and a 1% drift are "no significant change".
    public var minEffectPct = 5.0
    /// Bootstrap replicates per row.
    public var bootstrap = 2000
    public var seed: UInt64 = 17
    /// Share of each tail trimmed off Duration before averaging (fit's robust mean).
    public var durationTrimFraction = 0.10
    /// Share of each tail trimmed off Billed Duration (fit's cost mean: what is paid).
    public var billedTrimFraction = 0.01
    /// Rows with fewer warm successful calls than this on either side get no verdict.
    public var minimumCalls = 5

    public init() {}
}

/// The verdict of one row. Duration: faster / slower / no significant change; cost:
/// cheaper / costlier / no significant change.
public enum Verdict: String, Sendable, CaseIterable {
    case faster, slower, cheaper, costlier
    case noChange = "no significant change"
    case tooFewCalls = "too few calls"
}
