import NDJSONIO
import OrderStatistics
import RecordSchema

/// Builds the FunctionModel of one function's payload group: measurements per size, runtime
/// curve, memory model, cold-start model, cost curve and recommendations.
struct FunctionFitter {
    let function: FunctionLogs
    let samples: [Sample]
    let groupName: String
    let payloadText: String?
    let settings: FitSettings
    let pricing: PricingUsed
    var warnings: [String] = []

    static let robustNote =
        "per memory size and payload, the \(Int(FitSettings().trimFraction * 100))% fastest and slowest successful invocations are trimmed; the trimmed means (the robust mean) are mixed by the payloads' counts; weighted least squares (weights n/centre², i.e. relative errors) on those centres equals least squares over every kept invocation; every coefficient is non-negative, so each curve is positive and non-increasing in memory"

    /// The nested error at interior sizes up to which the model fills sizes between measured
    /// ones (docs/fit.md): above it, recommendations are among the measured sizes only.
    static let fillThresholdPct = 10.0

    mutating func build() -> FunctionModel {
        let sizes = Set(samples.map { Int($0.memoryMB) }).sorted()
        let measured = measure(sizes, Self.grouped(samples))
        let observations = measured.map(\.observation)
        let current = settings.currentMemoryMB ?? function.phaseMemory.min(by: { $0.key < $1.key })?.value
        let minN = settings.minInvocationsPerSize
        let warmPoints = measured.compactMap { $0.observation.warmN >= minN ? $0.warm : nil }.filter { $0.center > 0 }
        let coldPoints = measured.compactMap { ($0.cold?.n ?? 0) >= minN ? $0.cold : nil }.filter { $0.center > 0 }

        // The runtime curve models warm calls; a function with too few warm calls at two sizes
        // (rarely invoked: mostly cold) is modelled from its cold calls' Duration instead.
        var kind = "warm"
        var runtimePoints = warmPoints
        if warmPoints.count < 2, coldPoints.count >= 2 {
            kind = "cold"
            runtimePoints = coldPoints
            warn(
                "fewer than 2 memory sizes with \(minN)+ warm successful invocations: the runtime curve models the cold invocations' Duration (\(coldPoints.count) sizes); costs add their Init Duration"
            )
        }
        var runtime: CurveAnalysis?
        if runtimePoints.count >= 2 {
            runtime = CurveAnalysis(runtimePoints)
            if runtime == nil { warn("the runtime forms could not be fitted") }
            if runtimePoints.count < sizes.count {
                warn(
                    "\(sizes.count - runtimePoints.count) memory size(s) had fewer than \(minN) successful \(kind) invocations and were left out of the runtime fit"
                )
            }
        } else {
            warn(
                "runtime curve needs at least 2 memory sizes with \(minN)+ successful warm (or cold) invocations; found \(runtimePoints.count) (\(sizes.map { "\($0) MB" }.joined(separator: ", "))): only observations are reported"
            )
        }
        let fills = runtime.map { ($0.interiorMape ?? .infinity) <= Self.fillThresholdPct } ?? false
        if let r = runtime {
            if r.nested == nil {
                warn(
                    "only \(r.points.count) memory sizes: the runtime model cannot be cross-validated, so recommendations are among the measured sizes only (measure at least 3, better 4+)"
                )
            } else if !fills, let e = r.interiorMape ?? r.nestedMape {
                warn(
                    "runtime model's nested leave-one-size-out error is \(format(e))% (above \(format(Self.fillThresholdPct))%): no form predicts unmeasured sizes well enough, so recommendations are among the measured sizes only"
                )
            } else if let e = r.nestedMape, e > Self.fillThresholdPct {
                warn("runtime model's nested leave-one-size-out error is \(format(e))% (end sizes): extrapolation is uncertain")
            }
        }
        let mismatches = measured.reduce(0) { $0 + ($1.observation.memoryMismatches ?? 0) }
        if mismatches > 0 {
            let mismatchedSizes = measured.filter { ($0.observation.memoryMismatches ?? 0) > 0 }.map { "\($0.memoryMB) MB" }
            warn(
                "\(mismatches) REPORT line(s) ran at a memory size other than their phase configured (\(mismatchedSizes.joined(separator: ", "))): they are modelled at the size Lambda reported, not pooled with their phase; with a qualifier, memory changes apply to $LATEST only"
            )
        }

        let memory = memoryModel(sizes)
        let coldCurve = kind == "warm" && coldPoints.count >= 2 ? CurveAnalysis(coldPoints) : nil
        let initCurve = CurveAnalysis(measured.compactMap { $0.initDuration }.filter { $0.center > 0 })
        let cold = coldStartModel(sizes, initCurve: initCurve, durationCurve: coldCurve)

        var costCurve: [CostPoint] = []
        var recommendations: Recommendations?
        if let runtime {
            let grid = settings.grid(adding: sizes + (current.map { [$0] } ?? []))
            (costCurve, recommendations) = costs(
                CostInputs(
                    grid: grid, runtime: runtime, kind: kind, fills: fills, measured: measured,
                    coldCurve: coldCurve, initCurve: initCurve, coldShare: cold.share),
                memory: memory, current: current)
        }
        let flat = runtime?.chosen.form == .flat
        if flat { warn("duration does not depend on memory here (the flat form was chosen): the smallest memory-safe size is cheapest") }
        var model = FunctionModel(
            function: function.function, payloadGroup: groupName, payload: payloadText,
            currentMemoryMB: current, observations: observations,
            runtime: runtime?.model(invocations: kind, robust: Self.robustNote), memory: memory,
            coldStart: cold, costCurve: costCurve, recommendations: recommendations, warnings: warnings)
        model.measuredSizes = sizes
        model.durationDependsOnMemory = runtime.map { _ in !flat }
        model.modelFillsBetween = runtime.map { _ in fills }
        model.fillThresholdPct = Self.fillThresholdPct
        model.memoryMismatches = mismatches > 0 ? mismatches : nil
        return model
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

    // MARK: Cold starts

    func coldStartModel(_ sizes: [Int], initCurve: CurveAnalysis?, durationCurve: CurveAnalysis?) -> ColdStartModel {
        // One pass: invocations per phase, Init Durations per phase.
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
        let initsByPhase = Dictionary(grouping: cold, by: { Int($0.phase) })
        let phases = phaseOf.indices.sorted { phaseOf[$0] < phaseOf[$1] }.map { k -> ColdStartPhase in
            let phase = phaseOf[k]
            let inits = (initsByPhase[phase] ?? []).map(\.initMs).sorted()
            return ColdStartPhase(
                phase: phase, memoryMB: function.phaseMemory[phase] ?? firstMemory[k], n: n[k],
                coldN: inits.count, share: significant(Double(inits.count) / Double(n[k])),
                initP50Ms: significant(Sorted.quantile(inits, 0.5)), initMaxMs: significant(inits.last))
        }
        var model = ColdStartModel(
            share: significant(Double(cold.count) / Double(max(samples.count, 1))), coldN: cold.count,
            initCurve: initCurve?.model(invocations: "cold", robust: "Init Duration: " + Self.robustNote), perPhase: phases)
        model.durationCurve = durationCurve?.model(invocations: "cold", robust: Self.robustNote)
        return model
    }

    func format(_ x: Double) -> String {
        let r = (x * 10).rounded() / 10
        return r == r.rounded() ? String(Int(r)) : String(r)
    }
}
