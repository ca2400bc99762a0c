import NDJSONIO
import OrderStatistics
import RecordSchema

/// A mean with its standard error, from n values.
struct MeanEstimate: Sendable {
    var mean: Double
    var standardError: Double
    var n: Int
}

/// Everything measured at one memory size that the models and costs use.
struct MeasuredSize: Sendable {
    var memoryMB: Int
    var observation: MemoryObservation
    /// Robust centre of warm successful Durations (nil without warm successful calls).
    var warm: SizePoint?
    /// Robust centre of cold successful Durations (Init Duration excluded).
    var cold: SizePoint?
    /// Robust centre of Init Durations.
    var initDuration: SizePoint?
    /// Billed Duration of warm and of cold calls (every status: failed calls are billed too).
    var warmBilled: MeanEstimate?
    var coldBilled: MeanEstimate?
    /// Single-invocation Duration quantiles at the file's confidence level, warm and cold.
    var warmSpread: (lo: Double, hi: Double)?
    var coldSpread: (lo: Double, hi: Double)?
}

extension FunctionFitter {
    /// The share of each tail of Billed Duration left out of its robust mean: 1%, so nothing
    /// is trimmed below 100 calls. Cost is what is paid, and Lambda durations are right-skewed:
    /// on the real measurements in data/measurements a 10% trim put the mean up to 31% below
    /// the paid mean (5%: up to 18%), while 1% only drops stray outliers of large samples.
    static let billedTrimFraction = 0.01

    /// One pass per size over its samples (a million records make every extra pass count).
    func measure(_ sizes: [Int], _ bySize: [Int: [Sample]]) -> [MeasuredSize] {
        let tail = (1 - settings.confidenceLevel) / 2
        return sizes.map { m in
            let all = bySize[m]!
            var warm: [(Int32, Double)] = []
            warm.reserveCapacity(all.count)
            var coldDurations: [Double] = []
            var inits: [Double] = []
            var warmBilled: [Double] = []
            var coldBilled: [Double] = []
            warmBilled.reserveCapacity(all.count)
            var errors = 0
            var timeouts = 0
            var ooms = 0
            var mismatches = 0
            var memoryHistogram = MemoryHistogram()
            var singlePayload = true
            for x in all {
                if x.isWarmSuccess {
                    if let first = warm.first, first.0 != x.payload { singlePayload = false }
                    warm.append((x.payload, x.durationMs))
                }
                if x.isCold {
                    inits.append(x.initMs)
                    coldBilled.append(x.billedMs)
                    if x.status == .success { coldDurations.append(x.durationMs) }
                } else {
                    warmBilled.append(x.billedMs)
                }
                switch x.status {
                case .error: errors += 1
                case .timeout: timeouts += 1
                case .oom: ooms += 1
                case .success: break
                }
                if x.phaseMemoryMB > 0, x.phaseMemoryMB != x.memoryMB { mismatches += 1 }
                if x.maxMemoryMB >= 0 { memoryHistogram.add(Int(x.maxMemoryMB)) }
            }
            let durations = radixSorted(warm.map(\.1))
            inits = radixSorted(inits)
            coldDurations = radixSorted(coldDurations)
            let warmPoint =
                singlePayload
                ? robustCenter(sorted: durations, memoryMB: Double(m))
                : robustCenter(warm, memoryMB: Double(m))
            let coldPoint = robustCenter(sorted: coldDurations, memoryMB: Double(m))
            let warmB = Self.robustMean(radixSorted(warmBilled))
            let coldB = Self.robustMean(radixSorted(coldBilled))
            let billedAll = (warmB.map { $0.mean * Double($0.n) } ?? 0) + (coldB.map { $0.mean * Double($0.n) } ?? 0)
            var observation = MemoryObservation(
                memoryMB: m, n: all.count, warmN: warm.count, coldN: inits.count,
                durationP50Ms: significant(Sorted.quantile(durations, 0.5)),
                durationP90Ms: significant(Sorted.quantile(durations, 0.9)),
                durationP99Ms: significant(Sorted.quantile(durations, 0.99)),
                durationMeanMs: significant(durations.mean), durationFitMs: significant(warmPoint?.center),
                billedMeanMs: significant(billedAll / Double(all.count)),
                errors: errors, timeouts: timeouts, ooms: ooms,
                maxMemoryUsedP50MB: significant(memoryHistogram.median), maxMemoryUsedMaxMB: memoryHistogram.max,
                coldStartShare: significant(Double(inits.count) / Double(all.count)),
                initP50Ms: significant(Sorted.quantile(inits, 0.5)))
            observation.warmBilledMeanMs = significant(warmB?.mean)
            observation.coldBilledMeanMs = significant(coldB?.mean)
            observation.coldDurationMeanMs = significant(coldPoint?.center)
            observation.coldDurationP50Ms = significant(Sorted.quantile(coldDurations, 0.5))
            observation.memoryMismatches = mismatches > 0 ? mismatches : nil
            func spread(_ s: [Double]) -> (lo: Double, hi: Double)? {
                guard let lo = Sorted.quantile(s, tail), let hi = Sorted.quantile(s, 1 - tail) else { return nil }
                return (lo, hi)
            }
            return MeasuredSize(
                memoryMB: m, observation: observation, warm: warmPoint, cold: coldPoint,
                initDuration: robustCenter(sorted: inits, memoryMB: Double(m)), warmBilled: warmB, coldBilled: coldB,
                warmSpread: spread(durations), coldSpread: spread(coldDurations))
        }
    }

