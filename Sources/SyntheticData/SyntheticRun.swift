import Foundation
import JSON
import NDJSONIO
import RecordSchema
import SeededRandom

/// Synthetic but realistic records and models, shaped like a real run of the pipeline:
/// for examples, the report's tests and its benchmark (the real stages need a platform).
/// A CPU-bound function (duration ≈ 20 + 1500·1769/min(m, 1769) ms) and a sleep-bound one
/// (≈ 100 ms flat), a few cold starts, throttles and errors. Seeded: same options, same bytes.
public struct SyntheticRun: Sendable {
    public var functions = ["cpu-bound", "sleep-bound"]
    public var memorySizes = [128, 256, 512, 1024, 1769]
    /// Calls per function per memory size.
    public var callsPerSize = 200
    public var coldStarts = true
    public var logWaitTimedOut = false
    /// Drop a share of REPORT lines (as a timed-out wait would).
    public var missingReportShare = 0.0
    public var seed: UInt64 = 42

    public init() {}

    public struct Paths: Sendable {
        public var models: String, logs: String, invocations: String
    }

    static let price = PricingUsed(
        region: "us-east-1", architecture: "x86_64", gbSecondUSD: 0.0000166667,
        requestUSD: 0.0000002, billingGranularityMs: 1, source: "built-in (synthetic)")

    func duration(_ function: String, _ m: Int) -> Double {
        if function.contains("sleep") { return 100 + 2000 / Double(m) }
        if function.contains("cpu") || functions.firstIndex(of: function) == 0 { return 20 + 1500 * 1769 / Double(min(m, 1769)) }
        return 50 + 400 * 1769 / Double(min(m, 1769))
    }

