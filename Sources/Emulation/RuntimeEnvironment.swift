import CLinux
import Clocks
import Foundation
import NIOPosix
import SeededRandom
import Synchronization

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The execution environment of a user's function: its `bootstrap` process tree, in its
/// own cgroup (CPU in proportion to memory, the memory limit) with its own capped /tmp,
/// talking to the emulator through its own Runtime API listener (`RuntimeAPIServer`).
///
/// The invoking thread drives it: one `poll` waits for the runtime's answer (`RuntimeSession`'s
/// wake pipe), its output (stdout and stderr, one pipe, logged line by line) and its exit
/// (a pidfd), until the deadline. Output is read only while an invocation (or the init) runs,
/// as a Lambda environment is frozen in between.
final class RuntimeEnvironment: ExecutionEnvironment {
    let id: String
    let spec: EnvironmentSpec
    let logStream: String
    let pid: pid_t
    let group: EnvironmentGroup?
    let scratchDirectory: String
    let session: RuntimeSession
    private let server: RuntimeAPIServer
    private let context: RuntimeContext
    /// The read end of the runtime's stdout and stderr (non-blocking).
    let outputFD: Int32
    /// Readable once the bootstrap process has exited.
    let exitFD: Int32
    /// When the gate opened: the bootstrap's start, from which Init Duration counts.
    private let startedMonotonicMs: Double

    enum InitFailure: Sendable {
        case posted(type: String, body: [UInt8])
        case exited(String)
        case timedOut
    }

    struct State: Sendable {
        var lastUsedMonotonicMs: Double
        var invocations = 0
        var dead = false
        var reaped = false
        var exitStatus: Int32?
        var outputClosed = false
        var partialLine: [UInt8] = []
        var initDurationMs = 0.0
        var initLog: [LogLine] = []
        var initFailure: InitFailure?
    }
    let state: Mutex<State>

    /// Lambda cuts log events at 256 KB.
    static let maxLineBytes = 262_144

    /// Starts the runtime: listener, process behind the gate, cgroup, then the gate opens.
    init(
        spec: EnvironmentSpec, code: FunctionCode, id: String, logStream: String, control: ResourceControl,
        scratchDirectory: String, eventLoops: MultiThreadedEventLoopGroup, context: RuntimeContext
    ) throws {
        self.id = id
        self.spec = spec
        self.logStream = logStream
        self.scratchDirectory = scratchDirectory
        self.context = context
        // What the gate execs, known before anything is made: a missing Python leaves nothing to undo.
        let command: [String]
        if code.runsOwnBootstrap {
            command = [code.directory + "/bootstrap"]
        } else {
            switch context.python.path() {
            case .success(let interpreter): command = PythonRuntime.command(interpreter: interpreter, handler: spec.handler)
            case .failure(let missing): throw EnvironmentStartError.spawn(missing.description)
            }
        }
        guard mkdir(scratchDirectory, 0o700) == 0 || errno == EEXIST else {
            throw EnvironmentStartError.spawn("cannot create \(scratchDirectory): \(String(cString: strerror(errno)))")
        }
        let session: RuntimeSession
        let server: RuntimeAPIServer
        do {
            session = try RuntimeSession()
            server = try RuntimeAPIServer.start(session: session, eventLoops: eventLoops)
        } catch {
            Scratch.remove(scratchDirectory)
            throw error
        }
        self.session = session
        self.server = server
        let environment = RuntimeBootstrap.environment(
            spec: spec, code: code, logStream: logStream, scratchDirectory: scratchDirectory,
            runtimeAPI: "127.0.0.1:\(server.port)", context: context)
        var outputPipe: [Int32] = [-1, -1]
        var gatePipe: [Int32] = [-1, -1]
        let pid: pid_t
        do {
            pid = try Spawner.lock.withLock { _ in
                // Under the spawn lock, so no other child inherits these pipes before they are close-on-exec.
                guard pipe(&outputPipe) == 0, pipe(&gatePipe) == 0 else {
                    throw EnvironmentStartError.spawn("pipe: \(String(cString: strerror(errno)))")
                }
                for fd in outputPipe + gatePipe { _ = fcntl(fd, F_SETFD, FD_CLOEXEC) }
                return try Spawner.spawn(
                    executable: context.executable,
                    arguments: [context.executable, "--runtime-bootstrap", command[0]]
                        + command.dropFirst().map { "--runtime-argument=" + $0 },
                    environment: environment,
                    fdMap: [(outputPipe[1], 1), (outputPipe[1], 2), (gatePipe[0], RuntimeBootstrap.gateFD)])
            }
        } catch {
            for fd in outputPipe + gatePipe where fd >= 0 { close(fd) }
            session.close()
            server.close()
            Scratch.remove(scratchDirectory)
            throw error
        }
        close(outputPipe[1])
        close(gatePipe[0])
        _ = fcntl(outputPipe[0], F_SETFL, fcntl(outputPipe[0], F_GETFL) | O_NONBLOCK)
        self.pid = pid
        outputFD = outputPipe[0]
        var group = control.makeGroup(id: id, memoryMB: spec.memoryMB)
        if let g = group, !g.add(pid: pid) {
            g.remove()
            group = nil
        }
        self.group = group
        exitFD = rs_pidfd_open(pid)
        let started = MonotonicClock.milliseconds()
        startedMonotonicMs = started
        state = Mutex(State(lastUsedMonotonicMs: started))
        // The child is in its cgroup: let it become the bootstrap.
        _ = PipeIO.writeAll(gatePipe[1], [1])
        close(gatePipe[1])
    }

