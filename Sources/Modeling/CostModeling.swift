import RecordSchema
import SeededRandom

/// What the cost curve is built from.
struct CostInputs {
    var grid: [Int]
    var runtime: CurveAnalysis
    /// Which calls the runtime curve models: "warm" or "cold".
    var kind: String
    /// Whether the model may fill sizes between measured ones (its interior nested error is small).
    var fills: Bool
    var measured: [MeasuredSize]
    /// Cold calls' Duration and Init Duration, anchored to their measured sizes (fixed across
    /// the bootstrap replicates, so built once).
    var coldDuration: AnchoredCurve?
    var initDuration: AnchoredCurve?
    /// The largest measured Init Duration, where there is no Init curve.
    var initFallback: Double?
    /// The run's observed cold-start share.
    var coldShare: Double

    init(
        grid: [Int], runtime: CurveAnalysis, kind: String, fills: Bool, measured: [MeasuredSize],
        coldCurve: CurveAnalysis?, initCurve: CurveAnalysis?, coldShare: Double
    ) {
        self.grid = grid
        self.runtime = runtime
        self.kind = kind
        self.fills = fills
        self.measured = measured
        coldDuration = coldCurve?.anchored
        initDuration = initCurve?.anchored
        initFallback = measured.compactMap { $0.initDuration }.map(\.center).max()
        self.coldShare = coldShare
    }
}

/// Cost per invocation over the memory grid, its intervals, and the recommendations.
///
/// Measured where measured: at a measured size, cost = GB-s price × m/1024 × billed/1000 +
/// request price, with billed = (1 − s)·warm + s·cold, the robust means of that size's own
/// Billed Durations (s: the cold-start share, observed over the run or --cold-start-share; a
/// cold call's Billed Duration includes Init Duration, which AWS bills since August 2025).
/// Between measured sizes the model fills in: the same formula from the anchored warm, cold
/// and Init Duration curves (duration + half the billing granularity), anchored again to the
/// measured costs (AnchoredCurve) — only when the runtime model's nested error at interior
/// sizes is within the fill threshold. Outside the measured range only with --extrapolate.
///
/// An unmeasured size is recommended over the best measured one only when its rule's score is
/// better by more than the model's nested error there: within the model's own error, a
/// measurement wins.
///
/// Intervals: a parametric bootstrap. Each replicate draws every measured size's duration
/// centre and billed means from their sampling distributions (normal, with their standard
/// errors), refits the chosen form, rebuilds the anchored curves and re-applies every rule;
/// intervals are the replicates' percentiles, widened at modelled sizes by the nested error e
/// (low / (1 + e), high × (1 + e)).
extension FunctionFitter {
    struct RuleChoice {
        var cheapest: Int?
        var fastest: Int?
        var balanced: Int?
        var bound: Int?
    }

    /// Durations and costs over the grid for one set of measured values.
    struct CostCurveValues {
        var duration: [Double]
        var cost: [Double]
        var billed: [Double]
    }

    func curveValues(
        _ inputs: CostInputs, runtime: AnchoredCurve, warmBilled: [Double?], coldBilled: [Double?], share: Double
    ) -> CostCurveValues {
        let g = pricing.billingGranularityMs
        let cold = inputs.coldDuration
        let initCurve = inputs.initDuration
        let initFallback = inputs.initFallback
        func price(_ m: Double, _ billed: Double) -> Double { pricing.gbSecondUSD * m / 1024 * billed / 1000 + pricing.requestUSD }
        func modelBilled(_ m: Double) -> Double {
            let warmD = runtime.value(m)
            let coldD = inputs.kind == "cold" ? warmD : (cold?.value(m) ?? warmD)
            let initD = initCurve?.value(m) ?? initFallback ?? 0
            return (1 - share) * max(g, warmD + g / 2) + share * max(g, coldD + initD + g / 2)
        }
        // Measured billed per measured size; a missing group (no cold call at a size) from the model.
        var measuredCost: [(memoryMB: Double, value: Double)] = []
        var measuredBilled: [Int: Double] = [:]
        for (k, s) in inputs.measured.enumerated() {
            let m = Double(s.memoryMB)
            let modelled = modelBilled(m)
            let warm = warmBilled[k] ?? (inputs.kind == "cold" ? coldBilled[k] : nil)
            let coldPart = coldBilled[k]
            guard warm != nil || coldPart != nil else { continue }
            let b = (1 - share) * (warm ?? modelled) + share * (coldPart ?? modelled)
            measuredBilled[s.memoryMB] = b
            measuredCost.append((m, price(m, b)))
        }
        let costCurve = AnchoredCurve(model: { price($0, modelBilled($0)) }, measured: measuredCost, cpuLawBounds: false)
        var out = CostCurveValues(duration: [], cost: [], billed: [])
        for m in inputs.grid {
            let c = costCurve.value(Double(m))
            out.duration.append(runtime.value(Double(m)))
            out.cost.append(c)
            out.billed.append(measuredBilled[m] ?? (c - pricing.requestUSD) / (pricing.gbSecondUSD * Double(m) / 1024) * 1000)
        }
        return out
    }

