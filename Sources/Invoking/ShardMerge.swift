import NDJSONIO
import OrderStatistics
import RecordSchema
import ToolSupport

/// Merges the invocations files of a sharded run (`invoke --shard I/N`) into one
/// invocations.ndjson in seq order, streaming: one `run` line, every invocation once, one
/// `invoke_summary` that adds the shards up and lists them. await-logs, fit and report read
/// the result as they read a one-process run's file.
///
/// Checked before anything is written: every file is a finished shard file of the same run
/// (same run id, workload hash and seed), of the same N, each index 0..<N exactly once. A
/// missing shard (a shard killed before it wrote its file) is an error naming it and the calls
/// it lacks — unless `--allow-missing` with the schedule, which then records those calls as
/// `not_sent`, so every scheduled call is still accounted for once.
public enum ShardMerge {
    public struct Shard {
        var lines: MappedLines
        var summary: InvokeSummary
        var info: ShardInfo
        var lags: [Double] = []
    }

    /// What the merge did, for the tool's stderr lines.
    public struct Report: Sendable {
        public var lines: [String]
    }

    public static func merge(
        paths: [String], output: String?, schedulePath: String?, allowMissing: Bool
    ) throws -> Report {
        guard !paths.isEmpty else { throw InputError(file: "merge-shards", problem: "no shard files given") }
        var shards: [Int: Shard] = [:]
        var header: RunHeader?
        var count: Int?
        var firstPath: [Int: String] = [:]
        for path in paths {
            let file = try MappedFile(path: path)
            var lines = MappedLines(file)
            guard case .run(let h)? = try lines.next() else {
                throw InputError(file: path, line: 1, field: "record", problem: "not an invocations file (expected the run header first)")
            }
            guard case .invokeSummary(let summary)? = try MappedLines.lastRecord(file) else {
                throw InputError(file: path, field: "invoke_summary", problem: "missing at the end: not a finished invoke output")
            }
            guard summary.shards.count == 1, let info = summary.shards.first else {
                throw InputError(
                    file: path, field: "invoke_summary.shards",
                    problem: summary.shards.isEmpty ? "not a shard's file (written without --shard)" : "already a merged file")
            }
            if let header, header.run != h.run || header.workloadSHA256 != h.workloadSHA256 || header.seed != h.seed {
                throw InputError(
                    file: path, field: "run",
                    problem: "another run (\(h.run)) than \(paths[0]) (\(header.run)): shards must share one schedule")
            }
            if let count, count != info.count {
                throw InputError(
                    file: path, field: "invoke_summary.shards.count", problem: "\(info.count) shards, \(paths[0]) says \(count)")
            }
            if let other = firstPath[info.index] {
                throw InputError(
                    file: path, field: "invoke_summary.shards.index", problem: "shard \(info.index)/\(info.count) is also \(other)")
            }
            header = header ?? h
            count = info.count
            firstPath[info.index] = path
            shards[info.index] = Shard(lines: lines, summary: summary, info: info)
        }
        let n = count!
        let missing = (0..<n).filter { shards[$0] == nil }
        let scheduled = header!.scheduled
        func lacking(_ index: Int) -> Int { scheduled > index ? (scheduled - 1 - index) / n + 1 : 0 }
        if !missing.isEmpty && !(allowMissing && schedulePath != nil) {
            let lacks = missing.map { "\(lacking($0)) calls: seq \($0), \($0 + n), \($0 + 2 * n), …" }
            throw InputError(
                file: missing.map { "shard \($0)/\(n)" }.joined(separator: ", "),
                problem: "missing (\(lacks.joined(separator: "; "))): no file given for it (a shard killed before it wrote its output); "
                    + "pass --schedule and --allow-missing to merge the rest with those calls recorded as not_sent")
        }

        var merged = InvokeSummary(
            scheduled: 0, sent: 0, notSent: 0, interrupted: false, startedUnixMs: .infinity, endedUnixMs: 0, outcomes: [:])
        var writerHeader = header!
        writerHeader.tools.append("merge-shards \(RightsizeVersion.current)")
        var writer = try InvocationsWriter(path: output, header: writerHeader)
        var allLags: [Double] = []
        func add(_ i: Invocation, shard: Int?) {
            merged.scheduled += 1
            if i.sentUnixMs != nil { merged.sent += 1 } else { merged.notSent += 1 }
            merged.outcomes[Outcomes.key(i), default: 0] += 1
            if let lag = i.lagMs, let shard {
                shards[shard]!.lags.append(lag)
                allLags.append(lag)
            }
        }
        do {
            if let schedulePath {
                // The schedule drives: each call from its shard, or not_sent when the shard is missing.
                let schedule = try LoadedSchedule.read(path: schedulePath)
                guard schedule.header.run == header!.run else {
                    throw InputError(
                        file: schedulePath, field: "run", problem: "another run (\(schedule.header.run)) than the shards' (\(header!.run))")
                }
                for call in schedule.calls.sorted(by: { $0.seq < $1.seq }) {
                    let index = call.seq % n
                    if shards[index] == nil {
                        let lost = Invocation(
                            call: call, phaseStartUnixMs: 0, error: .notSent, errorMessage: "shard \(index)/\(n) missing from the merge")
                        add(lost, shard: nil)
                        try writer.write(lost)
                        continue
                    }
                    guard let i = try nextInvocation(&shards[index]!, expecting: call.seq) else { continue }
                    add(i, shard: index)
                    try writer.write(i)
                }
            } else {
                // Shard I holds seq I, I + N, ...: take them in turn, each checked.
                var seq = 0
                var done = Set<Int>()
                while done.count < n {
                    let index = seq % n
                    if !done.contains(index) {
                        if let i = try nextInvocation(&shards[index]!, expecting: seq, orEnd: true) {
                            add(i, shard: index)
                            try writer.write(i)
                        } else {
                            done.insert(index)
                        }
                    }
                    seq += 1
                }
            }
            for index in shards.keys {
                if let extra = try shards[index]!.lines.next(), case .invocation(let i) = extra {
                    throw InputError(
                        file: shards[index]!.lines.path, line: shards[index]!.lines.lineNumber, field: "call.seq",
                        problem: "\(i.call.seq) is not in the schedule")
                }
            }
        } catch {
            writer.discard()
            throw error
        }
        for s in shards.values.sorted(by: { $0.info.index < $1.info.index }) {
            merged.interrupted = merged.interrupted || s.summary.interrupted
            merged.startedUnixMs = min(merged.startedUnixMs, s.summary.startedUnixMs)
            merged.endedUnixMs = max(merged.endedUnixMs, s.summary.endedUnixMs)
            merged.shards.append(s.info)
        }
        if merged.startedUnixMs == .infinity { merged.startedUnixMs = 0 }
        try writer.finish(summary: merged)

        var lines: [String] = []
        func lagText(_ lags: [Double]) -> String {
            guard !lags.isEmpty else { return "no call sent" }
            let q = Quantiles(lags)
            return "lag p50 \(rounded(q(0.5))) ms, p99 \(rounded(q(0.99))) ms, max \(rounded(q.max)) ms"
        }
        for s in shards.values.sorted(by: { $0.info.index < $1.info.index }) {
            lines.append(
                "shard \(s.info.index)/\(n) on \(s.info.host): \(s.summary.scheduled) scheduled, \(s.summary.sent) sent\(s.summary.interrupted ? " (INTERRUPTED)" : ""); \(lagText(s.lags))"
            )
        }
        for index in missing { lines.append("shard \(index)/\(n): MISSING, its \(lacking(index)) calls recorded as not_sent") }
        lines.append("merged: \(merged.scheduled) calls, \(merged.sent) sent, \(merged.notSent) not sent; \(lagText(allLags))")
        return Report(lines: lines)
    }

    /// The shard's next invocation, which must be `seq` (nil at the shard's summary when `orEnd`).
    static func nextInvocation(_ shard: inout Shard, expecting seq: Int, orEnd: Bool = false) throws -> Invocation? {
        let record = try shard.lines.next()
        switch record {
        case .invocation(let i)?:
            guard i.call.seq == seq else {
                throw InputError(
                    file: shard.lines.path, line: shard.lines.lineNumber, field: "call.seq",
                    problem:
                        "\(i.call.seq) where shard \(shard.info.index)/\(shard.info.count) should have \(seq) (files must be invoke's output, in seq order)"
                )
            }
            return i
        case .invokeSummary?:
            if orEnd { return nil }
            throw InputError(
                file: shard.lines.path, line: shard.lines.lineNumber, field: "call.seq",
                problem: "ends before seq \(seq), which the schedule gives to shard \(shard.info.index)/\(shard.info.count)")
        default:
            throw InputError(
                file: shard.lines.path, line: shard.lines.lineNumber, field: "record",
                problem: "expected an invocation record, found \(record.map(\.kind) ?? "the end")")
        }
    }

    static func rounded(_ v: Double) -> Double { (v * 1000).rounded() / 1000 }
}
