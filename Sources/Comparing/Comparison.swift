import History
import SeededRandom

/// One function at one memory size, in both runs.
public struct ComparisonRow: Sendable, Hashable {
    public var function: String
    public var memoryMB: Int
    /// Warm successful calls (duration) and all calls (cost), baseline and candidate.
    public var baselineWarmN: Int
    public var candidateWarmN: Int
    public var baselineN: Int
    public var candidateN: Int
    /// Robust mean Duration (ms), baseline and candidate; nil without warm successful calls.
    public var baselineDurationMs: Double?
    public var candidateDurationMs: Double?
    /// (candidate / baseline − 1) × 100, with its bootstrap interval.
    public var durationDiffPct: Double?
    public var durationCILoPct: Double?
    public var durationCIHiPct: Double?
    public var durationVerdict: Verdict
    /// Cost per 1M invocations (USD) at this size, from the 1%-trimmed mean Billed Duration.
    public var baselineCostPerMillionUSD: Double?
    public var candidateCostPerMillionUSD: Double?
    public var costDiffPct: Double?
    public var costCILoPct: Double?
    public var costCIHiPct: Double?
    public var costVerdict: Verdict

    public var durationDiffMs: Double? {
        guard let a = baselineDurationMs, let b = candidateDurationMs else { return nil }
        return b - a
    }
}

/// Two runs compared per function and memory size (the sizes and functions both measured).
public struct Comparison: Sendable {
    public var baseline: RunMeta
    public var candidate: RunMeta
    public var settings: CompareSettings
    public var rows: [ComparisonRow]
    /// Function × size measured in one run only.
    public var onlyInBaseline: [SampleKey]
    public var onlyInCandidate: [SampleKey]

    /// Whether any row has one of `verdicts` (the CI gate of `--fail-on`).
    public func has(_ verdicts: Set<Verdict>) -> Bool {
        rows.contains { verdicts.contains($0.durationVerdict) || verdicts.contains($0.costVerdict) }
    }

    public static func compare(
        baseline a: RunSnapshot, candidate b: RunSnapshot, settings: CompareSettings = CompareSettings()
    )
        -> Comparison
    {
        let keys = Set(a.samples.keys).intersection(b.samples.keys).sorted()
        let rows = keys.map { row($0, a, b, settings) }
        return Comparison(
            baseline: a.meta, candidate: b.meta, settings: settings, rows: rows,
            onlyInBaseline: Set(a.samples.keys).subtracting(b.samples.keys).sorted(),
            onlyInCandidate: Set(b.samples.keys).subtracting(a.samples.keys).sorted())
    }

    /// Cost per 1M invocations of a mean Billed Duration at memory m under a run's prices.
    static func costPerMillion(_ run: RunMeta, memoryMB m: Int, billedMs: Double) -> Double {
        (run.gbSecondUSD * Double(m) / 1024 * billedMs / 1000 + run.requestUSD) * 1_000_000
    }

    static func row(_ key: SampleKey, _ a: RunSnapshot, _ b: RunSnapshot, _ s: CompareSettings) -> ComparisonRow {
        let sa = a.samples[key]!
        let sb = b.samples[key]!
        // One stream per row, from the seed and the row's name: a row's interval does not
        // depend on which other rows the runs have.
        var rng = SplitMix64(seed: s.seed ^ SplitMix64.seed(from: "\(key.function)\u{0}\(key.memoryMB)"))
        let wa = sa.warmDurationsMs
        let wb = sb.warmDurationsMs
        let enough = wa.count >= s.minimumCalls && wb.count >= s.minimumCalls
        let duration =
            enough
            ? RelativeDifference.estimate(
                baseline: wa, candidate: wb, trim: s.durationTrimFraction, replicates: s.bootstrap, level: s.level, rng: &rng)
            : nil
        let enoughBilled = sa.count >= s.minimumCalls && sb.count >= s.minimumCalls
        let cost =
            enoughBilled
            ? RelativeDifference.estimate(
                baseline: sa.billedMs, candidate: sb.billedMs, trim: s.billedTrimFraction, replicates: s.bootstrap,
                level: s.level, rng: &rng,
                transformA: { costPerMillion(a.meta, memoryMB: key.memoryMB, billedMs: $0) },
                transformB: { costPerMillion(b.meta, memoryMB: key.memoryMB, billedMs: $0) })
            : nil
        func verdict(_ d: RelativeDifference?, up: Verdict, down: Verdict) -> Verdict {
            guard let d else { return .tooFewCalls }
            switch d.direction(minEffectPct: s.minEffectPct) {
            case true?: return up
            case false?: return down
            case nil: return .noChange
            }
        }
        return ComparisonRow(
            function: key.function, memoryMB: key.memoryMB, baselineWarmN: wa.count, candidateWarmN: wb.count,
            baselineN: sa.count, candidateN: sb.count, baselineDurationMs: duration?.baseline,
            candidateDurationMs: duration?.candidate, durationDiffPct: duration?.pct, durationCILoPct: duration?.ciLoPct,
            durationCIHiPct: duration?.ciHiPct, durationVerdict: verdict(duration, up: .slower, down: .faster),
            baselineCostPerMillionUSD: cost?.baseline, candidateCostPerMillionUSD: cost?.candidate, costDiffPct: cost?.pct,
            costCILoPct: cost?.ciLoPct, costCIHiPct: cost?.ciHiPct, costVerdict: verdict(cost, up: .costlier, down: .cheaper))
    }
}
