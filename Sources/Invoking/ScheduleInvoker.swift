import AWS
import Clocks
import CurlHTTP
import Foundation
import RecordSchema
import ToolSupport

/// How invoke runs a schedule.
public struct InvokeOptions: Sendable {
    /// Set each phase's memory size before running it (Lambda targets, and HTTP targets' `application`).
    public var setMemory = true
    /// Extra attempts for a throttled invocation (0: a throttle is recorded as it is).
    public var retryThrottled = 0
    /// Per-request timeout, seconds.
    public var requestTimeout: Double = 300
    /// After Ctrl-C, how long to wait for requests in flight, seconds.
    public var gracePeriod: Double = 5
    /// Requests are signed and handed to the HTTP loop this long before they are due, seconds;
    /// a phase starts this long after its memory change is live.
    public var lookahead: Double = 0.25
    /// Giving up on a memory change that is not live after this long, seconds.
    public var memoryTimeout: Double = 300
    /// GetFunctionConfiguration polling interval while a change goes live, seconds.
    public var pollInterval: Double = 0.25
    /// Calls in flight at most (the HTTP client's slots): Lambda's default account
    /// concurrency, beyond which Lambda throttles anyway.
    public var maxInFlight = 1000

    public init() {}
}

/// Runs a schedule: each open-loop call is sent at phase start + at_s whatever happened
/// to earlier calls (no coordinated omission), with as many in flight as needed; a closed
/// loop's calls are sent as its slots free up (`ClosedLoops`). Every call ends as exactly
/// one `Invocation`.
public final class ScheduleInvoker: Sendable {
    /// The calls this process sends: the whole schedule, or one shard's part of it.
    public let schedule: LoadedSchedule
    public let options: InvokeOptions
    /// A sharded run's plan and the phase times every shard keeps (nil: one process).
    public let shard: ShardPlan?
    let timeline: [ShardPlan.PhaseTimes]
    /// Per phase number, the functions it sizes (from the whole schedule: a shard sizes or
    /// waits for every function of a phase, also one it sends no call of).
    let sizing: [Int: Sizing]
    let http: HTTPClient
    let requests: CallRequests
    /// Lambda clients per region, for memory phases and cold starts.
    let lambdaForMemory: [String: LambdaClient]
    let state: RunState
    let coldStarts: ColdStarts

    /// Resolves credentials, regions and endpoints for every call (throws the one-line
    /// `AWSError` naming what to set) and refuses memory phases that cannot happen
    /// (`InputError`) before anything is sent.
    public init(
        schedule whole: LoadedSchedule, options: InvokeOptions, configuration: AWSConfiguration,
        http: HTTPClient, shard: ShardPlan? = nil
    ) throws {
        if options.setMemory { try Self.checkQualifiedPhases(whole) }
        try Self.checkClosedLoops(whole, options: options, sharded: shard != nil)
        let schedule = shard.map { whole.part($0) } ?? whole
        self.schedule = schedule
        self.options = options
        self.shard = shard
        timeline = shard?.timeline(whole, setMemory: options.setMemory) ?? []
        var sizing: [Int: Sizing] = [:]
        for phase in whole.phases { sizing[phase.index] = Self.functionsToSize(phase, of: whole) }
        self.sizing = sizing
        self.http = http
        requests = try CallRequests(
            calls: schedule.calls, configuration: configuration, http: http,
            timeout: options.requestTimeout)
        var lambdaForMemory: [String: LambdaClient] = [:]
        let anyCold = whole.calls.contains { $0.cold }
        if options.setMemory || anyCold {
            for call in whole.calls {
                let region: String?
                switch call.target {
                case .lambda(_, let r, _, _): region = r
                case .http: region = nil
                }
                if lambdaForMemory[region ?? ""] == nil {
                    lambdaForMemory[region ?? ""] = try LambdaClient(http: http, configuration: configuration, region: region)
                }
            }
        }
        self.lambdaForMemory = lambdaForMemory
        state = RunState(calls: schedule.calls)
        coldStarts = ColdStarts(clients: lambdaForMemory, options: options, run: whole.header.run)
    }

