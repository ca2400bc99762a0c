import RecordSchema
import SeededRandom

/// Cost per invocation over the memory grid, its bootstrap intervals, and the recommendations.
///
/// cost(m) = GB-s price × m/1024 × billed(m)/1000 + request price, where billed(m) is the
/// predicted warm duration rounded up to the billing granularity in expectation (d + g/2,
/// at least g) plus, when a cold-start curve exists, the cold-start share (observed, or
/// --cold-start-share) × the predicted Init Duration (billed since August 2025).
///
/// Intervals: a wild bootstrap of the runtime fit. Each replicate moves every size's centre
/// to fitted + (random sign) × its residual + normal noise with the centre's standard error,
/// refits the chosen form, and re-applies every rule; intervals are the replicates' percentiles.
extension FunctionFitter {
    struct RuleChoice {
        var cheapest: Int?
        var fastest: Int?
        var balanced: Int?
        var bound: Int?
    }

    mutating func costs(
        grid: [Int], chosen: FormFit, looMape: Double?, points: [SizePoint],
        observations: [MemoryObservation], memory: MemoryModel?, cold: ColdStartModel,
        current: Int?
    ) -> ([CostPoint], Recommendations?) {
        // Durations closer than the model's cross-validated error are not told apart by "fastest".
        let fastTolerance = max(settings.fastestTolerance, (looMape ?? 0) / 100)
        let observedSizes = observations.map(\.memoryMB)
        let g = pricing.billingGranularityMs
        let share = cold.initCurve == nil ? 0 : (settings.coldStartShare ?? cold.share)
        let initForm = cold.initCurve.flatMap { c in
            CurveForm(rawValue: c.form).map { f in (f, f.parameterNames.map { c.parameters[$0] ?? 0 }) }
        }
        let initMs = grid.map { m in initForm.map { max(0, $0.0.predict($0.1, Double(m))) } ?? 0 }
        let memorySafe = grid.map { m in memory?.minimumSafeMB.map { m >= $0 } ?? (memory == nil) }
        // Sizes at or below one where >= 5% of invocations timed out are not candidates either:
        // their durations are censored at the timeout, so the curve cannot speak for them.
        let timeoutFloor = timeoutFloorMB(observations)
        if let timeoutFloor { warn("\(timeoutFloor) MB: 5% or more of the invocations timed out; sizes up to it are not recommended") }
        // The range the runtime curve was fitted on; outside it the form is extrapolated, and only
        // --extrapolate lets a recommendation go there (the cost curve shows it either way).
        let lowObs = Int(points.map(\.memoryMB).min() ?? 0)
        let highObs = Int(points.map(\.memoryMB).max() ?? 0)
        let excluded = grid.indices.map { k -> String? in
            if !memorySafe[k] { return "memory" }
            if let t = timeoutFloor, grid[k] <= t { return "timeouts" }
            if !settings.extrapolate, grid[k] < lowObs || grid[k] > highObs { return "extrapolated" }
            return nil
        }
        let safe = excluded.map { $0 == nil }

        func curve(_ f: FormFit) -> (d: [Double], c: [Double]) {
            var d = [Double](repeating: 0, count: grid.count)
            var c = d
            for (k, m) in grid.enumerated() {
                d[k] = max(0, f.predict(Double(m)))
                let billed = max(g, d[k] + g / 2) + share * initMs[k]
                c[k] = pricing.gbSecondUSD * Double(m) / 1024 * billed / 1000 + pricing.requestUSD
            }
            return (d, c)
        }
        let (d, c) = curve(chosen)
        let best = pick(d, c, safe, fastTolerance)

        // Bootstrap replicates.
        var rng = SplitMix64(seed: settings.bootstrapSeed ^ SplitMix64.seed(from: function.function + "\u{0}" + groupName))
        var repD: [[Double]] = []
        var repC: [[Double]] = []
        var repChoices: [RuleChoice] = []
        for _ in 0..<settings.bootstrapResamples {
            let resampled = points.map { p -> SizePoint in
                var q = p
                let fitted = chosen.predict(p.memoryMB)
                q.center = fitted + rng.sign() * (p.center - fitted) + rng.normal() * p.standardError
                return q
            }
            guard resampled.allSatisfy({ $0.center > 0 }),
                let f = CurveFitter.fit(chosen.form, resampled, start: chosen.form.parameterCount == 3 ? chosen.parameters : nil)
            else { continue }
            let (bd, bc) = curve(f)
            guard bd.allSatisfy(\.isFinite) else { continue }
            repD.append(bd)
            repC.append(bc)
            repChoices.append(pick(bd, bc, safe, fastTolerance))
        }
        let tail = (1 - settings.confidenceLevel) / 2
        func interval(_ reps: [[Double]], _ k: Int, _ point: Double) -> (Double, Double) {
            let v = reps.map { $0[k] }.sorted()
            guard let lo = Sorted.quantile(v, tail), let hi = Sorted.quantile(v, 1 - tail) else { return (point, point) }
            return (min(lo, point), max(hi, point))
        }
        var costCurve: [CostPoint] = []
        for (k, m) in grid.enumerated() {
            let (dlo, dhi) = interval(repD, k, d[k])
            let (clo, chi) = interval(repC, k, c[k])
            costCurve.append(
                CostPoint(
                    memoryMB: m, durationMs: significant(d[k]), durationLoMs: significant(dlo),
                    durationHiMs: significant(dhi),
                    billedMs: significant(max(g, d[k] + g / 2) + share * initMs[k]),
                    costUSD: significant(c[k]), costLo: significant(clo), costHi: significant(chi),
                    observed: observedSizes.contains(m), extrapolated: m < lowObs || m > highObs,
                    memorySafe: memorySafe[k], excluded: excluded[k]))
        }

        let currentIndex = current.flatMap { grid.firstIndex(of: $0) }
        func recommend(_ index: Int?, _ rule: String, _ picked: (RuleChoice) -> Int?) -> Recommendation? {
            guard let k = index else { return nil }
            let choices = repChoices.compactMap(picked).map { Double(grid[$0]) }.sorted()
            let (dlo, dhi) = interval(repD, k, d[k])
            let (clo, chi) = interval(repC, k, c[k])
            let saving = currentIndex.map { ci in (c[ci] - c[k]) / c[ci] * 100 }
            let extrapolated = grid[k] < lowObs || grid[k] > highObs
            return Recommendation(
                memoryMB: grid[k], costPerMillionUSD: significant(c[k] * 1e6), costPerMillionCILoUSD: significant(clo * 1e6),
                costPerMillionCIHiUSD: significant(chi * 1e6), durationMs: significant(d[k]), durationCILoMs: significant(dlo),
                durationCIHiMs: significant(dhi),
                memoryCILoMB: Int(Sorted.quantile(choices, tail)?.rounded() ?? Double(grid[k])),
                memoryCIHiMB: Int(Sorted.quantile(choices, 1 - tail)?.rounded() ?? Double(grid[k])),
                stability: significant(
                    choices.isEmpty ? 1 : Double(choices.filter { $0 == Double(grid[k]) }.count) / Double(choices.count), 4),
                savingVsCurrentPct: significant(saving),
                savingPerMillionUSD: currentIndex.map { significant((c[$0] - c[k]) * 1e6) },
                extrapolated: extrapolated, rule: rule)
        }
        let w = settings.balancedWeight
        let recs = Recommendations(
            cheapest: recommend(best.cheapest, "lowest predicted cost per invocation among eligible sizes", \.cheapest),
            fastest: recommend(
                best.fastest,
                "cheapest size whose predicted duration is within \(significant(fastTolerance * 100, 3))% (the larger of \(significant(settings.fastestTolerance * 100))% and the leave-one-out MAPE) of the fastest",
                \.fastest),
            balanced: recommend(
                best.balanced, "minimises \(significant(w)) x cost/min cost + \(significant(1 - w)) x duration/min duration", \.balanced),
            underLatencyBound: recommend(
                best.bound, "cheapest size with predicted duration <= \(significant(settings.maxDurationMs ?? 0)) ms", \.bound))
        if best.cheapest == nil { warn("no eligible size on the grid (memory floor, timeouts): no recommendation") }
        if settings.maxDurationMs != nil, best.bound == nil, best.cheapest != nil {
            warn("no size is predicted to finish within \(significant(settings.maxDurationMs!)) ms")
        }
        for (name, r) in [
            ("cheapest", recs.cheapest), ("fastest", recs.fastest), ("balanced", recs.balanced),
            ("under_latency_bound", recs.underLatencyBound),
        ] {
            if let r, r.extrapolated {
                warn("\(name) (\(r.memoryMB) MB) lies outside the measured sizes \(lowObs)..\(highObs) MB: extrapolated")
            }
        }
        return (costCurve, best.cheapest == nil ? nil : recs)
    }

