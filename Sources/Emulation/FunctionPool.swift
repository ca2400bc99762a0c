import Clocks
import Foundation
import NIOPosix
import SeededRandom
import Synchronization

/// The functions' state: configurations, update status, and their execution environments.
///
/// Invocations take an idle environment of the function's active configuration (warm)
/// or start one (cold) while the account-wide concurrency limit allows; otherwise they
/// are throttled. A configuration update is `InProgress` for `updateDelayMs`, during
/// which invocations keep using the old configuration; then the old environments retire.
final class FunctionPool: Sendable {
    struct FunctionState: Sendable {
        /// What GetFunctionConfiguration shows (the new values as soon as an update is accepted).
        var definition: FunctionDefinition
        /// What invocations run with.
        var active: EnvironmentSpec
        var updateInProgress = false
        var lastModifiedMs: Double
        var revisionId: String
        var idle: [any ExecutionEnvironment] = []
        /// `Pending` from CreateFunction until the function can run (`updateDelayMs`), then `Active`.
        var state = Lifecycle.active
        /// The deployment package's size and SHA-256 (base64); 0 and "" for a built-in handler.
        var codeSize = 0
        var codeSha256 = ""
        /// Published versions and aliases (FunctionPool+Versions).
        var versions = FunctionVersions()

        enum Lifecycle: String, Sendable {
            case pending = "Pending"
            case active = "Active"
        }
    }

    struct State: Sendable {
        var functions: [String: FunctionState] = [:]
        var order: [String] = []
        var inFlight = 0
        var live: [String: any ExecutionEnvironment] = [:]
        var shuttingDown = false
        var environmentCounter = 0
        /// Workers being spawned and not yet in `live` (shutdown waits for them).
        var starting = 0
        var generationCounter = 0
        /// What the stats endpoint shows (`EmulatorStatistics`), kept under the same lock as
        /// `inFlight`, so a peak is exact, never sampled.
        var counters: [String: FunctionCounters] = [:]
        var peakInFlight = 0

        /// A call got an environment: it is in flight until `end`.
        mutating func begin(_ name: String, cold: Bool) {
            inFlight += 1
            peakInFlight = max(peakInFlight, inFlight)
            counters[name, default: FunctionCounters()].begin(cold: cold)
        }

        mutating func end(_ name: String) {
            inFlight -= 1
            counters[name, default: FunctionCounters()].inFlight -= 1
        }
    }

    enum Lease: Sendable {
        case environment(any ExecutionEnvironment, cold: Bool)
        case notFound
        case throttled
        case failed(String)
    }

    let state: Mutex<State>
    let options: EmulatorOptions
    let control: ResourceControl
    let logs: LogStore
    let instanceTag: String
    /// Where the environments' /tmp directories live: `<state dir>/tmp/lambda-emulator-<pid>`.
    let scratchRoot: String
    /// The event loops that user runtimes' Runtime API listeners run on (the server's own).
    let eventLoops: MultiThreadedEventLoopGroup
    /// The public URL, known once the server listens: user runtimes' `AWS_ENDPOINT_URL`.
    let endpoint = Mutex("")
    /// The host's Python for `python3.x` functions, found on first use.
    let python: PythonInterpreter

    init(options: EmulatorOptions, control: ResourceControl, logs: LogStore, eventLoops: MultiThreadedEventLoopGroup) {
        self.eventLoops = eventLoops
        self.options = options
        python = PythonInterpreter(configured: options.pythonExecutable)
        self.control = control
        self.logs = logs
        let scratchParent = options.stateDirectory + "/tmp"
        Scratch.removeStale(under: scratchParent)
        scratchRoot = scratchParent + "/lambda-emulator-\(getpid())"
        try? FileManager.default.createDirectory(atPath: scratchRoot, withIntermediateDirectories: true)
        var random = SystemRandomNumberGenerator()
        instanceTag = SplitMix64.hex(random.next(), 16)
        var s = State()
        let now = WallClock.unixMilliseconds()
        for (i, f) in options.config.functions.enumerated() {
            s.functions[f.name] = FunctionState(
                definition: f, active: EnvironmentSpec(f, region: options.region, generation: i),
                lastModifiedMs: now, revisionId: Self.newRevision())
            s.counters[f.name] = FunctionCounters()
            s.order.append(f.name)
        }
        s.generationCounter = options.config.functions.count
        // Functions deployed through the API by an earlier run (a name in the functions file wins).
        Self.addDeployedFunctions(to: &s, options: options, now: now)
        Self.addPublishedVersions(to: &s, options: options)
        state = Mutex(s)
    }

