import RecordSchema

/// What await-logs waits for on one function, derived from the invocations alone.
public struct FunctionPlan: Sendable {
    public var function: String
    public var logGroup: String
    /// The region of the Invoke target (nil: the environment's), where its logs are.
    public var region: String?
    /// Invocations that reached the function (a REPORT line is expected for each), in input order.
    public var invocations: [Invocation]
    /// Index into `invocations` by Lambda request id (Invoke API calls).
    public var byRequestId: [String: Int]
    /// Indices of invocations joined by time order (HTTP targets: their response id is the gateway's).
    public var timeJoined: [Int]
    /// Search window, epoch ms: earliest send - margin ... latest response + margin.
    public var startMs: Double
    public var endMs: Double
    public var marginMs: Double

    public var expected: Int { invocations.count }

    /// When the response is unknown (client timeout), the function may run up to Lambda's 15 minutes.
    static let longestRunMs = 900_000.0

    /// When the function is known to have finished: the response, except for asynchronous (Event)
    /// calls, whose 202 comes before the function even runs.
    static func responseMs(_ inv: Invocation) -> Double {
        let sent = inv.sentUnixMs ?? inv.phaseStartUnixMs
        if case .lambda(_, _, "Event", _) = inv.call.target { return sent + longestRunMs }
        return sent + (inv.latencyMs ?? longestRunMs)
    }

    /// Where REPORT timestamps fell relative to their calls so far: min(timestamp - send) and
    /// max(timestamp - response) over the lines joined by request id. It measures the clock
    /// difference with the platform, so later passes need no blind margin.
    public struct Offsets: Sendable, Equatable {
        public var lowMs: Double
        public var highMs: Double
        /// Added on both sides: a missing line may fall a little outside what was seen (the offsets are
        /// extremes over many lines, so only network jitter and clock drift are left to cover).
        public static let slackMs = 250.0

        public init(lowMs: Double, highMs: Double) {
            self.lowMs = lowMs
            self.highMs = highMs
        }

        public static func observed(_ join: JoinResult) -> Offsets? {
            var lo = Double.infinity
            var hi = -Double.infinity
            for (_, r) in join.records where r.joinedBy == .requestId {
                let inv = r.invocation
                lo = min(lo, r.logTimestampUnixMs - (inv.sentUnixMs ?? inv.phaseStartUnixMs))
                hi = max(hi, r.logTimestampUnixMs - FunctionPlan.responseMs(inv))
            }
            return lo.isFinite ? Offsets(lowMs: lo, highMs: hi) : nil
        }
    }

    /// The window covering only the invocations still missing, so a pass re-reads as little as
    /// possible: with observed offsets, [send + low, response + high] widened by the slack (never
    /// wider than the margin); without, the margin.
    public func window(missing: [Int], offsets: Offsets? = nil) -> (startMs: Double, endMs: Double) {
        guard !missing.isEmpty else { return (startMs, endMs) }
        var lo = Double.infinity
        var hi = -Double.infinity
        for k in missing {
            let inv = invocations[k]
            lo = min(lo, inv.sentUnixMs ?? inv.phaseStartUnixMs)
            hi = max(hi, Self.responseMs(inv))
        }
        return span(lo, hi, offsets)
    }

    /// Where one call's (or a range of calls') REPORT lines can be.
    func span(_ sentMs: Double, _ responseMs: Double, _ offsets: Offsets?) -> (startMs: Double, endMs: Double) {
        guard let offsets else { return (sentMs - marginMs, responseMs + marginMs) }
        return (
            max(sentMs - marginMs, sentMs + offsets.lowMs - Offsets.slackMs),
            min(responseMs + marginMs, responseMs + offsets.highMs + Offsets.slackMs)
        )
    }

