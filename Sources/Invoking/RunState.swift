import CurlHTTP
import Foundation
import RecordSchema

/// The invocation records of a run as they fill in, shared by the feeder and the HTTP
/// loop thread's completions.
public final class RunState: @unchecked Sendable {
    // @unchecked Sendable: every mutable member is read and written under `lock` only.
    private let lock = NSLock()
    private let calls: [ScheduledCall]
    private var invocations: [Invocation?]
    private var firstStart: [UInt64]
    private var phaseStartNanos: UInt64 = 0
    private var phaseStartUnixMs: Double = 0
    private var pending = 0
    private var phaseDone: CheckedContinuation<Void, Never>?
    private var isInterrupted = false
    private var counters = Progress()

    /// What a progress line shows.
    public struct Progress: Sendable {
        public var phase = 0, phases = 0, memoryMB = 0
        public var scheduled = 0, sent = 0, done = 0, errors = 0
        /// Largest send lag since the previous `progress()` call, ms.
        public var recentLagMs = 0.0
    }

    init(calls: [ScheduledCall]) {
        self.calls = calls
        invocations = Array(repeating: nil, count: calls.count)
        firstStart = Array(repeating: 0, count: calls.count)
        counters.scheduled = calls.count
    }

    private func locked<T>(_ body: () -> T) -> T {
        lock.lock()
        defer { lock.unlock() }
        return body()
    }

    var interrupted: Bool { locked { isInterrupted } }

    /// True the first time.
    func markInterrupted() -> Bool {
        locked {
            defer { isInterrupted = true }
            return !isInterrupted
        }
    }

    func progress() -> Progress {
        locked {
            let p = counters
            counters.recentLagMs = 0
            return p
        }
    }

    func beginPhase(number: Int, of count: Int, memoryMB: Int, calls: [Int]) {
        locked {
            counters.phase = number
            counters.phases = count
            counters.memoryMB = memoryMB
            pending = calls.count
        }
    }

    func startPhase(startNanos: UInt64, startUnixMs: Double) {
        locked {
            phaseStartNanos = startNanos
            phaseStartUnixMs = startUnixMs
        }
    }

    /// Records calls that will never be sent.
    func markNotSent(_ indices: ArraySlice<Int>, phaseStartUnixMs: Double) {
        let resume: CheckedContinuation<Void, Never>? = locked {
            for k in indices where invocations[k] == nil {
                invocations[k] = Invocation(
                    call: calls[k], phaseStartUnixMs: phaseStartUnixMs, error: .notSent,
                    errorMessage: "interrupted before its scheduled time")
                pending -= 1
                counters.done += 1
            }
            return takeContinuationIfDone()
        }
        resume?.resume()
    }

    /// Folds one attempt's outcome into call `k`'s record; returns the attempts made so far.
    /// A not-started retry keeps the previous attempt's outcome. A closed loop's call has its
    /// `slot` and no lag: it waits for a free slot by design, so it is never late
    /// (docs/invoke.md, "Closed loops").
    func recordAttempt(_ k: Int, outcome: HTTPOutcome, due: UInt64, slot: Int? = nil) -> Int {
        locked {
            var invocation = invocations[k] ?? Invocation(call: calls[k], phaseStartUnixMs: phaseStartUnixMs)
            invocation.slot = slot
            if outcome.error?.kind == .notStarted, invocation.attempts > 0 { return invocation.attempts }
            if let started = outcome.startedNanos {
                invocation.attempts += 1
                if invocation.sentUnixMs == nil {
                    firstStart[k] = started
                    invocation.sentUnixMs = phaseStartUnixMs + Self.ms(started, phaseStartNanos)
                    let lag = Self.ms(started, due)
                    invocation.lagMs = lag
                    counters.sent += 1
                    counters.recentLagMs = max(counters.recentLagMs, lag)
                }
                invocation.latencyMs = Self.ms(outcome.finishedNanos, firstStart[k])
                invocation.scheduledLatencyMs = Self.ms(outcome.finishedNanos, due)
            }
            if slot != nil {
                invocation.lagMs = nil
                invocation.scheduledLatencyMs = nil
            }
            Outcomes.apply(outcome, to: &invocation)
            invocations[k] = invocation
            return invocation.attempts
        }
    }

    /// Call `k` has its final outcome.
    func finish(_ k: Int) {
        let resume: CheckedContinuation<Void, Never>? = locked {
            pending -= 1
            counters.done += 1
            if let i = invocations[k], i.error != nil || i.functionError != nil { counters.errors += 1 }
            return takeContinuationIfDone()
        }
        resume?.resume()
    }

    private func takeContinuationIfDone() -> CheckedContinuation<Void, Never>? {
        guard pending <= 0, let c = phaseDone else { return nil }
        phaseDone = nil
        return c
    }

    /// Returns once every call of the current phase has its final outcome.
    func waitForPhase() async {
        await withCheckedContinuation { (c: CheckedContinuation<Void, Never>) in
            let done: Bool = locked {
                if pending <= 0 { return true }
                phaseDone = c
                return false
            }
            if done { c.resume() }
        }
    }

    func invocationsInSeqOrder() -> [Invocation] {
        locked {
            var out: [Invocation] = []
            out.reserveCapacity(calls.count)
            for (k, call) in calls.enumerated() {
                out.append(
                    invocations[k]
                        ?? Invocation(
                            call: call, phaseStartUnixMs: phaseStartUnixMs, error: .notSent,
                            errorMessage: "interrupted before its scheduled time"))
            }
            out.sort { $0.call.seq < $1.call.seq }
            return out
        }
    }

    /// (a - b) in ms, signed.
    static func ms(_ a: UInt64, _ b: UInt64) -> Double { Double(Int64(bitPattern: a &- b)) / 1e6 }
}