    deinit {
        close(outputFD)
        if exitFD >= 0 { close(exitFD) }
    }

    var initDurationMs: Double { state.withLock { $0.initDurationMs } }
    var initLog: [LogLine] { state.withLock { $0.initLog } }
    /// Ended, or its bootstrap has exited (between invocations too: a runtime may exit after
    /// its answer), so the pool never hands it out again and the next call starts a new one.
    var isDead: Bool {
        if state.withLock({ $0.dead }) { return true }
        var p = pollfd(fd: exitFD, events: Int16(POLLIN), revents: 0)
        return exitFD >= 0 && poll(&p, 1, 0) > 0
    }
    var lastUsedMonotonicMs: Double { state.withLock { $0.lastUsedMonotonicMs } }

    /// The init phase: until the runtime's first `next`, its `init/error`, its exit, or the
    /// init timeout. A failure is kept for the first invocation to answer, and the environment ends.
    func awaitReady() throws {
        let deadline = startedMonotonicMs + context.initTimeoutSeconds * 1000
        var lines: [LogLine] = []
        var failure: InitFailure?
        var ready = false
        while !ready && failure == nil {
            switch wait(untilMs: deadline, into: &lines) {
            case .wake:
                if let posted = session.postedInitError {
                    failure = .posted(type: posted.type, body: posted.body)
                } else if session.firstNextMonotonicMs != nil {
                    ready = true
                }
            case .exited: failure = .exited(ProcessStatus.describe(reap()))
            case .deadline: failure = .timedOut
            }
        }
        readOutput(into: &lines, flush: true)
        let end = session.firstNextMonotonicMs ?? MonotonicClock.milliseconds()
        state.withLock {
            $0.initLog = lines
            $0.initDurationMs = end - startedMonotonicMs
            $0.initFailure = failure
            $0.lastUsedMonotonicMs = MonotonicClock.milliseconds()
        }
        if failure != nil { terminate() }
    }

