import Clocks
import Foundation
import JSON
import Synchronization

/// Runs invocations end to end: takes an environment, runs the request in the worker,
/// writes START/END/REPORT and the function's output to the log store.
final class Invoker: Sendable {
    struct Result: Sendable {
        enum Kind: Sendable {
            case ok, notFound, throttled
            case serviceError(String)
        }
        var kind: Kind
        var body: [UInt8] = []
        /// `Unhandled` when the function failed (X-Amz-Function-Error).
        var functionError: String?
        /// This invocation's log (for `X-Amz-Log-Type: Tail`).
        var logText = ""
    }

    let pool: FunctionPool
    let logs: LogStore
    let options: EmulatorOptions
    private let writer: LogWriter
    private let events = Mutex(EventQueue())

    /// `Event` invocations waiting for capacity, and the threads draining them.
    struct EventQueue {
        var pending: [QueuedEvent] = []
        var head = 0
        var drainers = 0
        var count: Int { pending.count - head }
    }
    /// One `Event` invocation of `$LATEST` (version nil) or of a published version.
    struct QueuedEvent: Sendable {
        var function: String
        var version: Int?
        var qualifier: String?
        var payload: [UInt8]
        var requestId: String
    }
    /// How many `Event` invocations may wait before new ones are refused (429).
    static let maxQueuedEvents = 100_000

    init(pool: FunctionPool, logs: LogStore, options: EmulatorOptions) {
        self.pool = pool
        self.logs = logs
        self.options = options
        writer = LogWriter(logs: logs, delayMeanMs: options.logDelayMeanMs, seed: options.seed)
    }

    /// Runs one invocation on a thread of its own (workers are driven by blocking I/O,
    /// which must never run on the server's event loops). A call that would be throttled is
    /// answered without one, so a flood of calls past the concurrency limit costs no threads.
    func invoke(
        function: String, version: Int? = nil, qualifier: String? = nil, payload: [UInt8], requestId: String,
        clientContext: String? = nil
    ) async -> Result {
        guard pool.mightAcquire(function, version: version) else {
            pool.recordThrottle(function)
            return Result(kind: .throttled)
        }
        let result = await withCheckedContinuation { continuation in
            let thread = Thread { [self] in
                // The answer goes out first; its logs are stored right after (they only
                // become visible after the propagation delay anyway).
                let deferred = options.logDelayMeanMs >= 50
                let result = invokeBlocking(
                    function: function, version: version, qualifier: qualifier, payload: payload, requestId: requestId,
                    clientContext: clientContext, deferLogs: deferred ? { self.writer.enqueue($0) } : nil)
                continuation.resume(returning: result)
            }
            thread.stackSize = 1 << 20
            thread.start()
        }
        if case .throttled = result.kind { pool.recordThrottle(function) }
        return result
    }

    /// `Event` invocations: queued until capacity frees, like Lambda's internal queue, and
    /// run by at most `concurrencyLimit` threads. false: the queue is full.
    func invokeInBackground(
        function: String, version: Int? = nil, qualifier: String? = nil, payload: [UInt8], requestId: String
    ) -> Bool {
        let startDrainer: Bool? = events.withLock { q in
            guard q.count < Self.maxQueuedEvents else { return nil }
            q.pending.append(
                QueuedEvent(function: function, version: version, qualifier: qualifier, payload: payload, requestId: requestId))
            guard q.drainers < options.concurrencyLimit else { return false }
            q.drainers += 1
            return true
        }
        guard let startDrainer else {
            pool.recordThrottle(function)
            return false
        }
        if startDrainer {
            let thread = Thread { [self] in drainEvents() }
            thread.stackSize = 1 << 20
            thread.start()
        }
        return true
    }

    private func drainEvents() {
        while true {
            let next = events.withLock { q -> QueuedEvent? in
                guard q.count > 0 else {
                    q.drainers -= 1
                    q.pending = []
                    q.head = 0
                    return nil
                }
                defer { q.head += 1 }
                if q.head > 4096 && q.head * 2 > q.pending.count {
                    q.pending.removeFirst(q.head)
                    q.head = 0
                }
                return q.pending[q.head]
            }
            guard let next else { return }
            while case .throttled = invokeBlocking(
                function: next.function, version: next.version, qualifier: next.qualifier, payload: next.payload,
                requestId: next.requestId
            ).kind {
                MonotonicClock.sleep(milliseconds: 50)
            }
        }
    }

    private func store(_ p: PendingLogs) { writer.write([p]) }

    /// Stores the logs still queued (at shutdown).
    /// Stores every pending log event and ends the log writer (at shutdown).
    func stopLogs() { writer.stop() }

