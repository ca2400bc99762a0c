import JSON
import NDJSONIO
import RecordSchema
import SeededRandom

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Log records generated with the emulator's physics, for `fit --selftest`, the tests and
/// the benchmark: a known truth to check the models against.
public struct SyntheticFunction: Sendable {
    public var name: String
    public var payload: String
    /// Mean warm duration (ms) at memory m (MB).
    public var duration: @Sendable (Double) -> Double
    /// Mean Init Duration (ms) at memory m.
    public var initDuration: @Sendable (Double) -> Double
    /// Mean Max Memory Used (MB).
    public var maxMemoryMB: Double
    /// Relative standard deviation of durations.
    public var noise: Double

    public init(
        name: String, payload: String, duration: @escaping @Sendable (Double) -> Double,
        initDuration: @escaping @Sendable (Double) -> Double, maxMemoryMB: Double, noise: Double
    ) {
        self.name = name
        self.payload = payload
        self.duration = duration
        self.initDuration = initDuration
        self.maxMemoryMB = maxMemoryMB
        self.noise = noise
    }

    /// Single-threaded CPU work: t = base + work·1769/min(m, 1769) (the emulator gives memory/1769 of a core).
    public static func cpuBound(
        name: String = "cpu-bound", baseMs: Double = 4, workMs: Double = 180,
        maxMemoryMB: Double = 60
    ) -> SyntheticFunction {
        SyntheticFunction(
            name: name, payload: #"{"cmds":{"cpu":{"n":200000}}}"#,
            duration: { m in baseMs + workMs * 1769 / min(m, 1769) },
            initDuration: { m in 80 + 120 * 1769 / min(m, 1769) }, maxMemoryMB: maxMemoryMB, noise: 0.05)
    }

    /// Sleeping: the duration does not depend on memory.
    public static func sleepBound(name: String = "sleep-bound", sleepMs: Double = 100, maxMemoryMB: Double = 45) -> SyntheticFunction {
        SyntheticFunction(
            name: name, payload: #"{"cmds":{"sleep":100}}"#, duration: { _ in sleepMs + 1.5 },
            initDuration: { m in 80 + 120 * 1769 / min(m, 1769) }, maxMemoryMB: maxMemoryMB, noise: 0.02)
    }

    /// What the cost model should find: expected cost per invocation at m with no cold starts.
    public func trueCost(_ m: Double, gbSecondUSD: Double, requestUSD: Double, granularityMs: Double) -> Double {
        gbSecondUSD * m / 1024 * max(granularityMs, duration(m) + granularityMs / 2) / 1000 + requestUSD
    }
}

public enum SyntheticLogs {
    /// Calls `body` with a run header, then `perSize` log records per function and memory size
    /// (the first `coldPerSize` of each size cold), deterministically from `seed`.
    public static func generate(
        _ functions: [SyntheticFunction], memorySizes: [Int], perSize: Int, coldPerSize: Int = 0,
        outlierRate: Double = 0.01, seed: UInt64 = 1, _ body: (Record) throws -> Void
    ) rethrows {
        var rng = SplitMix64(seed: seed)
        let header = RunHeader(
            run: "synthetic-\(seed)", seed: seed, seedGenerated: false,
            workloadSHA256: String(repeating: "0", count: 64), workload: .emptyObject,
            memorySizes: memorySizes, scheduled: functions.count * memorySizes.count * perSize,
            generator: "synthetic", tools: ["synthetic"])
        try body(.run(header))
        var seq = 0
        for (phase, m) in memorySizes.enumerated() {
            for f in functions {
                let payload = RawJSON(validated: f.payload)
                for k in 0..<perSize {
                    var d = f.duration(Double(m)) * exp(f.noise * rng.normal() - f.noise * f.noise / 2)
                    if rng.openUnit() < outlierRate { d *= 3 + 2 * rng.openUnit() }  // a slow neighbour, GC, ...
                    d = (d * 100).rounded() / 100
                    let cold = k < coldPerSize
                    let initMs = cold ? ((f.initDuration(Double(m)) * exp(0.05 * rng.normal())) * 100).rounded() / 100 : nil
                    let used = Int((f.maxMemoryMB + 2 * rng.normal()).rounded())
                    try body(
                        logRecord(
                            header: header, seq: seq, phase: phase, memoryMB: m, function: f.name, payload: payload,
                            index: k, durationMs: d, billedMs: (d + (initMs ?? 0)).rounded(.up), initMs: initMs,
                            maxMemoryMB: max(1, used)))
                    seq += 1
                }
            }
        }
    }

    /// One log record: call `index` of a function's phase, with the REPORT figures given.
    public static func logRecord(
        header: RunHeader, seq: Int, phase: Int, memoryMB m: Int, function: String, payload: RawJSON, index k: Int,
        durationMs d: Double, billedMs: Double, initMs: Double?, maxMemoryMB: Int
    ) -> Record {
        let call = ScheduledCall(
            run: header.run, seq: seq, phase: phase, memoryMB: m, instance: function,
            application: function, atS: Double(k) * 0.01,
            target: .lambda(function: function, region: "us-east-1", invocationType: "RequestResponse", qualifier: nil),
            payload: payload, payloadIndex: 0, seed: header.seed)
        let report = Report(
            requestId: "req-\(seq)", durationMs: d, billedMs: billedMs, memoryMB: m, maxMemoryMB: maxMemoryMB, initMs: initMs)
        let inv = Invocation(
            call: call, phaseStartUnixMs: 1_700_000_000_000 + Double(phase) * 60_000,
            sentUnixMs: 1_700_000_000_000 + Double(phase) * 60_000 + Double(k) * 10,
            lagMs: 0.1, latencyMs: d + 2, scheduledLatencyMs: d + 2.1, httpStatus: 200,
            requestId: "req-\(seq)", attempts: 1, responseBytes: 100)
        return .log(
            LogRecord(
                invocation: inv, report: report, logStream: "2026/11/24/[$LATEST]\(phase)",
                logTimestampUnixMs: 1_700_000_000_000 + Double(seq), joinedBy: .requestId))
    }

    /// Writes a logs.ndjson file of synthetic records.
    public static func write(
        path: String, _ functions: [SyntheticFunction], memorySizes: [Int], perSize: Int,
        coldPerSize: Int = 0, outlierRate: Double = 0.01, seed: UInt64 = 1
    ) throws {
        var writer = NDJSONWriter(try OutputFile(path: path))
        try generate(
            functions, memorySizes: memorySizes, perSize: perSize, coldPerSize: coldPerSize,
            outlierRate: outlierRate, seed: seed
        ) { try writer.write($0) }
        try writer.finish()
    }
}