    /// The windows to search this pass: each missing call's span, merged where they overlap or where
    /// the lines already seen between two of them (`seen`: sorted REPORT timestamps) fit in less than
    /// a page, since reading through them then costs less than one more request.
    public func windows(missing: [Int], offsets: Offsets?, seen: [Double], pageSize: Int) -> [(startMs: Double, endMs: Double)] {
        guard !missing.isEmpty else { return [] }
        var spans = missing.map { k in
            span(invocations[k].sentUnixMs ?? invocations[k].phaseStartUnixMs, Self.responseMs(invocations[k]), offsets)
        }
        spans.sort { $0.startMs < $1.startMs }
        var merged = [spans[0]]
        for w in spans.dropFirst() {
            let last = merged[merged.count - 1]
            if w.startMs <= last.endMs || Self.count(seen, from: last.endMs, to: w.startMs) < pageSize {
                merged[merged.count - 1].endMs = max(last.endMs, w.endMs)
            } else {
                merged.append(w)
            }
        }
        return merged
    }

    /// Values of sorted `xs` in (a, b).
    static func count(_ xs: [Double], from a: Double, to b: Double) -> Int {
        func firstIndex(above x: Double) -> Int {
            var lo = 0
            var hi = xs.count
            while lo < hi {
                let mid = (lo + hi) / 2
                if xs[mid] <= x { lo = mid + 1 } else { hi = mid }
            }
            return lo
        }
        var lo = 0
        var hi = xs.count
        while lo < hi {
            let mid = (lo + hi) / 2
            if xs[mid] < b { lo = mid + 1 } else { hi = mid }
        }
        return max(0, lo - firstIndex(above: a))
    }
}

public enum WaitPlanner {
    /// CloudWatch log group of a Lambda function; accepts a name, a partial or a full ARN
    /// (`arn:aws:lambda:region:acct:function:name[:qualifier]`).
    public static func logGroup(forFunction function: String) -> String {
        "/aws/lambda/\(functionName(function))"
    }

    public static func functionName(_ function: String) -> String {
        let parts = function.split(separator: ":", omittingEmptySubsequences: false)
        if let f = parts.firstIndex(of: "function"), f + 1 < parts.count { return String(parts[f + 1]) }
        return parts.count == 2 ? String(parts[0]) : function  // name:qualifier
    }

    /// How far before the first send and after the last response the logs are searched: covers
    /// the clock difference between this machine and CloudWatch's.
    public static let defaultMarginMs = 60_000.0

    /// Groups invocations by function, in order of first appearance; only those that reached the
    /// function are expected to log (a function whose calls were all throttled has a plan expecting 0).
    /// HTTP targets name their function by the schedule's `application`.
    /// `logGroups` overrides the group of a function (by name).
    public static func plan(
        _ invocations: [Invocation], marginMs: Double = defaultMarginMs,
        logGroups: [String: String] = [:]
    ) -> [FunctionPlan] {
        var plans: [FunctionPlan] = []
        var index: [String: Int] = [:]
        for inv in invocations {
            let name: String
            var byId = false
            var region: String?
            switch inv.call.target {
            case .lambda(let function, let r, _, _):
                name = functionName(function)
                byId = inv.requestId != nil
                region = r
            case .http: name = inv.call.application
            }
            let p: Int
            if let existing = index[name] {
                p = existing
            } else {
                p = plans.count
                index[name] = p
                plans.append(
                    FunctionPlan(
                        function: name, logGroup: logGroups[name] ?? logGroup(forFunction: name),
                        region: region, invocations: [], byRequestId: [:], timeJoined: [],
                        startMs: .infinity, endMs: -.infinity, marginMs: marginMs))
            }
            if plans[p].region == nil { plans[p].region = region }
            guard inv.reachedFunction else { continue }
            let k = plans[p].invocations.count
            plans[p].invocations.append(inv)
            if byId, let id = inv.requestId { plans[p].byRequestId[id] = k } else { plans[p].timeJoined.append(k) }
            plans[p].startMs = min(plans[p].startMs, (inv.sentUnixMs ?? inv.phaseStartUnixMs) - marginMs)
            plans[p].endMs = max(plans[p].endMs, FunctionPlan.responseMs(inv) + marginMs)
        }
        return plans
    }
}