    /// `deferLogs`: hand the log events to the caller instead of storing them now.
    func invokeBlocking(
        function: String, version: Int? = nil, qualifier: String? = nil, payload: [UInt8], requestId: String,
        clientContext: String? = nil, deferLogs: ((PendingLogs) -> Void)? = nil
    ) -> Result {
        let env: any ExecutionEnvironment
        let cold: Bool
        switch pool.acquire(function, version: version) {
        case .notFound: return Result(kind: .notFound)
        case .throttled: return Result(kind: .throttled)
        case .failed(let why): return Result(kind: .serviceError(why))
        case .environment(let e, let c):
            env = e
            cold = c
        }
        let startMs = WallClock.unixMilliseconds()
        let outcome = env.invoke(
            InvocationRequest(payload: payload, requestId: requestId, clientContext: clientContext, invokedQualifier: qualifier))
        let endMs = WallClock.unixMilliseconds()
        pool.release(env, died: outcome.environmentDied)
        let lines = logLines(env: env, cold: cold, outcome: outcome, requestId: requestId, startMs: startMs, endMs: endMs)
        let pending = PendingLogs(function: function, stream: env.logStream, lines: lines, endMs: endMs)
        if let deferLogs { deferLogs(pending) } else { store(pending) }
        let logText = lines.map(\.message).joined(separator: "\n") + "\n"
        var result = Result(kind: .ok, body: outcome.body, logText: logText)
        switch outcome.status {
        case .success: break
        case .functionError: result.functionError = "Unhandled"
        case .timeout:
            result.functionError = "Unhandled"
            result.body = errorBody(
                type: nil,
                message: "\(Timestamps.iso(endMs)) \(requestId) Task timed out after \(Self.seconds(env.spec.timeoutSeconds)) seconds")
        case .outOfMemory:
            result.functionError = "Unhandled"
            result.body = errorBody(
                type: "Runtime.OutOfMemory", message: "RequestId: \(requestId) Error: Runtime exited with error: signal: killed")
        case .crashed(let why):
            result.functionError = "Unhandled"
            result.body = errorBody(type: "Runtime.ExitError", message: "RequestId: \(requestId) Error: \(why)")
        case .initError:
            // The body is the runtime's own (`init/error`) or the emulator's (init timeout).
            result.functionError = "Unhandled"
        }
        return result
    }

    static func seconds(_ s: Double) -> String { String(format: "%.2f", s) }

    private func errorBody(type: String?, message: String) -> [UInt8] {
        jsonObject { w in
            if let type {
                w.key("errorType")
                w.string(type)
            }
            w.key("errorMessage")
            w.string(message)
        }
    }

    /// INIT_START's runtime version, in Lambda's form (`python3.12` → `python:3.12.v1`); the
    /// built-in handlers say `provided:al2023`, a native binary's runtime.
    static func runtimeVersion(_ runtime: String?) -> String {
        guard let runtime, let dot = runtime.firstIndex(of: runtime.hasPrefix("python") ? "3" : ".") else { return "provided:al2023.v1" }
        let family = runtime[..<dot].replacingOccurrences(of: ".", with: "")
        let version = runtime[dot...].drop { $0 == "." }
        return "\(family):\(version).v1"
    }

    /// The invocation's log events, in Lambda's text format.
    func logLines(
        env: any ExecutionEnvironment, cold: Bool, outcome: InvocationOutcome, requestId: String,
        startMs: Double, endMs: Double
    ) -> [(timestamp: Int64, message: String)] {
        var lines: [(Int64, String)] = []
        let start = Int64(startMs)
        let end = Int64(endMs)
        if cold {
            lines.append(
                (
                    start,
                    "INIT_START Runtime Version: \(Self.runtimeVersion(env.spec.code?.runtime))\tRuntime Version ARN: arn:aws:lambda:\(options.region)::runtime:lambda-emulator"
                ))
        }
        if cold { lines += env.initLog.map { ($0.timestamp, $0.message) } }
        if cold, case .initError(let type) = outcome.status {
            lines.append(
                (
                    start,
                    "INIT_REPORT Init Duration: \(String(format: "%.2f", env.initDurationMs)) ms\tPhase: init\tStatus: error\tError Type: \(type)"
                ))
        }
        lines.append((start, "START RequestId: \(requestId) Version: \(env.spec.version)"))
        for line in outcome.functionLog.split(separator: "\n", omittingEmptySubsequences: true) {
            let level = line.hasPrefix("[ERROR]") ? "ERROR" : "INFO"
            lines.append((end, "\(Timestamps.iso(endMs))\t\(requestId)\t\(level)\t\(line)"))
        }
        // A user runtime's output, as printed (a provided runtime's lines carry no prefix).
        lines += outcome.runtimeLog.map { ($0.timestamp, $0.message) }
        switch outcome.status {
        case .timeout:
            lines.append(
                (end, "\(Timestamps.iso(endMs)) \(requestId) Task timed out after \(Self.seconds(env.spec.timeoutSeconds)) seconds"))
        case .outOfMemory:
            lines.append((end, "RequestId: \(requestId) Error: Runtime exited with error: signal: killed\nRuntime.OutOfMemory"))
        case .crashed(let why):
            lines.append((end, "RequestId: \(requestId) Error: \(why)\nRuntime.ExitError"))
        default: break
        }
        lines.append((end, "END RequestId: \(requestId)"))
        lines.append((end, reportLine(requestId: requestId, env: env, cold: cold, outcome: outcome)))
        return lines
    }

    func reportLine(requestId: String, env: any ExecutionEnvironment, cold: Bool, outcome: InvocationOutcome) -> String {
        let initMs = cold ? env.initDurationMs : 0
        // Since August 2025 the init phase is billed too: Billed Duration covers both, rounded up to 1 ms.
        let billed = Int((outcome.durationMs + initMs).rounded(.up))
        var line =
            "REPORT RequestId: \(requestId)\tDuration: \(String(format: "%.2f", outcome.durationMs)) ms\tBilled Duration: \(billed) ms\tMemory Size: \(env.spec.memoryMB) MB\tMax Memory Used: \(outcome.maxMemoryMB) MB\t"
        if cold { line += "Init Duration: \(String(format: "%.2f", env.initDurationMs)) ms\t" }
        switch outcome.status {
        case .timeout: line += "Status: timeout"
        case .outOfMemory: line += "Status: error\tError Type: Runtime.OutOfMemory"
        case .crashed: line += "Status: error\tError Type: Runtime.ExitError"
        case .initError(let type): line += "Status: error\tError Type: \(type)"
        default: break
        }
        return line
    }
}