    /// The largest size where at least 5% of the invocations timed out.
    func timeoutFloorMB(_ observations: [MemoryObservation]) -> Int? {
        observations.last { Double($0.timeouts) >= 0.05 * Double($0.n) }?.memoryMB
    }

    func pick(_ d: [Double], _ c: [Double], _ safe: [Bool], _ fastTolerance: Double) -> RuleChoice {
        let idx = d.indices.filter { safe[$0] }
        func cheapest(_ among: [Int]) -> Int? { among.min { c[$0] < c[$1] || (c[$0] == c[$1] && $0 < $1) } }
        guard let cheap = cheapest(idx) else { return RuleChoice() }
        let dmin = idx.map { d[$0] }.min()!
        let fast = cheapest(idx.filter { d[$0] <= dmin * (1 + fastTolerance) })
        let w = settings.balancedWeight
        let cmin = c[cheap]
        let score: (Int) -> Double = { k in w * c[k] / cmin + (1 - w) * (dmin > 0 ? d[k] / dmin : 1) }
        let balanced = idx.min { score($0) < score($1) || (score($0) == score($1) && $0 < $1) }
        let bound = settings.maxDurationMs.flatMap { x in cheapest(idx.filter { d[$0] <= x }) }
        return RuleChoice(cheapest: cheap, fastest: fast, balanced: balanced, bound: bound)
    }
}
