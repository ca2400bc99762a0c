import OrderStatistics
import SeededRandom

/// The relative difference of two trimmed means, candidate/baseline − 1 (percent), with a
/// percentile-bootstrap interval: each replicate resamples both samples with replacement.
struct RelativeDifference: Sendable, Hashable {
    var baseline: Double
    var candidate: Double
    var pct: Double
    var ciLoPct: Double
    var ciHiPct: Double

    /// `transform` maps a trimmed mean to the compared quantity (identity for duration,
    /// the price for cost); nil when a sample is empty.
    static func estimate(
        baseline a: [Double], candidate b: [Double], trim: Double, replicates: Int, level: Double,
        rng: inout SplitMix64, transformA: (Double) -> Double = { $0 }, transformB: (Double) -> Double = { $0 }
    ) -> RelativeDifference? {
        guard let ma = Quantiles.trimmedMean(sortedValues(a), trim), let mb = Quantiles.trimmedMean(sortedValues(b), trim)
        else { return nil }
        let pa = transformA(ma)
        let pb = transformB(mb)
        guard pa > 0 else { return nil }
        var ratios: [Double] = []
        ratios.reserveCapacity(replicates)
        var ra = [Double](repeating: 0, count: a.count)
        var rb = [Double](repeating: 0, count: b.count)
        for _ in 0..<replicates {
            for i in ra.indices { ra[i] = a[Int(rng.next() % UInt64(a.count))] }
            for i in rb.indices { rb[i] = b[Int(rng.next() % UInt64(b.count))] }
            ra.sort()
            rb.sort()
            let xa = transformA(Quantiles.trimmedMean(ra, trim)!)
            let xb = transformB(Quantiles.trimmedMean(rb, trim)!)
            ratios.append((xb / xa - 1) * 100)
        }
        let q = Quantiles(ratios)
        let tail = (1 - level) / 2
        let point = (pb / pa - 1) * 100
        return RelativeDifference(
            baseline: pa, candidate: pb, pct: point, ciLoPct: replicates > 0 ? q(tail) : point,
            ciHiPct: replicates > 0 ? q(1 - tail) : point)
    }

    /// Significant when the interval excludes 0 and the point difference is at least the
    /// minimum effect: `up` (slower, costlier), `down` (faster, cheaper) or nil.
    func direction(minEffectPct: Double) -> Bool? {
        if ciLoPct > 0 && pct >= minEffectPct { return true }
        if ciHiPct < 0 && pct <= -minEffectPct { return false }
        return nil
    }
}