    mutating func costs(_ inputs: CostInputs, memory: MemoryModel?, current: Int?) -> ([CostPoint], Recommendations?) {
        let grid = inputs.grid
        let runtime = inputs.runtime
        let nestedError = (runtime.nestedMape ?? 0) / 100
        let interiorError = (runtime.interiorMape ?? runtime.nestedMape ?? 0) / 100
        // "Fastest" does not tell apart durations closer than the measurement's own noise: two
        // standard errors of the fastest measured size's robust mean (unmeasured sizes carry
        // the model's error through `margin` instead).
        let fastestPoint = runtime.points.min { $0.center < $1.center }
        let noise = fastestPoint.map { 2 * $0.standardError / $0.center } ?? 0
        let fastTolerance = max(settings.fastestTolerance, noise)
        let share = settings.coldStartShare ?? inputs.coldShare
        let measuredSizes = Set(inputs.measured.map(\.memoryMB))
        let fitted = runtime.points.map { Int($0.memoryMB) }
        let lowObs = fitted.min() ?? 0
        let highObs = fitted.max() ?? 0
        let memorySafe = grid.map { m in memory?.minimumSafeMB.map { m >= $0 } ?? (memory == nil) }
        // Sizes at or below one where >= 5% of invocations timed out are not candidates either:
        // their durations are censored at the timeout, so the curve cannot speak for them.
        let timeoutFloor = timeoutFloorMB(inputs.measured.map(\.observation))
        if let timeoutFloor { warn("\(timeoutFloor) MB: 5% or more of the invocations timed out; sizes up to it are not recommended") }
        let source = grid.map { m -> String in
            if measuredSizes.contains(m) { return "measured" }
            return m < lowObs || m > highObs ? "extrapolated" : "modelled"
        }
        let excluded = grid.indices.map { k -> String? in
            if !memorySafe[k] { return "memory" }
            if let t = timeoutFloor, grid[k] <= t { return "timeouts" }
            switch source[k] {
            case "extrapolated": return settings.extrapolate && inputs.fills ? nil : "extrapolated"
            case "modelled": return inputs.fills ? nil : (runtime.nested == nil ? "unverified_model" : "model_error")
            default: return nil
            }
        }
        // How much better an unmeasured size must look to be preferred to a measured one.
        let margin = source.map { s in s == "measured" ? 0 : (s == "modelled" ? interiorError : nestedError) }
        let eligible = excluded.map { $0 == nil }

        let warmBilled = inputs.measured.map { $0.warmBilled?.mean }
        let coldBilled = inputs.measured.map { $0.coldBilled?.mean }
        let values = curveValues(inputs, runtime: runtime.anchored, warmBilled: warmBilled, coldBilled: coldBilled, share: share)
        let best = pick(values.duration, values.cost, eligible, margin, fastTolerance)

        // Bootstrap replicates.
        var rng = SplitMix64(seed: settings.bootstrapSeed ^ SplitMix64.seed(from: function.function + "\u{0}" + groupName))
        var repD: [[Double]] = []
        var repC: [[Double]] = []
        var repChoices: [RuleChoice] = []
        let form = runtime.chosen.form
        for _ in 0..<settings.bootstrapResamples {
            let resampled = runtime.points.map { p -> SizePoint in
                var q = p
                q.center = p.center + rng.normal() * p.standardError
                return q
            }
            let wb = inputs.measured.map { s in s.warmBilled.map { max(0, $0.mean + rng.normal() * $0.standardError) } }
            let cb = inputs.measured.map { s in s.coldBilled.map { max(0, $0.mean + rng.normal() * $0.standardError) } }
            guard resampled.allSatisfy({ $0.center > 0 }), let f = CurveFitter.fit(form, resampled) else { continue }
            let v = curveValues(
                inputs, runtime: AnchoredCurve(fit: f, measured: resampled), warmBilled: wb, coldBilled: cb, share: share)
            guard v.duration.allSatisfy(\.isFinite), v.cost.allSatisfy(\.isFinite) else { continue }
            repD.append(v.duration)
            repC.append(v.cost)
            repChoices.append(pick(v.duration, v.cost, eligible, margin, fastTolerance))
        }
        let tail = (1 - settings.confidenceLevel) / 2
        func interval(_ reps: [[Double]], _ k: Int, _ point: Double) -> (Double, Double) {
            let v = reps.map { $0[k] }.sorted()
            guard let lo = Sorted.quantile(v, tail), let hi = Sorted.quantile(v, 1 - tail) else { return (point, point) }
            return (min(lo, point) / (1 + margin[k]), max(hi, point) * (1 + margin[k]))
        }
        let spreads = inputs.measured.map { inputs.kind == "cold" ? $0.coldSpread : $0.warmSpread }
        let centres = inputs.measured.map { inputs.kind == "cold" ? $0.cold?.center : $0.warm?.center }
        // Single invocations around the mean, where not measured: the measured sizes' spread
        // relative to their centre (the median ratio over the sizes).
        let relative = zip(spreads, centres).compactMap { s, c -> (Double, Double)? in
            guard let s, let c, c > 0 else { return nil }
            return (s.lo / c, s.hi / c)
        }
        let relLo = Sorted.quantile(relative.map(\.0).sorted(), 0.5) ?? 1
        let relHi = Sorted.quantile(relative.map(\.1).sorted(), 0.5) ?? 1
        let spreadBySize = Dictionary(uniqueKeysWithValues: zip(inputs.measured.map(\.memoryMB), spreads))

        let d = values.duration
        let c = values.cost
        var costCurve: [CostPoint] = []
        for (k, m) in grid.enumerated() {
            let (dlo, dhi) = interval(repD, k, d[k])
            let (clo, chi) = interval(repC, k, c[k])
            var point = CostPoint(
                memoryMB: m, durationMs: significant(d[k]), durationLoMs: significant(dlo), durationHiMs: significant(dhi),
                billedMs: significant(values.billed[k]), costUSD: significant(c[k]), costLo: significant(clo),
                costHi: significant(chi), observed: measuredSizes.contains(m), extrapolated: m < lowObs || m > highObs,
                memorySafe: memorySafe[k], excluded: excluded[k])
            point.source = source[k]
            if source[k] == "measured", let s = spreadBySize[m] ?? nil {
                point.invocationLoMs = significant(s.lo)
                point.invocationHiMs = significant(s.hi)
            } else {
                point.invocationLoMs = significant(dlo * relLo)
                point.invocationHiMs = significant(dhi * relHi)
            }
            costCurve.append(point)
        }

        let currentIndex = current.flatMap { grid.firstIndex(of: $0) }
        let medians = Dictionary(
            uniqueKeysWithValues: inputs.measured.map {
                ($0.memoryMB, inputs.kind == "cold" ? $0.observation.coldDurationP50Ms : $0.observation.durationP50Ms)
            })
        func recommend(_ index: Int?, _ rule: String, _ picked: (RuleChoice) -> Int?) -> Recommendation? {
            guard let k = index else { return nil }
            let choices = repChoices.compactMap(picked).map { Double(grid[$0]) }.sorted()
            let (dlo, dhi) = interval(repD, k, d[k])
            let (clo, chi) = interval(repC, k, c[k])
            let saving = currentIndex.map { ci in (c[ci] - c[k]) / c[ci] * 100 }
            var r = Recommendation(
                memoryMB: grid[k], costPerMillionUSD: significant(c[k] * 1e6), costPerMillionCILoUSD: significant(clo * 1e6),
                costPerMillionCIHiUSD: significant(chi * 1e6), durationMs: significant(d[k]), durationCILoMs: significant(dlo),
                durationCIHiMs: significant(dhi),
                memoryCILoMB: Int(Sorted.quantile(choices, tail)?.rounded() ?? Double(grid[k])),
                memoryCIHiMB: Int(Sorted.quantile(choices, 1 - tail)?.rounded() ?? Double(grid[k])),
                stability: significant(
                    choices.isEmpty ? 1 : Double(choices.filter { $0 == Double(grid[k]) }.count) / Double(choices.count), 4),
                savingVsCurrentPct: significant(saving),
                savingPerMillionUSD: currentIndex.map { significant((c[$0] - c[k]) * 1e6) },
                extrapolated: source[k] == "extrapolated", rule: rule)
            r.source = source[k]
            r.measuredMedianMs = source[k] == "measured" ? (medians[grid[k]] ?? nil) : nil
            return r
        }
        let w = settings.balancedWeight
        let recs = Recommendations(
            cheapest: recommend(best.cheapest, "lowest cost per invocation among eligible sizes", \.cheapest),
            fastest: recommend(
                best.fastest,
                "cheapest size whose mean duration is within \(significant(fastTolerance * 100, 3))% (the larger of \(significant(settings.fastestTolerance * 100))% and two standard errors of the fastest measured size's mean) of the fastest",
                \.fastest),
            balanced: recommend(
                best.balanced, "minimises \(significant(w)) x cost/min cost + \(significant(1 - w)) x duration/min duration", \.balanced),
            underLatencyBound: recommend(
                best.bound, "cheapest size with mean duration <= \(significant(settings.maxDurationMs ?? 0)) ms", \.bound))
        if best.cheapest == nil { warn("no eligible size on the grid (memory floor, timeouts): no recommendation") }
        if settings.maxDurationMs != nil, best.bound == nil, best.cheapest != nil {
            warn("no size is predicted to finish within \(significant(settings.maxDurationMs!)) ms")
        }
        if settings.extrapolate, !inputs.fills {
            warn("--extrapolate: not applied, the runtime model's nested error is too large to predict unmeasured sizes")
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

    /// Every rule's size. Unmeasured sizes are judged pessimistically: their duration and cost
    /// count as (1 + margin) times the modelled value, so they win only when clearly better.
    func pick(_ d: [Double], _ c: [Double], _ eligible: [Bool], _ margin: [Double], _ fastTolerance: Double) -> RuleChoice {
        let idx = d.indices.filter { eligible[$0] }
        let dp = d.indices.map { d[$0] * (1 + margin[$0]) }
        let cp = c.indices.map { c[$0] * (1 + margin[$0]) }
        func cheapest(_ among: [Int]) -> Int? { among.min { cp[$0] < cp[$1] || (cp[$0] == cp[$1] && $0 < $1) } }
        guard let cheap = cheapest(idx) else { return RuleChoice() }
        let dmin = idx.map { dp[$0] }.min()!
        let fast = cheapest(idx.filter { dp[$0] <= dmin * (1 + fastTolerance) })
        let w = settings.balancedWeight
        let cmin = cp[cheap]
        let score: (Int) -> Double = { k in w * cp[k] / cmin + (1 - w) * (dmin > 0 ? dp[k] / dmin : 1) }
        let balanced = idx.min { score($0) < score($1) || (score($0) == score($1) && $0 < $1) }
        let bound = settings.maxDurationMs.flatMap { x in cheapest(idx.filter { dp[$0] <= x }) }
        return RuleChoice(cheapest: cheap, fastest: fast, balanced: balanced, bound: bound)
    }
}