    /// A closed loop cannot be split across shards (its slots share one order), and keeps
    /// `concurrency` calls in flight, which the HTTP client's slots must allow.
    static func checkClosedLoops(_ schedule: LoadedSchedule, options: InvokeOptions, sharded: Bool) throws {
        for (k, call) in schedule.calls.enumerated() {
            guard let loop = call.loop else { continue }
            let line = schedule.lines.indices.contains(k) ? schedule.lines[k] : nil
            if sharded {
                throw InputError(
                    file: schedule.name, line: line, field: "loop_concurrency",
                    problem: "instance \(call.instance) is a closed loop, which one process must run: run it without --shard")
            }
            if loop.concurrency > options.maxInFlight {
                throw InputError(
                    file: schedule.name, line: line, field: "loop_concurrency",
                    problem: "instance \(call.instance) keeps \(loop.concurrency) calls in flight, more than --max-in-flight "
                        + "\(options.maxInFlight): raise --max-in-flight")
            }
        }
    }

    /// Stops sending: calls not yet sent become `not_sent`; requests in flight get
    /// `gracePeriod` seconds, then are abandoned. A second call abandons them at once.
    public func interrupt() {
        if state.markInterrupted() {
            http.cancelScheduled()
            let grace = options.gracePeriod
            let http = self.http
            Thread.detachNewThread {
                Thread.sleep(forTimeInterval: grace)
                http.cancelAll()
            }
        } else {
            http.cancelAll()
        }
    }

    public var isInterrupted: Bool { state.interrupted }

    /// Counters for a progress display.
    public func progress() -> RunState.Progress { state.progress() }

    /// Runs every phase in order; returns one invocation per call, in the schedule's seq order.
    /// Throws AWSError when a memory change fails (nothing is returned then).
    public func run() async throws -> [Invocation] {
        if shard != nil { return try await runShard() }
        for (number, phase) in schedule.phases.enumerated() {
            state.beginPhase(number: number, of: schedule.phases.count, memoryMB: phase.memoryMB, calls: phase.callIndices)
            if state.interrupted {
                state.markNotSent(phase.callIndices[...], phaseStartUnixMs: WallClock.unixMilliseconds())
                continue
            }
            if options.setMemory { try await setMemory(phase) }
            if state.interrupted {
                state.markNotSent(phase.callIndices[...], phaseStartUnixMs: WallClock.unixMilliseconds())
                continue
            }
            do {
                try await runPhase(phase)
            } catch {
                await restoreDescriptions()
                throw error
            }
        }
        await restoreDescriptions()
        return state.invocationsInSeqOrder()
    }

    /// After cold starts on demand: each function's own Description back.
    func restoreDescriptions() async {
        for problem in await coldStarts.restore() { StandardError.line("invoke", "warning: \(problem)") }
    }

    /// A qualifier other than $LATEST names an alias or a published version, whose memory
    /// cannot change: UpdateFunctionConfiguration changes $LATEST only, so every phase would
    /// run at the version's one size. More than one memory size for such a target is refused.
    static func checkQualifiedPhases(_ schedule: LoadedSchedule) throws {
        var sizes: [String: (sizes: Set<Int>, first: Int)] = [:]
        var order: [String] = []
        for (k, call) in schedule.calls.enumerated() {
            guard case .lambda(let function, _, _, let qualifier?) = call.target, qualifier != "$LATEST" else { continue }
            let name = "\(function):\(qualifier)"
            if sizes[name] == nil { order.append(name) }
            sizes[name, default: ([], k)].sizes.insert(call.memoryMB)
        }
        for name in order {
            let (found, first) = sizes[name]!
            guard found.count > 1 else { continue }
            throw InputError(
                file: schedule.name, line: schedule.lines.indices.contains(first) ? schedule.lines[first] : nil,
                field: "qualifier",
                problem: "\(name) is an alias or version, whose memory cannot change (only $LATEST's can), but the schedule "
                    + "has memory phases \(found.sorted().map(String.init).joined(separator: ", ")) MB: drop qualifier to "
                    + "measure $LATEST, or plan one memory size per qualified run")
        }
    }

    /// A sharded run: the whole schedule's phases at their fixed times (ShardPlan); shard 0
    /// sets each phase's memory, the others wait until it is live; each sends its own calls.
    func runShard() async throws -> [Invocation] {
        let mine = Dictionary(grouping: schedule.phases, by: \.index)
        for (number, times) in timeline.enumerated() {
            let phase = mine[times.phase]?.first ?? LoadedSchedule.Phase(index: times.phase, memoryMB: times.memoryMB, callIndices: [])
            state.beginPhase(number: number, of: timeline.count, memoryMB: times.memoryMB, calls: phase.callIndices)
            await sleep(untilUnixMs: times.changeAtUnixMs)
            if !state.interrupted, options.setMemory {
                if shard?.index == 0 {
                    try await setMemory(phase)
                } else {
                    try await waitForMemory(phase)
                }
            }
            if state.interrupted {
                state.markNotSent(phase.callIndices[...], phaseStartUnixMs: times.startUnixMs)
                continue
            }
            try await runPhase(phase, startUnixMs: times.startUnixMs)
        }
        return state.invocationsInSeqOrder()
    }