    /// Mean after trimming `billedTrimFraction` of each tail, with its standard error.
    static func robustMean(_ sorted: [Double]) -> MeanEstimate? {
        guard !sorted.isEmpty else { return nil }
        let t = Sorted.trimmed(sorted, billedTrimFraction)
        let mean = t.mean!
        let se = t.count > 1 ? (t.sumOfSquaredDeviations / Double(t.count - 1) / Double(t.count)).squareRoot() : 0
        return MeanEstimate(mean: mean, standardError: se, n: sorted.count)
    }

    /// The one-payload case, from already sorted durations.
    func robustCenter(sorted: [Double], memoryMB: Double) -> SizePoint? {
        guard !sorted.isEmpty else { return nil }
        let t = Sorted.trimmed(sorted, settings.trimFraction)
        let mean = t.mean!
        let ss = t.sumOfSquaredDeviations
        let variance = t.count > 1 ? ss / Double(t.count - 1) / Double(t.count) : 0
        return SizePoint(memoryMB: memoryMB, center: mean, n: t.count, withinSS: ss, standardError: variance.squareRoot())
    }

    /// Trimmed mean per payload, mixed by the payloads' counts (so trimming never removes a
    /// whole slow payload from the mix, only each payload's own outliers).
    func robustCenter(_ values: [(Int32, Double)], memoryMB: Double) -> SizePoint? {
        guard !values.isEmpty else { return nil }
        var cells = Dictionary(grouping: values, by: \.0)
        // Many distinct payloads leave cells too small to trim: trim the size's pool instead.
        if cells.count > settings.maxPayloadGroups { cells = [0: values] }
        var center = 0.0
        var kept = 0
        var variance = 0.0
        var trimmedCells: [(share: Double, values: ArraySlice<Double>, mean: Double)] = []
        for key in cells.keys.sorted() {
            let sorted = radixSorted(cells[key]!.map(\.1))
            let t = Sorted.trimmed(sorted, settings.trimFraction)
            let share = Double(sorted.count) / Double(values.count)
            let mean = t.mean!
            center += share * mean
            kept += t.count
            if t.count > 1 { variance += share * share * (t.sumOfSquaredDeviations / Double(t.count - 1)) / Double(t.count) }
            trimmedCells.append((share, t, mean))
        }
        var within = 0.0
        for c in trimmedCells { for v in c.values { within += (v - center) * (v - center) } }
        return SizePoint(memoryMB: memoryMB, center: center, n: kept, withinSS: within, standardError: variance.squareRoot())
    }
}