    static func newRevision() -> String {
        var random = SystemRandomNumberGenerator()
        var r = SplitMix64(seed: random.next())
        return r.uuid()
    }

    func snapshot(_ name: String) -> FunctionState? { state.withLock { $0.functions[name] } }
    func allFunctions() -> [FunctionState] { state.withLock { s in s.order.compactMap { s.functions[$0] } } }

    /// Whether `acquire` could give an environment now: a cheap check before a thread is
    /// started for the call (acquire decides; this only keeps throttled calls cheap).
    func mightAcquire(_ name: String, version: Int? = nil) -> Bool {
        state.withLock { s in
            guard let f = s.functions[name], !s.shuttingDown else { return true }
            return f.hasIdle(version: version) || s.inFlight < options.concurrencyLimit
        }
    }

    /// Counts a call answered 429 (`TooManyRequestsException`). Counted by the caller that
    /// answers, not by `acquire`: queued `Event` calls retry `acquire` until it succeeds.
    func recordThrottle(_ name: String) {
        state.withLock { s in
            guard s.functions[name] != nil else { return }
            s.counters[name, default: FunctionCounters()].throttled += 1
        }
    }

    /// Takes an environment of `$LATEST` (nil) or of published version `version` for one
    /// invocation (blocking while a cold one starts): each version has environments of its own.
    func acquire(_ name: String, version: Int? = nil) -> Lease {
        enum Step {
            case warm(any ExecutionEnvironment)
            case cold(EnvironmentSpec, Int)
            case notFound, throttled
        }
        // An environment idle past the timeout is gone, whether or not the reaper's timer has
        // fired yet: so the idle timeout is exact, as a cold-start lifetime sweep needs.
        let limitMs = options.idleTimeoutSeconds * 1000
        let now = MonotonicClock.milliseconds()
        let (step, expired): (Step, [any ExecutionEnvironment]) = state.withLock { s in
            guard var f = s.functions[name], !s.shuttingDown, let active = f.activeSpec(version: version) else {
                return (.notFound, [])
            }
            var expired: [any ExecutionEnvironment] = []
            while let env = f.popIdle(version: version) {
                if env.isDead || env.spec.generation != active.generation {
                    // Ended outside the pool's doing (a user runtime that exited while idle): end the rest of it.
                    s.live[env.id] = nil
                    expired.append(env)
                    continue
                }
                if now - env.lastUsedMonotonicMs > limitMs {
                    s.live[env.id] = nil
                    expired.append(env)
                    continue
                }
                s.functions[name] = f
                s.begin(name, cold: false)
                return (.warm(env), expired)
            }
            s.functions[name] = f
            guard s.inFlight < options.concurrencyLimit else { return (.throttled, expired) }
            s.begin(name, cold: true)
            s.environmentCounter += 1
            s.starting += 1
            return (.cold(active, s.environmentCounter), expired)
        }
        for env in expired { env.terminate() }
        switch step {
        case .notFound: return .notFound
        case .throttled: return .throttled
        case .warm(let env): return .environment(env, cold: false)
        case .cold(let spec, let number):
            var random = SystemRandomNumberGenerator()
            let streamId = SplitMix64.hex(random.next(), 16) + SplitMix64.hex(random.next(), 16)
            let stream = Timestamps.day(WallClock.unixMilliseconds()) + "/[\(spec.version)]" + streamId
            let env: any ExecutionEnvironment
            do {
                env = try startEnvironment(spec: spec, number: number, logStream: stream)
            } catch {
                state.withLock {
                    $0.starting -= 1
                    $0.end(name)
                }
                return .failed("\(error)")
            }
            // Registered before the (slow) init, so a shutdown at any moment finds it.
            let keep = state.withLock { s -> Bool in
                s.starting -= 1
                guard !s.shuttingDown else { return false }
                s.live[env.id] = env
                return true
            }
            guard keep else {
                env.terminate()
                state.withLock { $0.end(name) }
                return .notFound
            }
            do {
                try env.awaitReady()
            } catch {
                state.withLock { s in
                    s.live[env.id] = nil
                    s.end(name)
                }
                return .failed("\(error)")
            }
            logs.createStream(group: "/aws/lambda/\(name)", name: stream, creationMs: Int64(WallClock.unixMilliseconds()))
            return .environment(env, cold: true)
        }
    }