    /// Writes models.json, logs.ndjson and invocations.ndjson into `directory`.
    @discardableResult
    public func write(to directory: String) throws -> Paths {
        let paths = Paths(
            models: directory + "/models.json", logs: directory + "/logs.ndjson", invocations: directory + "/invocations.ndjson")
        var rng = SplitMix64(seed: seed)
        let instances = functions.enumerated().map { ("instance\($0.offset + 1)", $0.element) }
        let rate = 10.0
        let phaseS = Double(callsPerSize) / rate
        var workload =
            "{\"test_name\":\"SyntheticReport\",\"test_duration_in_seconds\":\(Int(phaseS.rounded(.up))),\"random_seed\":\(seed),\"memory_sizes\":["
        workload += memorySizes.map(String.init).joined(separator: ",") + "],\"instances\":{"
        workload +=
            instances.map {
                "\"\(Self.jsonEscape($0.0))\":{\"application\":\"\(Self.jsonEscape($0.1))\",\"distribution\":\"Poisson\",\"rate\":\(Int(rate)),\"payload\":\"payload.json\"}"
            }
            .joined(separator: ",") + "}}"
        let header = RunHeader(
            run: "synthetic-\(seed)", seed: seed, seedGenerated: false,
            workloadSHA256: String(repeating: "ab", count: 32), workload: try RawJSON(parsing: workload),
            memorySizes: memorySizes, scheduled: callsPerSize * memorySizes.count * functions.count,
            generator: "rightsize", tools: ["plan 0.1.0", "invoke 0.1.0"])
        var invWriter = try InvocationsWriter(path: paths.invocations, header: header)
        var logWriter = NDJSONWriter(try OutputFile(path: paths.logs))
        var logHeader = header
        logHeader.tools.append("await-logs 0.1.0")
        try logWriter.write(.run(logHeader))
        var seq = 0
        var outcomes: [String: Int] = [:]
        var found: [String: Int] = [:]
        var expected: [String: Int] = [:]
        let start = 1_767_225_600_000.0  // 2026-01-01, fixed
        for (phase, m) in memorySizes.enumerated() {
            let phaseStart = start + Double(phase) * (phaseS + 10) * 1000
            // Interleave the instances' calls in time order, as a real schedule is.
            var at = [Double](repeating: 0, count: instances.count)
            var events: [(Double, Int)] = []
            for (k, _) in instances.enumerated() {
                for _ in 0..<callsPerSize {
                    at[k] += -log(1 - rng.unit()) / rate
                    events.append((at[k], k))
                }
            }
            events.sort { $0.0 < $1.0 || ($0.0 == $1.0 && $0.1 < $1.1) }
            var warmEnvironments = [Int](repeating: 0, count: instances.count)
            for (atS, k) in events {
                let (instance, function) = instances[k]
                let call = ScheduledCall(
                    run: header.run, seq: seq, phase: phase, memoryMB: m, instance: instance, application: function,
                    atS: atS, target: .lambda(function: function, region: "us-east-1", invocationType: "RequestResponse", qualifier: nil),
                    payload: .emptyObject, payloadIndex: 0, seed: seed)
                seq += 1
                let lag = -log(1 - rng.unit()) * 0.6
                let u = rng.unit()
                var inv = Invocation(
                    call: call, phaseStartUnixMs: phaseStart, sentUnixMs: phaseStart + atS * 1000 + lag, lagMs: lag,
                    attempts: 1, responseBytes: 120)
                let throttled = u < 0.004
                let cold = coldStarts && (warmEnvironments[k] < 2 || rng.unit() < 0.01)
                if !throttled { warmEnvironments[k] += 1 }
                let base = duration(function, m) * (1 + 0.06 * (rng.unit() + rng.unit() + rng.unit() - 1.5)) * (rng.unit() < 0.02 ? 1.8 : 1)
                let oom = m == 128 && function == functions.last && rng.unit() < 0.01
                let timeout = !oom && rng.unit() < 0.002
                let initMs = cold ? 180 + 25_000 / Double(m) + rng.unit() * 40 : nil
                let d = timeout ? 3000 : base
                if throttled {
                    inv.error = .throttled
                    inv.httpStatus = 429
                    inv.latencyMs = 8
                    inv.scheduledLatencyMs = 8 + lag
                    outcomes["throttled", default: 0] += 1
                } else {
                    inv.httpStatus = 200
                    inv.requestId = "req-\(seq)"
                    inv.latencyMs = d + (initMs ?? 0) + 12 + rng.unit() * 6
                    inv.scheduledLatencyMs = inv.latencyMs! + lag
                    if oom || timeout { inv.functionError = "Unhandled" }
                    outcomes["ok", default: 0] += 1
                    expected[function, default: 0] += 1
                }
                try invWriter.write(inv)
                guard !throttled, rng.unit() >= missingReportShare else { continue }
                found[function, default: 0] += 1
                let report = Report(
                    requestId: inv.requestId!, durationMs: (d * 100).rounded() / 100,
                    billedMs: d.rounded(.up) + (initMs.map { $0.rounded(.up) } ?? 0),
                    memoryMB: m, maxMemoryMB: oom ? m : Int(38 + (function == functions.last ? 40 : 12) + rng.unit() * 6),
                    initMs: initMs.map { ($0 * 100).rounded() / 100 },
                    status: oom ? .oom : timeout ? .timeout : .success, errorType: oom ? "Runtime.OutOfMemory" : nil)
                try logWriter.write(
                    .log(
                        LogRecord(
                            invocation: inv, report: report, logStream: "2026/01/01/[$LATEST]\(k)",
                            logTimestampUnixMs: inv.sentUnixMs! + d + 20, joinedBy: .requestId)))
            }
        }
        let scheduled = seq
        let summary = InvokeSummary(
            scheduled: scheduled, sent: scheduled, notSent: 0, interrupted: false,
            startedUnixMs: start, endedUnixMs: start + Double(memorySizes.count) * (phaseS + 10) * 1000,
            outcomes: outcomes)
        for f in functions {
            try logWriter.write(
                .logWait(
                    LogWaitSummary(
                        function: f, logGroup: "/aws/lambda/\(f)", expected: expected[f] ?? 0,
                        found: found[f] ?? 0, timedOut: logWaitTimedOut, unmatched: 0, unparseable: 0,
                        waitedS: logWaitTimedOut ? 300 : 12.5, apiCalls: 14)))
        }
        try invWriter.finish(summary: summary)
        try logWriter.finish()
        try writeModels(paths.models, header: logHeader)
        return paths
    }

