import JSON

/// One function's counts since the emulator started, kept by the pool under its lock.
struct FunctionCounters: Sendable, Equatable {
    /// Calls holding an environment now (from taking it, cold start included, to giving it back).
    var inFlight = 0
    var peakInFlight = 0
    /// Calls that got an environment.
    var invocations = 0
    /// Calls answered 429 (`TooManyRequestsException`), counted apart from `invocations`.
    var throttled = 0
    /// Execution environments started (cold starts).
    var environmentsStarted = 0

    mutating func begin(cold: Bool) {
        inFlight += 1
        peakInFlight = max(peakInFlight, inFlight)
        invocations += 1
        if cold { environmentsStarted += 1 }
    }
}

/// What the emulator has counted, for its own endpoint `GET /rightsize/2026-12-01/stats`
/// (not part of AWS's API) and the summary it prints when it stops. A closed-loop client
/// can check on it that it never had more calls in flight than it meant to.
public struct EmulatorStatistics: Sendable, Equatable {
    public struct Function: Sendable, Equatable {
        public var name: String
        public var inFlight: Int
        public var peakInFlight: Int
        public var invocations: Int
        public var throttled: Int
        public var environmentsStarted: Int
        /// Worker processes alive now (idle or busy).
        public var environmentsLive: Int
    }

    /// Account-wide: calls in flight over all functions, and the most there ever were.
    public var inFlight: Int
    public var peakInFlight: Int
    public var concurrencyLimit: Int
    /// In the order of the functions file.
    public var functions: [Function]

    /// The endpoint's answer: totals, then `functions` keyed by name (a JSON pointer such as
    /// `/functions/faas_measure/peak_in_flight` reaches one figure).
    public var json: [UInt8] {
        jsonObject { w in
            w.key("concurrency_limit")
            w.int(concurrencyLimit)
            w.key("in_flight")
            w.int(inFlight)
            w.key("peak_in_flight")
            w.int(peakInFlight)
            w.key("invocations")
            w.int(functions.reduce(0) { $0 + $1.invocations })
            w.key("throttled")
            w.int(functions.reduce(0) { $0 + $1.throttled })
            w.key("environments_started")
            w.int(functions.reduce(0) { $0 + $1.environmentsStarted })
            w.key("environments_live")
            w.int(functions.reduce(0) { $0 + $1.environmentsLive })
            w.key("functions")
            w.beginObject()
            for f in functions {
                w.key(f.name)
                w.beginObject()
                w.key("in_flight")
                w.int(f.inFlight)
                w.key("peak_in_flight")
                w.int(f.peakInFlight)
                w.key("invocations")
                w.int(f.invocations)
                w.key("throttled")
                w.int(f.throttled)
                w.key("environments_started")
                w.int(f.environmentsStarted)
                w.key("environments_live")
                w.int(f.environmentsLive)
                w.endObject()
            }
            w.endObject()
        }
    }

    /// One line per function that was called, for standard error at shutdown.
    public var summaryLines: [String] {
        functions.filter { $0.invocations > 0 || $0.throttled > 0 }.map { f in
            "\(f.name): peak in flight \(f.peakInFlight), invocations \(f.invocations), throttled \(f.throttled), environments started \(f.environmentsStarted)"
        } + ["all functions: peak in flight \(peakInFlight) (limit \(concurrencyLimit))"]
    }
}

extension FunctionPool {
    func statistics() -> EmulatorStatistics {
        state.withLock { s in
            var live: [String: Int] = [:]
            for env in s.live.values { live[env.spec.function, default: 0] += 1 }
            let functions = s.order.map { name in
                let c = s.counters[name] ?? FunctionCounters()
                return EmulatorStatistics.Function(
                    name: name, inFlight: c.inFlight, peakInFlight: c.peakInFlight, invocations: c.invocations,
                    throttled: c.throttled, environmentsStarted: c.environmentsStarted, environmentsLive: live[name] ?? 0)
            }
            return EmulatorStatistics(
                inFlight: s.inFlight, peakInFlight: s.peakInFlight, concurrencyLimit: options.concurrencyLimit, functions: functions)
        }
    }
}