    /// Sleeps until a wall-clock time (or Ctrl-C).
    func sleep(untilUnixMs target: Double) async {
        while !state.interrupted {
            let left = target - WallClock.unixMilliseconds()
            if left <= 0 { return }
            try? await Task.sleep(nanoseconds: UInt64(min(left, 100) * 1e6))
        }
    }

    /// Every shard but 0: waits until each function of the phase shows its size.
    func waitForMemory(_ phase: LoadedSchedule.Phase) async throws {
        let targets = sizing[phase.index]?.set ?? []
        let clients = lambdaForMemory
        let options = self.options
        try await withThrowingTaskGroup(of: Void.self) { group in
            for (function, region) in targets {
                group.addTask {
                    try await clients[region]!.waitForMemorySize(
                        function, phase.memoryMB, pollInterval: options.pollInterval, timeout: options.memoryTimeout)
                }
            }
            try await group.waitForAll()
        }
    }

    typealias Sizing = (
        set: [(function: String, region: String)], check: [(function: String, qualifier: String, region: String)]
    )

    /// Functions whose memory a phase sets: Lambda targets' functions and HTTP targets'
    /// `application`, each with the region its client uses; and the Lambda targets invoked
    /// through an alias or version, whose size is checked instead (it cannot be set).
    static func functionsToSize(_ phase: LoadedSchedule.Phase, of schedule: LoadedSchedule) -> Sizing {
        var seen = Set<String>()
        var out: [(String, String)] = []
        var check: [(String, String, String)] = []
        for k in phase.callIndices {
            let call = schedule.calls[k]
            let (function, region): (String, String?)
            switch call.target {
            case .lambda(let f, let r, _, let qualifier?) where qualifier != "$LATEST":
                if seen.insert("\(r ?? "")\u{0}\(f)\u{0}\(qualifier)").inserted { check.append((f, qualifier, r ?? "")) }
                continue
            case .lambda(let f, let r, _, _): (function, region) = (f, r)
            case .http: (function, region) = (call.application, nil)
            }
            if seen.insert("\(region ?? "")\u{0}\(function)").inserted { out.append((function, region ?? "")) }
        }
        return (out, check)
    }