    func writeModels(_ path: String, header: RunHeader) throws {
        let grid = Array(Set(Array(stride(from: 128, through: 3008, by: 64)) + memorySizes)).sorted()
        let fitted = memorySizes.count >= 2
        let models = functions.map { f -> FunctionModel in
            func costPoint(_ m: Int) -> CostPoint {
                let d = duration(f, m)
                let c = Self.price.gbSecondUSD * Double(m) / 1024 * d.rounded(.up) / 1000 + Self.price.requestUSD
                let w = memorySizes.contains(m) ? 0.03 : 0.06
                return CostPoint(
                    memoryMB: m, durationMs: d, durationLoMs: d * (1 - w), durationHiMs: d * (1 + w), billedMs: d.rounded(.up),
                    costUSD: c, costLo: c * (1 - w), costHi: c * (1 + w), observed: memorySizes.contains(m),
                    extrapolated: m > memorySizes.max()! || m < memorySizes.min()!, memorySafe: true)
            }
            let curve = fitted ? grid.map(costPoint) : []
            let current = 1024
            let cur = costPoint(current)
            func rec(_ p: CostPoint, _ rule: String) -> Recommendation {
                Recommendation(
                    memoryMB: p.memoryMB, costPerMillionUSD: p.costUSD * 1e6, costPerMillionCILoUSD: p.costLo * 1e6,
                    costPerMillionCIHiUSD: p.costHi * 1e6, durationMs: p.durationMs, durationCILoMs: p.durationLoMs,
                    durationCIHiMs: p.durationHiMs, memoryCILoMB: max(128, p.memoryMB - 64), memoryCIHiMB: p.memoryMB + 64,
                    stability: 0.82, savingVsCurrentPct: (cur.costUSD - p.costUSD) / cur.costUSD * 100,
                    savingPerMillionUSD: (cur.costUSD - p.costUSD) * 1e6, extrapolated: p.extrapolated, rule: rule)
            }
            var recs: Recommendations?
            if fitted {
                let cheapest = curve.min { $0.costUSD < $1.costUSD }!
                let minD = curve.map(\.durationMs).min()!
                let fastest = curve.first { $0.durationMs <= minD * 1.05 }!
                let maxC = curve.map(\.costUSD).max()!
                let maxD = curve.map(\.durationMs).max()!
                let balanced = curve.min {
                    0.5 * $0.costUSD / maxC + 0.5 * $0.durationMs / maxD < 0.5 * $1.costUSD / maxC + 0.5 * $1.durationMs / maxD
                }!
                recs = Recommendations(
                    cheapest: rec(cheapest, "The size with the lowest predicted cost per invocation."),
                    fastest: rec(fastest, "The cheapest size within 5% of the shortest predicted duration."),
                    balanced: rec(balanced, "Minimises 0.5 × relative cost + 0.5 × relative duration."),
                    underLatencyBound: nil)
            }
            let form = f.contains("sleep") ? "inverse" : "cpu_share"
            let runtime =
                fitted
                ? CurveModel(
                    form: form, formula: form == "cpu_share" ? "t = a + b*1769/min(m,1769)" : "t = a + b/m",
                    parameters: form == "cpu_share" ? ["a": 20, "b": 1500] : ["a": 100, "b": 2000],
                    standardErrors: ["a": 0.8, "b": 3.1], r2: 0.9991, mape: 1.2, looMape: 2.4, candidates: [],
                    robust: "5% trimmed per size", selection: "Chosen by leave-one-memory-size-out MAPE.",
                    sizes: memorySizes.count, points: callsPerSize * memorySizes.count) : nil
            return FunctionModel(
                function: f, payloadGroup: "all", payload: nil, currentMemoryMB: current, observations: [],
                runtime: runtime, memory: nil, coldStart: nil, costCurve: curve, recommendations: recs,
                warnings: fitted ? [] : ["Only one memory size was measured: no runtime curve."])
        }
        let file = ModelsFile(
            provenance: ModelProvenance(
                tool: "fit", version: "0.1.0", inputs: [], workloadSHA256: header.workloadSHA256,
                seed: header.seed, run: header.run, tools: header.tools + ["fit 0.1.0"]),
            pricing: Self.price,
            options: FitOptionsUsed(
                gridMinMB: 128, gridMaxMB: 3008, gridStepMB: 64, maxDurationMs: nil, balancedWeight: 0.5,
                trimFraction: 0.05, bootstrapResamples: 200, bootstrapSeed: 1, confidenceLevel: 0.95,
                memorySafetySigmas: 3, memorySafetyFraction: 0.1, fastestTolerance: 0.05,
                minInvocationsPerSize: 5, currentMemoryMB: 1024),
            functions: models, logWait: [], warnings: [])
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .prettyPrinted]
        var out = try OutputFile(path: path)
        try out.write(Array(try encoder.encode(file)))
        try out.commit()
    }

    static func jsonEscape(_ s: String) -> String {
        var w = JSONWriter()
        w.string(s)
        return String(w.text.dropFirst().dropLast())
    }
}
