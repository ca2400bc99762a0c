import Foundation
import NDJSONIO
import OrderStatistics
import RecordSchema
import SeededRandom

/// Everything the report needs from logs.ndjson and invocations.ndjson, aggregated
/// while streaming so a million-call run stays fast and in bounded memory per value
/// (one Double per call for exact quantiles; bounded reservoirs for plotted points).
public struct RunData {
    public var header: RunHeader?
    /// Per function (grouping key: `RunData.functionName`), in name order when listed.
    public var functions: [String: FunctionRun] = [:]
    /// Per workload instance: scheduled and actual send times, for the adherence chart.
    public var instances: [String: InstanceTimeline] = [:]
    /// Per workload instance: the scheduled `at_s` of every cold start (all phases), from the logs.
    public var coldStartAtS: [String: [Double]] = [:]
    public var calls = CallStats()
    public var invokeSummary: InvokeSummary?
    public var logWaits: [LogWaitSummary] = []
    public var logRecords = 0
    public var invocationRecords = 0
    /// True when call-level figures come from invocations.ndjson (else from the log records,
    /// which only cover calls that produced a REPORT line).
    public var callsFromInvocations = false

    public init() {}

    /// The name a call is grouped under, as fit names it: `target.label` (function name or URL).
    public static func functionName(_ call: ScheduledCall) -> String { call.target.label }

    public var functionNames: [String] {
        Array(Set(functions.keys).union(logWaits.map(\.function))).sorted()
    }

    /// Reads logs.ndjson and (optionally) invocations.ndjson, one thread each, hashing
    /// every byte as it streams by (provenance). Calls come from invocations.ndjson when
    /// given, else from the log records' invocation part.
    public static func load(logsPath: String, invocationsPath: String?) throws -> (RunData, [InputFile]) {
        let withCalls = invocationsPath == nil
        var results: [(data: RunData, sha256: String, bytes: Int)]
        if logsPath == "-" || invocationsPath == "-" {
            // Standard input cannot be mapped: stream both files, one after the other.
            results = [try Aggregator.read(path: logsPath, logs: true, callsFromLogs: withCalls)]
            if let invocationsPath { results.append(try Aggregator.read(path: invocationsPath, logs: false, callsFromLogs: false)) }
        } else {
            results = try ParallelLoad.load([(logsPath, true)] + (invocationsPath.map { [($0, false)] } ?? []), callsFromLogs: withCalls)
        }
        var logs = results[0]
        var files = [InputFile(role: "logs", path: logsPath, bytes: logs.bytes, sha256: logs.sha256)]
        if let invocationsPath {
            let calls = results[1]
            files.append(InputFile(role: "invocations", path: invocationsPath, bytes: calls.bytes, sha256: calls.sha256))
            logs.data.takeCalls(from: calls.data)
        }
        logs.data.sortValues()
        return (logs.data, files)
    }

    /// Appends the records of a later chunk of the same file.
    mutating func append(_ o: RunData) {
        if header == nil { header = o.header }
        for (name, f) in o.functions {
            for (m, s) in f.byMemory {
                functions[name, default: FunctionRun(name: name)].byMemory[m, default: MemoryStats(memoryMB: m)].append(s)
            }
        }
        for (name, i) in o.instances {
            instances[name, default: InstanceTimeline(name: name)].append(i)
        }
        calls.append(o.calls)
        coldStartAtS.merge(o.coldStartAtS, uniquingKeysWith: +)
        if let s = o.invokeSummary { invokeSummary = s }
        logWaits += o.logWaits
        logRecords += o.logRecords
        invocationRecords += o.invocationRecords
    }

    /// Sorts every sample once (so quantiles need no further sorting), the arrays spread
    /// over the cores: with a million calls this is several million values.
    mutating func sortValues() {
        typealias Key = (function: String, memory: Int, field: Int)
        var keys: [Key] = []
        for (name, f) in functions {
            for m in f.byMemory.keys { for field in 0..<MemoryStats.sampleCount { keys.append((name, m, field)) } }
        }
        keys.sort { ($0.function, $0.memory, $0.field) < ($1.function, $1.memory, $1.field) }
        var arrays: [[Double]] = keys.map { functions[$0.function]!.byMemory[$0.memory]!.sample($0.field) }
        arrays.append(calls.lagMs)
        let sorted = arrays.concurrentMap(longestFirst: \.count) { sortedValues($0) }
        for (k, key) in keys.enumerated() { functions[key.function]!.byMemory[key.memory]!.setSample(key.field, sorted[k]) }
        calls.lagMs = sorted[keys.count]
    }

    /// Adopts the call-level half of `other` (read from invocations.ndjson).
    mutating func takeCalls(from other: RunData) {
        callsFromInvocations = true
        instances = other.instances
        calls = other.calls
        invocationRecords = other.invocationRecords
        invokeSummary = other.invokeSummary ?? invokeSummary
        if header == nil { header = other.header }
        for (name, f) in other.functions {
            for (m, s) in f.byMemory {
                functions[name, default: FunctionRun(name: name)].byMemory[m, default: MemoryStats(memoryMB: m)].takeCalls(from: s)
            }
        }
    }
}

/// One function's measurements.
public struct FunctionRun {
    public var name: String
    public var byMemory: [Int: MemoryStats] = [:]
    public init(name: String) { self.name = name }

    public var memorySizes: [Int] { byMemory.keys.sorted() }

}