    func setMemory(_ phase: LoadedSchedule.Phase) async throws {
        let (targets, qualified) = sizing[phase.index] ?? ([], [])
        let clients = lambdaForMemory
        let scheduleName = schedule.name
        let options = self.options
        for (function, qualifier, region) in qualified {
            let size = try await clients[region]!.getFunctionConfiguration(
                function, qualifier: qualifier, deadline: Date().addingTimeInterval(options.memoryTimeout)
            ).memorySize
            guard size == phase.memoryMB else {
                throw InputError(
                    file: scheduleName, field: "qualifier",
                    problem: "\(function):\(qualifier) runs at \(size) MB (a version's memory cannot change), but phase "
                        + "\(phase.index) is \(phase.memoryMB) MB: plan memory_sizes [\(size)] for it, or drop qualifier")
            }
        }
        let state = self.state
        // The change runs as a child task so that Ctrl-C can abandon the wait.
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask {
                try await withThrowingTaskGroup(of: Void.self) { updates in
                    for (function, region) in targets {
                        updates.addTask {
                            try await clients[region]!.setMemorySize(
                                function, to: phase.memoryMB,
                                pollInterval: options.pollInterval,
                                timeout: options.memoryTimeout)
                        }
                    }
                    try await updates.waitForAll()
                }
            }
            group.addTask {
                while !state.interrupted { try await Task.sleep(nanoseconds: 20_000_000) }
            }
            defer { group.cancelAll() }
            do {
                try await group.next()
            } catch is CancellationError where state.interrupted {
            }
        }
    }

    /// Feeds the phase's calls to the HTTP loop `lookahead` ahead of their due times, then
    /// waits for all of them to end. The phase starts `lookahead` from now, or at
    /// `startUnixMs` (a sharded run's fixed phase time; the monotonic clock is anchored to it).
    func runPhase(_ phase: LoadedSchedule.Phase, startUnixMs fixedStart: Double? = nil) async throws {
        let lookaheadNs = UInt64(options.lookahead * 1e9)
        let nowNs = MonotonicClock.nanoseconds()
        let nowUnixMs = WallClock.unixMilliseconds()
        let startUnixMs = fixedStart ?? nowUnixMs + options.lookahead * 1000
        // A start already past (a late memory change) stays where it was: the calls due since
        // go out at once, and their lag says how late they are.
        let aheadNs = (startUnixMs - nowUnixMs) * 1e6
        let startNs = aheadNs >= 0 ? nowNs + UInt64(aheadNs) : nowNs - min(nowNs, UInt64(-aheadNs))
        state.startPhase(startNanos: startNs, startUnixMs: startUnixMs)
        let loops = ClosedLoops(phase.callIndices, calls: schedule.calls)
        let indices = loops.isEmpty ? phase.callIndices : phase.callIndices.filter { schedule.calls[$0].loop == nil }
        // The loops start with the phase and run beside its open-loop calls.
        let loopTask: Task<Void, any Error>? =
            loops.isEmpty
            ? nil
            : Task {
                let now = MonotonicClock.nanoseconds()
                if startNs > now { try? await Task.sleep(nanoseconds: startNs - now) }
                try await self.run(loops, phaseStartUnixMs: startUnixMs)
            }
        var next = 0
        while next < indices.count {
            if state.interrupted {
                state.markNotSent(indices[next...], phaseStartUnixMs: startUnixMs)
                break
            }
            let horizon = MonotonicClock.nanoseconds() + lookaheadNs
            var batch: [(request: HTTPRequest, due: UInt64?)] = []
            var batchCalls: [Int] = []
            let date = Date()
            while next < indices.count {
                let k = indices[next]
                let due = startNs + UInt64(schedule.calls[k].atS * 1e9)
                if due > horizon { break }
                batch.append((requests.request(for: schedule.calls[k], date: date), due))
                batchCalls.append(k)
                next += 1
            }
            if !batch.isEmpty {
                submit(batch, calls: batchCalls)
                // Ctrl-C between the check above and this submission: cancel what was just queued.
                if state.interrupted { http.cancelScheduled() }
            }
            if next < indices.count {
                let due = startNs + UInt64(schedule.calls[indices[next]].atS * 1e9)
                let now = MonotonicClock.nanoseconds()
                // Wake in chunks of a quarter of the lookahead (batches, few wake-ups), or later
                // when the next call is further away.
                let wake = due > now + lookaheadNs ? due - lookaheadNs : now
                let pause = min(max(wake > now ? wake - now : 0, lookaheadNs / 4), 1_000_000_000)
                try? await Task.sleep(nanoseconds: pause)
            }
        }
        if let loopTask {
            do {
                try await loopTask.value
            } catch {
                // A cold start's configuration change failed: stop the phase's open-loop calls too.
                interrupt()
                await state.waitForPhase()
                throw error
            }
        }
        await state.waitForPhase()
    }

    func submit(_ batch: [(request: HTTPRequest, due: UInt64?)], calls: [Int]) {
        let state = self.state
        let options = self.options
        let http = self.http
        http.submit(batch) { [state] position, outcome in
            let k = calls[position]
            let request = batch[position].request
            ScheduleInvoker.handle(
                outcome, call: k, due: batch[position].due!, request: request, state: state,
                options: options, http: http)
        }
    }

    /// On the HTTP loop thread: records an attempt's outcome, or resubmits a throttled call
    /// when retries are on.
    static func handle(
        _ outcome: HTTPOutcome, call k: Int, due: UInt64, request: HTTPRequest, state: RunState,
        options: InvokeOptions, http: HTTPClient, slot: Int? = nil, finished: (@Sendable () -> Void)? = nil
    ) {
        let attempts = state.recordAttempt(k, outcome: outcome, due: due, slot: slot)
        if let response = outcome.response, Outcomes.isThrottle(response), attempts <= options.retryThrottled,
            !state.interrupted
        {
            var backoff = RetryPolicy().backoff()
            let delay = backoff.delay(forRetry: attempts, retryAfterS: RetryPolicy.retryAfter(response))
            let retryDue = MonotonicClock.nanoseconds() + UInt64(delay * 1e9)
            http.submit(request, due: retryDue) { outcome in
                handle(
                    outcome, call: k, due: due, request: request, state: state, options: options, http: http, slot: slot,
                    finished: finished)
            }
            return
        }
        state.finish(k)
        finished?()
    }
}