    func invoke(_ request: InvocationRequest) -> InvocationOutcome {
        if let failure = state.withLock({ $0.initFailure }) { return initFailureOutcome(failure, requestId: request.requestId) }
        state.withLock { $0.invocations += 1 }
        for p in processes() { MemoryProbe.resetPeak(pid: p) }
        let t0 = MonotonicClock.milliseconds()
        let deadline = t0 + spec.timeoutSeconds * 1000
        session.offer(
            RuntimeInvocation(
                requestId: request.requestId, payload: request.payload,
                deadlineMs: Int64(WallClock.unixMilliseconds() + spec.timeoutSeconds * 1000),
                functionArn: context.functionArn
                    + ((request.invokedQualifier ?? (spec.version == "$LATEST" ? nil : spec.version)).map { ":" + $0 } ?? ""),
                traceId: Self.newTraceId(), clientContext: request.clientContext,
                cognitoIdentity: nil))
        var lines: [LogLine] = []
        while true {
            switch wait(untilMs: deadline, into: &lines) {
            case .wake:
                guard let answer = session.takeAnswer() else { continue }
                // What the runtime printed before it answered is in the pipe already.
                readOutput(into: &lines, flush: true)
                let now = MonotonicClock.milliseconds()
                state.withLock { $0.lastUsedMonotonicMs = now }
                let peak = peakMemoryMB()
                // A v1 OOM kill ends only the largest process; v2 (memory.oom.group) ends the
                // whole environment. Either way the environment is over, as on Lambda.
                if let group, group.oomKills() > 0 { return finishDead(.outOfMemory, start: t0, lines: lines) }
                var outcome = InvocationOutcome(
                    status: .success, body: [], functionLog: "", durationMs: now - t0,
                    maxMemoryMB: max(1, Int(peak.rounded(.up))), environmentDied: false)
                outcome.runtimeLog = lines
                switch answer {
                case .response(let body): outcome.body = body
                case .error(_, let body):
                    outcome.status = .functionError
                    outcome.body = body
                }
                return outcome
            case .exited:
                readOutput(into: &lines, flush: true)
                let status = reap()
                let oom = group?.oomKilled() ?? false
                return finishDead(oom ? .outOfMemory : .crashed(ProcessStatus.describe(status)), start: t0, lines: lines)
            case .deadline:
                readOutput(into: &lines, flush: true)
                return finishDead(.timeout, start: t0, lines: lines)
            }
        }
    }

    private func initFailureOutcome(_ failure: InitFailure, requestId: String) -> InvocationOutcome {
        var outcome = InvocationOutcome(
            status: .initError("Runtime.InitError"), body: [], functionLog: "", durationMs: 0, maxMemoryMB: 1,
            environmentDied: true)
        switch failure {
        case .posted(let type, let body):
            outcome.status = .initError(type)
            outcome.body =
                body.isEmpty ? RuntimeAPIHandler.errorJSON(type: type, message: "RequestId: \(requestId) Error: init failed") : body
        case .exited(let why):
            outcome.status = .crashed(why)
        case .timedOut:
            outcome.body = RuntimeAPIHandler.errorJSON(
                type: "Runtime.InitError",
                message:
                    "RequestId: \(requestId) Error: Runtime failed to initialize within \(Invoker.seconds(context.initTimeoutSeconds)) seconds: it never called /\(RuntimeAPIHandler.version)/runtime/invocation/next"
            )
        }
        return outcome
    }

    private func finishDead(_ status: InvocationOutcome.Status, start: Double, lines: [LogLine]) -> InvocationOutcome {
        let duration = status == .timeout ? spec.timeoutSeconds * 1000 : MonotonicClock.milliseconds() - start
        let peak = status == .outOfMemory ? Double(spec.memoryMB) : peakMemoryMB()
        terminate()
        var outcome = InvocationOutcome(
            status: status, body: [], functionLog: "", durationMs: duration, maxMemoryMB: max(1, Int(peak.rounded(.up))),
            environmentDied: true)
        outcome.runtimeLog = lines
        return outcome
    }

    /// The environment's processes: the cgroup's, else the bootstrap alone.
    private func processes() -> [pid_t] {
        let members = group?.processes() ?? []
        return members.isEmpty ? [pid] : members
    }

    /// Max Memory Used: the peak resident sets of the environment's processes since the call
    /// began, summed (a runtime's worker processes count, as in a microVM's memory). A child
    /// that has already exited is not seen: its peak went with it.
    private func peakMemoryMB() -> Double {
        processes().reduce(0) { $0 + (MemoryProbe.peakRSSMB(pid: $1) ?? 0) }
    }

    /// Ends the runtime and everything it started (the whole cgroup, else its process group),
    /// its listener, its cgroup and its /tmp. Safe to call more than once, from any thread.
    func terminate() {
        let (first, reaped) = state.withLock { s -> (Bool, Bool) in
            defer { s.dead = true }
            return (!s.dead, s.reaped)
        }
        guard first else { return }
        session.close()
        server.close()
        if !reaped { kill(pid, SIGKILL) }
        if let group {
            group.killAll()
        } else {
            // The bootstrap leads its process group; the group id stays taken while any member lives.
            kill(-pid, SIGKILL)
        }
        _ = reap()
        group?.remove()
        Scratch.remove(scratchDirectory)
    }
}