    /// Gives an environment back after an invocation: idle again, or retired.
    func release(_ env: any ExecutionEnvironment, died: Bool) {
        let retire: Bool = state.withLock { s in
            s.end(env.spec.function)
            guard !died, !s.shuttingDown, var f = s.functions[env.spec.function],
                f.activeSpec(version: Int(env.spec.version))?.generation == env.spec.generation, f.pushIdle(env)
            else {
                s.live[env.id] = nil
                return true
            }
            s.functions[env.spec.function] = f
            return false
        }
        if retire { env.terminate() }
    }

    enum UpdateResult: Sendable {
        case accepted(FunctionState)
        case notFound, conflict
    }

    /// Starts a configuration update; it completes after `updateDelayMs`. Any update, even
    /// one repeating the current values, retires the function's environments when it completes.
    func update(_ name: String, _ change: ConfigurationChange) -> UpdateResult {
        update(name) { change.apply(to: &$0.definition) }
    }

    /// Starts an update of whatever `apply` changes (configuration, code): `InProgress` for
    /// `updateDelayMs`, then the function's environments of the old configuration retire.
    func update(_ name: String, applying apply: (inout FunctionState) -> Void) -> UpdateResult {
        let result: UpdateResult = state.withLock { s in
            guard var f = s.functions[name] else { return .notFound }
            guard !f.updateInProgress, f.state == .active else { return .conflict }
            apply(&f)
            f.updateInProgress = true
            f.lastModifiedMs = WallClock.unixMilliseconds()
            f.revisionId = Self.newRevision()
            s.functions[name] = f
            return .accepted(f)
        }
        if case .accepted = result {
            let delay = max(0, options.updateDelayMs)
            DispatchQueue.global().asyncAfter(deadline: .now() + .milliseconds(Int(delay))) { [self] in
                completeUpdate(name)
            }
        }
        return result
    }

    func completeUpdate(_ name: String) {
        let retired: [any ExecutionEnvironment] = state.withLock { s in
            guard var f = s.functions[name] else { return [] }
            s.generationCounter += 1
            // A new generation: busy environments of the old one end when their call does (`release`).
            f.active = EnvironmentSpec(f.definition, region: options.region, generation: s.generationCounter)
            f.updateInProgress = false
            f.revisionId = Self.newRevision()
            let old = f.idle
            f.idle = []
            s.functions[name] = f
            for env in old { s.live[env.id] = nil }
            return old
        }
        for env in retired { env.terminate() }
        saveIfDeployed(name)
    }

    /// Retires environments idle for longer than the idle timeout.
    func reapIdle() {
        let limitMs = options.idleTimeoutSeconds * 1000
        let now = MonotonicClock.milliseconds()
        let expired: [any ExecutionEnvironment] = state.withLock { s in
            var out: [any ExecutionEnvironment] = []
            for name in s.order {
                guard var f = s.functions[name] else { continue }
                let old = f.removeIdle { now - $0.lastUsedMonotonicMs > limitMs }
                s.functions[name] = f
                for env in old { s.live[env.id] = nil }
                out += old
            }
            return out
        }
        for env in expired { env.terminate() }
    }

    /// Number of worker processes alive (for tests and the banner).
    var liveEnvironments: Int { state.withLock { $0.live.count } }

    /// Kills every worker (waiting for any being spawned) and removes the cgroups.
    func shutdown() {
        state.withLock { $0.shuttingDown = true }
        let deadline = MonotonicClock.milliseconds() + 5000
        while true {
            let (all, starting): ([any ExecutionEnvironment], Int) = state.withLock { s in
                let all = Array(s.live.values)
                s.live = [:]
                for name in s.order { _ = s.functions[name]?.removeIdle { _ in true } }
                return (all, s.starting)
            }
            for env in all { env.terminate() }
            if starting == 0 || MonotonicClock.milliseconds() > deadline { break }
            MonotonicClock.sleep(milliseconds: 2)
        }
        control.removeAll()
        Scratch.remove(scratchRoot)
    }
}
