import Records

/// Everything the report needs from logs.ndjson and invocations.ndjson, aggregated
/// while streaming so a million-call run stays fast and in bounded memory per value
/// (one Double per call for exact quantiles; bounded reservoirs for plotted points).
public struct RunData {
    public var header: RunHeader?
    /// Per function (grouping key: `RunData.functionName`), in name order when listed.
    public var functions: [String: FunctionRun] = [:]
    /// Per workload instance: scheduled and actual send times, for the adherence chart.
    public var instances: [String: InstanceTimeline] = [:]
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

    // MARK: Streaming input

    public mutating func addLog(_ l: LogRecord) {
        logRecords += 1
        let name = Self.functionName(l.invocation.call)
        let memory = l.invocation.call.memoryMB
        functions[name, default: FunctionRun(name: name)].addReport(l.report, phaseMemoryMB: memory)
        if !callsFromInvocations { addCall(l.invocation) }
    }

    public mutating func addInvocation(_ i: Invocation) {
        invocationRecords += 1
        addCall(i)
    }

    mutating func addCall(_ i: Invocation) {
        let name = Self.functionName(i.call)
        functions[name, default: FunctionRun(name: name)].addCall(i)
        instances[i.call.instance, default: InstanceTimeline(name: i.call.instance)].add(i)
        calls.add(i)
    }

    /// Reads invocations.ndjson then logs.ndjson (either may be nil = not given).
    public static func load(logsPath: String, invocationsPath: String?) throws -> RunData {
        var data = RunData()
        if let invocationsPath {
            data.callsFromInvocations = true
            let reader = try NDJSONReader(path: invocationsPath)
            try reader.forEachRecord { _, record in
                switch record {
                case .run(let h): if data.header == nil { data.header = h }
                case .invocation(let i): data.addInvocation(i)
                case .invokeSummary(let s): data.invokeSummary = s
                default: break
                }
            }
        }
        let reader = try NDJSONReader(path: logsPath)
        try reader.forEachRecord { _, record in
            switch record {
            case .run(let h): data.header = h  // the latest stage's header lists every tool
            case .log(let l): data.addLog(l)
            case .logWait(let w): data.logWaits.append(w)
            case .invokeSummary(let s): if data.invokeSummary == nil { data.invokeSummary = s }
            default: break
            }
        }
        return data
    }
}

/// One function's measurements.
public struct FunctionRun {
    public var name: String
    public var byMemory: [Int: MemoryStats] = [:]
    public init(name: String) { self.name = name }

    public var memorySizes: [Int] { byMemory.keys.sorted() }

    mutating func addReport(_ r: Report, phaseMemoryMB: Int) {
        byMemory[phaseMemoryMB, default: MemoryStats(memoryMB: phaseMemoryMB)]
            .add(r)
    }

    mutating func addCall(_ i: Invocation) {
        let m = i.call.memoryMB
        byMemory[m, default: MemoryStats(memoryMB: m)].addCall(i)
    }
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
    /// REPORT lines whose Memory Size differs from the phase's (the update had not landed).
    public var memoryMismatches = 0
    // Client side (from invocations, or the log records' invocation part).
    public var calls = 0
    public var clientErrors: [String: Int] = [:]
    public var functionErrors = 0
    public var latencyMs: [Double] = []
    public var scheduledLatencyMs: [Double] = []

    init(memoryMB: Int) { self.memoryMB = memoryMB }

    mutating func add(_ r: Report) {
        reports += 1
        statuses[r.status, default: 0] += 1
        billedSum += r.billedMs
        if r.memoryMB != memoryMB { memoryMismatches += 1 }
        if let m = r.maxMemoryMB { maxMemory.append(Double(m)) }
        guard r.status == .success else { return }
        if let i = r.initMs {
            cold.append(r.durationMs)
            inits.append(i)
        } else {
            warm.append(r.durationMs)
        }
    }

    mutating func addCall(_ i: Invocation) {
        calls += 1
        if let e = i.error { clientErrors[e.rawValue, default: 0] += 1 }
        if i.functionError != nil { functionErrors += 1 }
        if let l = i.latencyMs { latencyMs.append(l) }
        if let l = i.scheduledLatencyMs { scheduledLatencyMs.append(l) }
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
    mutating func add(_ i: Invocation) {
        scheduledUnixMs.append(i.phaseStartUnixMs + i.call.atS * 1000)
        if let s = i.sentUnixMs { sentUnixMs.append(s) } else { notSent += 1 }
    }
}

/// Client-side figures over every call.
public struct CallStats {
    public var count = 0
    public var lagMs: [Double] = []
    public var latencyMs: [Double] = []
    public var scheduledLatencyMs: [Double] = []
    public var errors: [String: Int] = [:]
    public var httpStatuses: [Int: Int] = [:]
    public var functionErrors = 0
    mutating func add(_ i: Invocation) {
        count += 1
        if let l = i.lagMs { lagMs.append(l) }
        if let l = i.latencyMs { latencyMs.append(l) }
        if let l = i.scheduledLatencyMs { scheduledLatencyMs.append(l) }
        errors[i.error?.rawValue ?? "ok", default: 0] += 1
        if let s = i.httpStatus { httpStatuses[s, default: 0] += 1 }
        if i.functionError != nil { functionErrors += 1 }
    }
}

/// Quantiles of a sample (sorted once; linear interpolation between order statistics).
public struct Quantiles {
    public let sorted: [Double]
    public init(_ values: [Double]) { sorted = values.sorted() }
    public var count: Int { sorted.count }
    public var isEmpty: Bool { sorted.isEmpty }
    public func callAsFunction(_ q: Double) -> Double {
        guard !sorted.isEmpty else { return .nan }
        let pos = q * Double(sorted.count - 1)
        let i = Int(pos), f = pos - Double(i)
        return i + 1 < sorted.count ? sorted[i] + f * (sorted[i + 1] - sorted[i]) : sorted[i]
    }
    public var mean: Double { sorted.isEmpty ? .nan : sorted.reduce(0, +) / Double(sorted.count) }
    public var max: Double { sorted.last ?? .nan }
}
