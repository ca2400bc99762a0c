import NDJSONIO
import OrderStatistics
import RecordSchema

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Builds the FunctionModel of one function's payload group: observations, runtime curve,
/// memory model, cold-start model, cost curve and recommendations.
struct FunctionFitter {
    let function: FunctionLogs
    let samples: [Sample]
    let groupName: String
    let payloadText: String?
    let settings: FitSettings
    let pricing: PricingUsed
    var warnings: [String] = []

    static let robustNote =
        "per memory size and payload, the \(Int(FitSettings().trimFraction * 100))% fastest and slowest warm successful invocations are trimmed; the trimmed means are mixed by the payloads' counts; weighted least squares (weights n/centre², i.e. relative errors) on those centres equals least squares over every kept invocation"

    mutating func build() -> FunctionModel {
        let sizes = Set(samples.map { Int($0.memoryMB) }).sorted()
        let bySize = Self.grouped(samples)
        let (observations, points) = observe(sizes, bySize)
        let current = settings.currentMemoryMB ?? function.phaseMemory.min(by: { $0.key < $1.key })?.value

        var runtime: CurveModel?
        var choice: CurveFitter.Choice?
        if points.count >= 2 {
            choice = CurveFitter.choose(points)
            if let c = choice { runtime = curveModel(c, points) } else { warn("the runtime forms could not be fitted") }
            if points.count < sizes.count {
                warn(
                    "\(sizes.count - points.count) memory size(s) had fewer than \(settings.minInvocationsPerSize) warm successful invocations and were left out of the runtime fit"
                )
            }
        } else {
            warn(
                "runtime curve needs at least 2 memory sizes with \(settings.minInvocationsPerSize)+ warm successful invocations; found \(points.count) (\(sizes.map { "\($0) MB" }.joined(separator: ", "))): only observations are reported"
            )
        }
        if let c = choice, c.looMape == nil {
            warn("only \(points.count) memory sizes: the runtime form cannot be cross-validated (measure at least 3, better 4+)")
        }
        if let r = runtime, let loo = r.looMape, loo > 10 {
            warn("runtime model's leave-one-size-out error is \(format(loo))%: predictions between sizes are uncertain")
        }

        let memory = memoryModel(sizes)
        let cold = coldStartModel(sizes)

        var costCurve: [CostPoint] = []
        var recommendations: Recommendations?
        if let c = choice {
            let grid = settings.grid(adding: sizes + (current.map { [$0] } ?? []))
            (costCurve, recommendations) = costs(
                grid: grid, chosen: c.chosen, looMape: c.looMape, points: points, observations: observations,
                memory: memory, cold: cold, current: current)
        }
        return FunctionModel(
            function: function.function, payloadGroup: groupName, payload: payloadText,
            currentMemoryMB: current, observations: observations, runtime: runtime, memory: memory,
            coldStart: cold, costCurve: costCurve, recommendations: recommendations, warnings: warnings)
    }

    mutating func warn(_ s: String) { warnings.append(s) }

    /// Samples by memory size, in input order.
    static func grouped(_ samples: [Sample]) -> [Int: [Sample]] {
        var sizes = SlotIndex<Int32>()
        var groups: [[Sample]] = []
        for x in samples {
            let (slot, isNew) = sizes.slot(x.memoryMB)
            if isNew { groups.append([]) }
            groups[slot].append(x)
        }
        return Dictionary(uniqueKeysWithValues: zip(sizes.keys.map(Int.init), groups))
    }

    // MARK: Observations and fit points

    func observe(_ sizes: [Int], _ bySize: [Int: [Sample]]) -> ([MemoryObservation], [SizePoint]) {
        var obs: [MemoryObservation] = []
        var points: [SizePoint] = []
        for m in sizes {
            // One pass over the size's samples (a million records make every extra pass count).
            let all = bySize[m]!
            var warm: [(Int32, Double)] = []
            warm.reserveCapacity(all.count)
            var inits: [Double] = []
            var billedSum = 0.0
            var errors = 0
            var timeouts = 0
            var ooms = 0
            var memoryHistogram = MemoryHistogram()
            var singlePayload = true
            for x in all {
                if x.isWarmSuccess {
                    if let first = warm.first, first.0 != x.payload { singlePayload = false }
                    warm.append((x.payload, x.durationMs))
                }
                if x.isCold { inits.append(x.initMs) }
                billedSum += x.billedMs
                switch x.status {
                case .error: errors += 1
                case .timeout: timeouts += 1
                case .oom: ooms += 1
                case .success: break
                }
                if x.maxMemoryMB >= 0 { memoryHistogram.add(Int(x.maxMemoryMB)) }
            }
            let durations = radixSorted(warm.map(\.1))
            inits = radixSorted(inits)
            let point =
                singlePayload
                ? robustCenter(sorted: durations, memoryMB: Double(m))
                : robustCenter(warm, memoryMB: Double(m))
            obs.append(
                MemoryObservation(
                    memoryMB: m, n: all.count, warmN: warm.count, coldN: inits.count,
                    durationP50Ms: significant(Sorted.quantile(durations, 0.5)),
                    durationP90Ms: significant(Sorted.quantile(durations, 0.9)),
                    durationP99Ms: significant(Sorted.quantile(durations, 0.99)),
                    durationMeanMs: significant(durations.mean), durationFitMs: significant(point?.center),
                    billedMeanMs: significant(billedSum / Double(all.count)),
                    errors: errors, timeouts: timeouts, ooms: ooms,
                    maxMemoryUsedP50MB: significant(memoryHistogram.median), maxMemoryUsedMaxMB: memoryHistogram.max,
                    coldStartShare: significant(Double(inits.count) / Double(all.count)),
                    initP50Ms: significant(Sorted.quantile(inits, 0.5))))
            if let point, warm.count >= settings.minInvocationsPerSize, point.center > 0 { points.append(point) }
        }
        return (obs, points)
    }

