import RecordSchema

/// The invocations of one function matched with their REPORT lines.
public struct JoinResult: Sendable {
    /// Index into the plan's invocations -> record, in the plan's (input) order.
    public var records: [(index: Int, record: LogRecord)]
    /// Indices of invocations still without a REPORT line.
    public var missing: [Int]
    /// REPORT lines that matched no invocation (other traffic on the function).
    public var unmatched: Int
    public var found: Int { records.count }
}

public enum LogJoiner {
    /// Joins by request id where the invocation has Lambda's, else by memory phase and time order.
    ///
    /// Time join (HTTP targets): per memory size, invocations sorted by response time and the
    /// remaining REPORT lines of that Memory Size sorted by timestamp are paired in order; a REPORT
    /// pairs with an invocation only if its timestamp lies within [sent - tolerance, response + tolerance].
    public static func join(_ plan: FunctionPlan, _ collector: ReportCollector, toleranceMs: Double = 2_000) -> JoinResult {
        var matched = [FoundReport?](repeating: nil, count: plan.invocations.count)
        var joinedBy = [JoinKey](repeating: .requestId, count: plan.invocations.count)
        var leftovers: [FoundReport] = []
        for id in collector.order {
            guard let found = collector.report(for: id) else { continue }
            if let k = plan.byRequestId[id] { matched[k] = found } else { leftovers.append(found) }
        }
        var unmatched = 0
        if plan.timeJoined.isEmpty {
            unmatched = leftovers.count
        } else {
            var reportsByMemory: [Int: [FoundReport]] = [:]
            for r in leftovers { reportsByMemory[r.report.memoryMB, default: []].append(r) }
            var invocationsByMemory: [Int: [Int]] = [:]
            for k in plan.timeJoined { invocationsByMemory[plan.invocations[k].call.memoryMB, default: []].append(k) }
            for (memory, reports) in reportsByMemory where invocationsByMemory[memory] == nil { unmatched += reports.count }
            for (memory, var indices) in invocationsByMemory {
                var reports = reportsByMemory[memory] ?? []
                reports.sort { $0.timestampMs < $1.timestampMs }
                indices.sort { FunctionPlan.responseMs(plan.invocations[$0]) < FunctionPlan.responseMs(plan.invocations[$1]) }
                var j = 0
                for k in indices {
                    let inv = plan.invocations[k]
                    let lo = (inv.sentUnixMs ?? inv.phaseStartUnixMs) - toleranceMs
                    let hi = FunctionPlan.responseMs(inv) + toleranceMs
                    while j < reports.count, reports[j].timestampMs < lo {
                        unmatched += 1
                        j += 1
                    }
                    if j < reports.count, reports[j].timestampMs <= hi {
                        matched[k] = reports[j]
                        joinedBy[k] = .time
                        j += 1
                    }
                }
                unmatched += reports.count - j
            }
        }
        var result = JoinResult(records: [], missing: [], unmatched: unmatched)
        for k in plan.invocations.indices {
            if let found = matched[k] {
                result.records.append(
                    (
                        k,
                        LogRecord(
                            invocation: plan.invocations[k], report: found.report,
                            logStream: found.logStream, logTimestampUnixMs: found.timestampMs,
                            joinedBy: joinedBy[k])
                    ))
            } else {
                result.missing.append(k)
            }
        }
        return result
    }
}
