/// Predicted cost of one invocation at one memory size.
public struct CostPoint: Codable, Hashable, Sendable {
    public var memoryMB: Int
    /// Predicted warm duration.
    public var durationMs: Double
    public var durationLoMs: Double
    public var durationHiMs: Double
    /// Predicted billed duration (warm, plus the cold-start share of Init Duration when modelled).
    public var billedMs: Double
    /// USD per invocation, with its confidence interval.
    public var costUSD: Double
    public var costLo: Double
    public var costHi: Double
    /// A size that was measured (false = interpolated or extrapolated from the model).
    public var observed: Bool
    /// Outside the observed memory range: the model's form is extrapolated.
    public var extrapolated: Bool
    /// At or above the memory model's minimum safe size (true when there is no memory model).
    public var memorySafe: Bool
    /// Why this size is never recommended, when it is not (e.g. "memory", "timeouts"); null = eligible.
    public var excluded: String?
    /// "measured", "modelled" (between measured sizes) or "extrapolated".
    public var source: String?
    /// Prediction interval (confidence level of the file) for a single invocation's Duration.
    public var invocationLoMs: Double?
    public var invocationHiMs: Double?

    public init(
        memoryMB: Int, durationMs: Double, durationLoMs: Double, durationHiMs: Double, billedMs: Double,
        costUSD: Double, costLo: Double, costHi: Double, observed: Bool, extrapolated: Bool, memorySafe: Bool,
        excluded: String? = nil
    ) {
        self.memoryMB = memoryMB
        self.durationMs = durationMs
        self.durationLoMs = durationLoMs
        self.durationHiMs = durationHiMs
        self.billedMs = billedMs
        self.costUSD = costUSD
        self.costLo = costLo
        self.costHi = costHi
        self.observed = observed
        self.extrapolated = extrapolated
        self.memorySafe = memorySafe
        self.excluded = excluded
    }

    enum CodingKeys: String, CodingKey {
        case observed, extrapolated, excluded, source
        case invocationLoMs = "invocation_lo_ms"
        case invocationHiMs = "invocation_hi_ms"
        case memoryMB = "memory_mb"
        case durationMs = "duration_ms"
        case durationLoMs = "duration_lo_ms"
        case durationHiMs = "duration_hi_ms"
        case billedMs = "billed_ms"
        case costUSD = "cost_usd"
        case costLo = "cost_lo"
        case costHi = "cost_hi"
        case memorySafe = "memory_safe"
    }
}

public struct Recommendations: Codable, Hashable, Sendable {
    public var cheapest: Recommendation?
    public var fastest: Recommendation?
    public var balanced: Recommendation?
    /// Cheapest whose predicted duration ≤ --max-duration-ms (null without the option or when none qualifies).
    public var underLatencyBound: Recommendation?

    public init(
        cheapest: Recommendation?, fastest: Recommendation?, balanced: Recommendation?,
        underLatencyBound: Recommendation?
    ) {
        self.cheapest = cheapest
        self.fastest = fastest
        self.balanced = balanced
        self.underLatencyBound = underLatencyBound
    }

    enum CodingKeys: String, CodingKey {
        case cheapest, fastest, balanced
        case underLatencyBound = "under_latency_bound"
    }
}

public struct Recommendation: Codable, Hashable, Sendable {
    public var memoryMB: Int
    public var costPerMillionUSD: Double
    public var costPerMillionCILoUSD: Double
    public var costPerMillionCIHiUSD: Double
    public var durationMs: Double
    public var durationCILoMs: Double
    public var durationCIHiMs: Double
    /// Range of the size this rule picks across bootstrap replicates (confidence level of the file).
    public var memoryCILoMB: Int
    public var memoryCIHiMB: Int
    /// Share of bootstrap replicates that picked exactly this size.
    public var stability: Double
    /// (cost at current - cost here) / cost at current, percent; null without a current size.
    public var savingVsCurrentPct: Double?
    public var savingPerMillionUSD: Double?
    public var extrapolated: Bool
    /// One sentence: the rule that picked it.
    public var rule: String
    /// Where the size's figures come from: "measured" (that size's own invocations), "modelled"
    /// (between measured sizes) or "extrapolated" (outside them, --extrapolate only).
    public var source: String?
    /// The measured median Duration at this size (warm successful calls; cold for a cold-only model).
    public var measuredMedianMs: Double?

    public init(
        memoryMB: Int, costPerMillionUSD: Double, costPerMillionCILoUSD: Double, costPerMillionCIHiUSD: Double,
        durationMs: Double, durationCILoMs: Double, durationCIHiMs: Double, memoryCILoMB: Int,
        memoryCIHiMB: Int, stability: Double, savingVsCurrentPct: Double?, savingPerMillionUSD: Double?,
        extrapolated: Bool, rule: String
    ) {
        self.memoryMB = memoryMB
        self.costPerMillionUSD = costPerMillionUSD
        self.costPerMillionCILoUSD = costPerMillionCILoUSD
        self.costPerMillionCIHiUSD = costPerMillionCIHiUSD
        self.durationMs = durationMs
        self.durationCILoMs = durationCILoMs
        self.durationCIHiMs = durationCIHiMs
        self.memoryCILoMB = memoryCILoMB
        self.memoryCIHiMB = memoryCIHiMB
        self.stability = stability
        self.savingVsCurrentPct = savingVsCurrentPct
        self.savingPerMillionUSD = savingPerMillionUSD
        self.extrapolated = extrapolated
        self.rule = rule
    }

    enum CodingKeys: String, CodingKey {
        case stability, extrapolated, rule, source
        case measuredMedianMs = "measured_median_ms"
        case memoryMB = "memory_mb"
        case costPerMillionUSD = "cost_per_million_usd"
        case costPerMillionCILoUSD = "cost_per_million_ci_lo_usd"
        case costPerMillionCIHiUSD = "cost_per_million_ci_hi_usd"
        case durationMs = "duration_ms"
        case durationCILoMs = "duration_ci_lo_ms"
        case durationCIHiMs = "duration_ci_hi_ms"
        case memoryCILoMB = "memory_ci_lo_mb"
        case memoryCIHiMB = "memory_ci_hi_mb"
        case savingVsCurrentPct = "saving_vs_current_pct"
        case savingPerMillionUSD = "saving_per_million_usd"
    }
}
