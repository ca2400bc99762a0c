import NDJSONIO
import OrderStatistics
import RecordSchema

/// What the report shows of closed loops (docs/report.md, "Experiments"): per instance and
/// phase, each step's throughput, latency, throttles, cold starts and environments in use
/// (distinct log streams, one per environment on Lambda and on the emulator), and for a
/// cold-start lifetime sweep the share of cold calls after each idle gap.
public struct Experiments: Sendable {
    public struct StepStats: Sendable {
        public var concurrency = 0
        public var calls = 0, sent = 0, ok = 0, throttled = 0, errors = 0
        /// Calls whose REPORT line has an Init Duration.
        public var cold = 0
        public var logStreams: Set<String> = []
        public var latenciesMs: [Double] = []
        var firstSentMs = Double.infinity, lastEndMs = -Double.infinity

        /// Calls answered OK per second, from the step's first send to its last response: a
        /// throttle is answered at once and would flatter a step past the limit.
        public var throughput: Double? {
            lastEndMs > firstSentMs ? Double(ok) / ((lastEndMs - firstSentMs) / 1000) : nil
        }
    }

    public struct GapStats: Sendable {
        public var calls = 0
        public var cold = 0
    }

    public struct Loop: Sendable {
        public var instance: String
        public var phase: Int
        public var memoryMB: Int
        public var steps: [Int: StepStats] = [:]
        /// Idle gap (s) → calls with a REPORT line after it, and how many were cold.
        public var gaps: [Double: GapStats] = [:]
    }

    /// Keyed "instance\0phase".
    public var loops: [String: Loop] = [:]

    public init() {}

    public var isEmpty: Bool { loops.isEmpty }

    /// Loops in instance, then phase order.
    public var ordered: [Loop] { loops.values.sorted { ($0.instance, $0.phase) < ($1.instance, $1.phase) } }

    static let marker = "\"loop_concurrency\""

    /// Reads the loop calls of both files (calls from invocations.ndjson when given: only it
    /// has the throttled calls; REPORT fields from logs.ndjson). Files already read once by
    /// `RunData`: here only the lines of closed loops are decoded.
    public static func load(logsPath: String, invocationsPath: String?) throws -> Experiments {
        var e = Experiments()
        var reports: [Int: (initMs: Double?, stream: String)] = [:]
        var fromLogs: [Invocation] = []
        try NDJSONReader(path: logsPath).forEachRecord(containing: marker) { _, record in
            guard case .log(let l) = record, l.invocation.call.loop != nil else { return }
            reports[l.invocation.call.seq] = (l.report.initMs, l.logStream)
            if invocationsPath == nil { fromLogs.append(l.invocation) }
        }
        if let invocationsPath {
            try NDJSONReader(path: invocationsPath).forEachRecord(containing: marker) { _, record in
                guard case .invocation(let i) = record else { return }
                e.add(i, report: reports[i.call.seq])
            }
        } else {
            for i in fromLogs { e.add(i, report: reports[i.call.seq]) }
        }
        return e
    }

    mutating func add(_ i: Invocation, report: (initMs: Double?, stream: String)?) {
        guard let position = i.call.loop else { return }
        let key = "\(i.call.instance)\u{0}\(i.call.phase)"
        var loop = loops[key] ?? Loop(instance: i.call.instance, phase: i.call.phase, memoryMB: i.call.memoryMB)
        var s = loop.steps[position.step] ?? StepStats()
        s.concurrency = position.concurrency
        s.calls += 1
        if let sent = i.sentUnixMs {
            s.sent += 1
            s.firstSentMs = min(s.firstSentMs, sent)
            s.lastEndMs = max(s.lastEndMs, sent + (i.latencyMs ?? 0))
            switch i.error {
            case nil where i.functionError == nil:
                s.ok += 1
                if let l = i.latencyMs { s.latenciesMs.append(l) }
            case .throttled: s.throttled += 1
            case .notSent: break
            default: s.errors += 1
            }
        }
        if let report {
            if report.initMs != nil { s.cold += 1 }
            s.logStreams.insert(report.stream)
            if let gap = position.idleS {
                loop.gaps[gap, default: GapStats()].calls += 1
                if report.initMs != nil { loop.gaps[gap, default: GapStats()].cold += 1 }
            }
        }
        loop.steps[position.step] = s
        loops[key] = loop
    }
}
