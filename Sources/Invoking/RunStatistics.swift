import NDJSONIO
import OrderStatistics
import RecordSchema

/// Figures of a finished run: outcome counts, send lag and the rate achieved.
public struct RunStatistics: Sendable {
    public var scheduled = 0
    public var sent = 0
    /// Count per outcome: "ok", "function_error", and each CallError raw value.
    public var outcomes: [String: Int] = [:]
    /// Send lag (actual - scheduled) percentiles over sent calls, ms.
    public var lagP50Ms = 0.0, lagP99Ms = 0.0, lagMaxMs = 0.0
    /// Calls per second between each phase's first and last send, over all phases.
    public var achievedRate = 0.0
    /// The same figure computed from the schedule's own times.
    public var scheduledRate = 0.0
    /// Closed loops' calls sent, and their calls per second from the first send to the last
    /// response (they have no schedule to keep, so they count in neither rate nor lag).
    public var loopSent = 0
    public var loopThroughput = 0.0

    public init(_ invocations: [Invocation]) {
        scheduled = invocations.count
        var lags: [Double] = []
        var byPhase: [Int: (first: Double, last: Double, firstAt: Double, lastAt: Double, n: Int)] = [:]
        var loopSpans: [Int: (first: Double, last: Double)] = [:]
        for i in invocations {
            outcomes[Outcomes.key(i), default: 0] += 1
            guard let sentMs = i.sentUnixMs else { continue }
            sent += 1
            if i.call.loop != nil {
                loopSent += 1
                let span = loopSpans[i.call.phase] ?? (sentMs, sentMs)
                loopSpans[i.call.phase] = (min(span.first, sentMs), max(span.last, sentMs + (i.latencyMs ?? 0)))
                continue
            }
            if let lag = i.lagMs { lags.append(lag) }
            var p = byPhase[i.call.phase] ?? (sentMs, sentMs, i.call.atS, i.call.atS, 0)
            p.first = min(p.first, sentMs)
            p.last = max(p.last, sentMs)
            p.firstAt = min(p.firstAt, i.call.atS)
            p.lastAt = max(p.lastAt, i.call.atS)
            p.n += 1
            byPhase[i.call.phase] = p
        }
        if !lags.isEmpty {
            let q = Quantiles(lags)
            lagP50Ms = q(0.50)
            lagP99Ms = q(0.99)
            lagMaxMs = q.max
        }
        var gaps = 0
        var span = 0.0
        var plannedSpan = 0.0
        for p in byPhase.values where p.n > 1 {
            gaps += p.n - 1
            span += (p.last - p.first) / 1000
            plannedSpan += p.lastAt - p.firstAt
        }
        if span > 0 { achievedRate = Double(gaps) / span }
        // Per phase, from its loops' first send to their last response (phases apart: a memory
        // change between them is no time the loops ran).
        let loopSeconds = loopSpans.values.reduce(0) { $0 + ($1.last - $1.first) / 1000 }
        if loopSeconds > 0 { loopThroughput = Double(loopSent) / loopSeconds }
        if plannedSpan > 0 { scheduledRate = Double(gaps) / plannedSpan }
    }

    public func summary(interrupted: Bool, startedUnixMs: Double, endedUnixMs: Double) -> InvokeSummary {
        InvokeSummary(
            scheduled: scheduled, sent: sent, notSent: scheduled - sent, interrupted: interrupted,
            startedUnixMs: startedUnixMs, endedUnixMs: endedUnixMs, outcomes: outcomes)
    }

    /// The one-line summary invoke prints at the end.
    public func line(interrupted: Bool, seconds: Double) -> String {
        let kinds = outcomes.sorted { $0.value != $1.value ? $0.value > $1.value : $0.key < $1.key }
            .map { "\($0.key) \($0.value)" }.joined(separator: ", ")
        var text = "\(scheduled) scheduled, \(sent) sent in \(f(seconds, 1)) s (\(kinds))"
        let openSent = sent - loopSent
        if loopSent > 0 { text += "; closed loops \(loopSent) sent, \(f(loopThroughput, 1))/s" }
        if openSent > 1 { text += "; rate \(f(achievedRate, 1))/s (scheduled \(f(scheduledRate, 1))/s)" }
        if openSent > 0 { text += "; lag p50 \(f(lagP50Ms, 3)) ms, p99 \(f(lagP99Ms, 3)) ms, max \(f(lagMaxMs, 3)) ms" }
        if interrupted { text += "; INTERRUPTED: the rest are not_sent" }
        return text
    }

    /// The schedule was not kept when the achieved rate is under 99% of the scheduled one,
    /// or the p99 send lag is over 100 ms: then the figures describe a gentler load than
    /// planned, and this line says so and why (docs/invoke.md, *Overload*). nil when it was kept.
    public func shortfall(heldForSlot: Int, maxInFlight: Int) -> String? {
        guard sent - loopSent > 1, scheduledRate > 0, achievedRate < scheduledRate * 0.99 || lagP99Ms > 100 else { return nil }
        var text =
            "the schedule was not kept: achieved \(f(achievedRate, 1))/s of \(f(scheduledRate, 1))/s, "
            + "p99 lag \(f(lagP99Ms, 1)) ms, max \(f(lagMaxMs, 1)) ms"
        if heldForSlot > 0 {
            text +=
                "; \(heldForSlot) calls waited for one of the \(maxInFlight) slots in flight (--max-in-flight): "
                + "the target answers slower than calls are due"
        } else {
            text += "; this machine could not send faster (shard the run: docs/invoke.md)"
        }
        return text
    }

    /// `v` rounded to `digits` decimals, as the summary lines print it.
    private func f(_ v: Double, _ digits: Int) -> String {
        let scale = pow10(digits)
        return "\((v * scale).rounded() / scale)"
    }

    private func pow10(_ n: Int) -> Double {
        var v = 1.0
        for _ in 0..<n { v *= 10 }
        return v
    }
}