/// Measurements at one memory size.
public struct MemoryStats {
    public var memoryMB: Int
    /// Durations of successful warm calls (exact, for quantiles).
    public var warm: [Double] = []
    /// Durations and Init Durations of successful cold starts.
    public var cold: [Double] = []
    public var inits: [Double] = []
    public var maxMemory: [Double] = []
    public var billedSum = 0.0
    public var reports = 0
    public var statuses: [ReportStatus: Int] = [:]
    /// REPORT lines at this size whose phase asked for another size (the update had not landed).
    public var memoryMismatches = 0
    // Client side (from invocations, or the log records' invocation part).
    public var calls = 0
    public var clientErrors: [String: Int] = [:]
    public var functionErrors = 0
    public var latencyMs: [Double] = []
    public var scheduledLatencyMs: [Double] = []

    init(memoryMB: Int) { self.memoryMB = memoryMB }

    mutating func addReport(_ r: CallFacts) {
        reports += 1
        statuses[r.status!, default: 0] += 1
        billedSum += r.billedMs
        if r.reportMemoryMB != r.memoryMB { memoryMismatches += 1 }
        if let m = r.maxMemoryMB { maxMemory.append(Double(m)) }
        guard r.status == .success else { return }
        if let i = r.initMs {
            cold.append(r.durationMs)
            inits.append(i)
        } else {
            warm.append(r.durationMs)
        }
    }

    mutating func addCall(_ i: CallFacts) {
        calls += 1
        if let e = i.error { clientErrors[e.rawValue, default: 0] += 1 }
        if i.hasFunctionError { functionErrors += 1 }
        if let l = i.latencyMs { latencyMs.append(l) }
        if let l = i.scheduledLatencyMs { scheduledLatencyMs.append(l) }
    }

    static let sampleCount = 6
    /// The per-call samples by index, for sorting them all in parallel.
    func sample(_ k: Int) -> [Double] {
        switch k {
        case 0: warm
        case 1: cold
        case 2: inits
        case 3: maxMemory
        case 4: latencyMs
        default: scheduledLatencyMs
        }
    }
    mutating func setSample(_ k: Int, _ v: [Double]) {
        switch k {
        case 0: warm = v
        case 1: cold = v
        case 2: inits = v
        case 3: maxMemory = v
        case 4: latencyMs = v
        default: scheduledLatencyMs = v
        }
    }

    mutating func append(_ o: MemoryStats) {
        warm += o.warm
        cold += o.cold
        inits += o.inits
        maxMemory += o.maxMemory
        billedSum += o.billedSum
        reports += o.reports
        memoryMismatches += o.memoryMismatches
        statuses.merge(o.statuses, uniquingKeysWith: +)
        calls += o.calls
        clientErrors.merge(o.clientErrors, uniquingKeysWith: +)
        functionErrors += o.functionErrors
        latencyMs += o.latencyMs
        scheduledLatencyMs += o.scheduledLatencyMs
    }

    mutating func takeCalls(from o: MemoryStats) {
        calls = o.calls
        clientErrors = o.clientErrors
        functionErrors = o.functionErrors
        latencyMs = o.latencyMs
        scheduledLatencyMs = o.scheduledLatencyMs
    }

    public var coldShare: Double { reports > 0 ? Double(inits.count) / Double(reports) : .nan }
    public var meanBilledMs: Double { reports > 0 ? billedSum / Double(reports) : .nan }
}

/// A uniform, reproducible sample of at most `k` values, in their original order
/// (Floyd's algorithm with a seeded generator; depends only on the values and the seed).
public func seededSample(_ values: [Double], _ k: Int, seed: UInt64) -> [Double] {
    guard values.count > k else { return values }
    var rng = SplitMix64(seed: seed)
    var chosen = Set<Int>()
    let n = values.count
    for j in (n - k)..<n {
        let t = Int(rng.next() % UInt64(j + 1))
        if !chosen.insert(t).inserted { chosen.insert(j) }
    }
    return chosen.sorted().map { values[$0] }
}

/// Scheduled vs actual send times of one workload instance.
public struct InstanceTimeline {
    public var name: String
    public var scheduledUnixMs: [Double] = []
    public var sentUnixMs: [Double] = []
    public var notSent = 0
    /// Scheduled offsets from the phase start (`at_s`) of every call and of the calls sent:
    /// the trace-shape chart bins them by the trace's interval.
    public var atS: [Double] = []
    public var sentAtS: [Double] = []
    mutating func append(_ o: InstanceTimeline) {
        scheduledUnixMs += o.scheduledUnixMs
        sentUnixMs += o.sentUnixMs
        notSent += o.notSent
        atS += o.atS
        sentAtS += o.sentAtS
    }
    mutating func add(_ i: CallFacts) {
        // A closed loop's call was due when its slot was free: when it was sent.
        scheduledUnixMs.append(i.inClosedLoop ? (i.sentUnixMs ?? i.phaseStartUnixMs) : i.phaseStartUnixMs + i.atS * 1000)
        atS.append(i.atS)
        if let s = i.sentUnixMs {
            sentUnixMs.append(s)
            sentAtS.append(i.atS)
        } else {
            notSent += 1
        }
    }
}

/// Client-side figures over every call.
public struct CallStats {
    public var count = 0
    public var lagMs: [Double] = []
    public var errors: [String: Int] = [:]
    public var httpStatuses: [Int: Int] = [:]
    public var functionErrors = 0
    mutating func append(_ o: CallStats) {
        count += o.count
        lagMs += o.lagMs
        errors.merge(o.errors, uniquingKeysWith: +)
        httpStatuses.merge(o.httpStatuses, uniquingKeysWith: +)
        functionErrors += o.functionErrors
    }
    mutating func add(_ i: CallFacts) {
        count += 1
        if let l = i.lagMs { lagMs.append(l) }
        errors[i.error?.rawValue ?? "ok", default: 0] += 1
        if let s = i.httpStatus { httpStatuses[s, default: 0] += 1 }
        if i.hasFunctionError { functionErrors += 1 }
    }
}