    /// Trimmed mean per payload, mixed by the payloads' counts (so trimming never removes a
    /// whole slow payload from the mix, only each payload's own outliers).
    /// The one-payload case, from already sorted durations.
    func robustCenter(sorted: [Double], memoryMB: Double) -> SizePoint? {
        guard !sorted.isEmpty else { return nil }
        let t = Sorted.trimmed(sorted, settings.trimFraction)
        let mean = t.mean!
        let ss = t.sumOfSquaredDeviations
        let variance = t.count > 1 ? ss / Double(t.count - 1) / Double(t.count) : 0
        return SizePoint(memoryMB: memoryMB, center: mean, n: t.count, withinSS: ss, standardError: variance.squareRoot())
    }

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

    // MARK: Curves

    func curveModel(_ c: CurveFitter.Choice, _ points: [SizePoint]) -> CurveModel {
        func named(_ form: CurveForm, _ values: [Double]) -> [String: Double] {
            Dictionary(uniqueKeysWithValues: zip(form.parameterNames, values.map { significant($0, 10) }).filter { $0.1.isFinite })
        }
        let cands = c.candidates.map { cand in
            CurveCandidate(
                form: cand.form.rawValue, formula: cand.form.formula,
                parameters: cand.fit.map { named(cand.form, $0.parameters) } ?? [:],
                standardErrors: cand.fit.map { named(cand.form, $0.standardErrors) } ?? [:],
                r2: significant(cand.fit?.r2), mape: significant(cand.fit?.mape), looMape: significant(cand.loo),
                note: cand.note)
        }
        return CurveModel(
            form: c.chosen.form.rawValue, formula: c.chosen.form.formula,
            parameters: named(c.chosen.form, c.chosen.parameters),
            standardErrors: named(c.chosen.form, c.chosen.standardErrors),
            r2: significant(c.chosen.r2), mape: significant(c.chosen.mape), looMape: significant(c.looMape),
            candidates: cands, robust: Self.robustNote, selection: c.selection, sizes: points.count,
            points: points.reduce(0) { $0 + $1.n },
            looPredictions: CurveFitter.leaveOneOutPredictions(c.chosen.form, points).map { preds in
                zip(points, preds).map { p, pred in
                    LeftOutSize(
                        memoryMB: Int(p.memoryMB), observedMs: significant(p.center),
                        predictedMs: significant(pred),
                        errorPct: significant(100 * abs(pred - p.center) / p.center))
                }
            })
    }

    // MARK: Cold starts

    func coldStartModel(_ sizes: [Int]) -> ColdStartModel {
        // One pass: invocations per phase, Init Durations per phase and per memory size.
        var phaseSlots = SlotIndex<Int>()
        var n: [Int] = []
        var firstMemory: [Int] = []
        var cold: [Sample] = []
        for x in samples {
            let (slot, isNew) = phaseSlots.slot(Int(x.phase))
            if isNew {
                n.append(0)
                firstMemory.append(Int(x.memoryMB))
            }
            n[slot] += 1
            if x.isCold { cold.append(x) }
        }
        let phaseOf = phaseSlots.keys
        let coldN = cold.count
        let initsByPhase = Dictionary(grouping: cold, by: { Int($0.phase) })
        let initsBySize = Dictionary(grouping: cold, by: { Int($0.memoryMB) }).mapValues { $0.map(\.initMs) }
        let phases = phaseOf.indices.sorted { phaseOf[$0] < phaseOf[$1] }.map { k -> ColdStartPhase in
            let phase = phaseOf[k]
            let inits = (initsByPhase[phase] ?? []).map(\.initMs).sorted()
            return ColdStartPhase(
                phase: phase, memoryMB: function.phaseMemory[phase] ?? firstMemory[k], n: n[k],
                coldN: inits.count, share: significant(Double(inits.count) / Double(n[k])),
                initP50Ms: significant(Sorted.quantile(inits, 0.5)), initMaxMs: significant(inits.last))
        }
        var initPoints: [SizePoint] = []
        for m in sizes {
            let inits = (initsBySize[m] ?? []).sorted()
            if let p = robustCenter(sorted: inits, memoryMB: Double(m)), p.center > 0 { initPoints.append(p) }
        }
        var curve: CurveModel?
        if initPoints.count >= 2, let c = CurveFitter.choose(initPoints) { curve = curveModel(c, initPoints) }
        return ColdStartModel(
            share: significant(Double(coldN) / Double(max(samples.count, 1))), coldN: coldN,
            initCurve: curve, perPhase: phases)
    }

    func format(_ x: Double) -> String {
        let r = (x * 10).rounded() / 10
        return r == r.rounded() ? String(Int(r)) : String(r)
    }
}
