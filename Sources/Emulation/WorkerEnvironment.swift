import CLinux
import Clocks
import Foundation
import Synchronization
import ToolSupport

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The execution environment of a built-in function: a worker process (the emulator's own
/// binary) running one handler, one request at a time, inside its own cgroup (or throttled
/// by its driver).
///
/// An environment is used by one invocation at a time: the pool hands it out under its
/// lock and takes it back when the invocation ends. Its few mutable fields sit behind a
/// Mutex for the reaper and shutdown, which may look at it from other threads.
final class WorkerEnvironment: ExecutionEnvironment {
    let id: String
    let spec: EnvironmentSpec
    let logStream: String
    let pid: pid_t
    let requestFD: Int32
    let responseFD: Int32
    let group: EnvironmentGroup?
    /// The environment's own /tmp (the worker's TMPDIR), removed with the environment.
    let scratchDirectory: String
    let spawnedMonotonicMs: Double

    struct State: Sendable {
        var lastUsedMonotonicMs: Double
        var invocations = 0
        var dead = false
        var initDurationMs = 0.0
    }
    let state: Mutex<State>

    /// Starts a worker process (the start of a cold start); `awaitReady()` completes it.
    init(
        spec: EnvironmentSpec, id: String, logStream: String, executable: String, control: ResourceControl,
        scratchDirectory: String
    ) throws {
        self.id = id
        self.spec = spec
        self.logStream = logStream
        self.scratchDirectory = scratchDirectory
        let t0 = MonotonicClock.milliseconds()
        guard mkdir(scratchDirectory, 0o700) == 0 || errno == EEXIST else {
            throw EnvironmentStartError.spawn("cannot create \(scratchDirectory): \(String(cString: strerror(errno)))")
        }
        var requestPipe: [Int32] = [0, 0]
        var responsePipe: [Int32] = [0, 0]
        let pid: pid_t = try Spawner.lock.withLock { _ in
            // Under the spawn lock, so no other worker inherits these pipes before they are close-on-exec.
            guard pipe(&requestPipe) == 0 else { throw EnvironmentStartError.spawn("pipe: \(String(cString: strerror(errno)))") }
            guard pipe(&responsePipe) == 0 else {
                close(requestPipe[0])
                close(requestPipe[1])
                throw EnvironmentStartError.spawn("pipe: \(String(cString: strerror(errno)))")
            }
            for fd in requestPipe + responsePipe { _ = fcntl(fd, F_SETFD, FD_CLOEXEC) }
            do {
                return try Spawner.spawn(
                    executable: executable,
                    arguments: [executable, "--worker-handler", spec.handler]
                        + (spec.workScale == 1 ? [] : ["--worker-work-scale", String(spec.workScale)]),
                    environment: WorkerMain.environment(spec: spec, logStream: logStream, scratchDirectory: scratchDirectory),
                    fdMap: [(requestPipe[0], WorkerMain.requestFD), (responsePipe[1], WorkerMain.responseFD)])
            } catch {
                for fd in requestPipe + responsePipe { close(fd) }
                Scratch.remove(scratchDirectory)
                throw error
            }
        }
        close(requestPipe[0])
        close(responsePipe[1])
        self.pid = pid
        self.requestFD = requestPipe[1]
        self.responseFD = responsePipe[0]
        var group = control.makeGroup(id: id, memoryMB: spec.memoryMB)
        if let g = group, !g.add(pid: pid) {
            g.remove()
            group = nil
        }
        self.group = group
        self.state = Mutex(State(lastUsedMonotonicMs: t0))
        spawnedMonotonicMs = t0
    }

    /// Waits until the worker's runtime says it is ready: the end of the cold start (Init Duration).
    func awaitReady() throws {
        let ready = ProcessStatus.waitReadable(responseFD, timeoutMs: 10_000) ? PipeIO.readExactly(responseFD, 1) : nil
        guard ready == [WorkerMain.readyByte] else {
            terminate()
            throw EnvironmentStartError.initFailed("no ready signal from the worker")
        }
        let duration = MonotonicClock.milliseconds() - spawnedMonotonicMs
        state.withLock {
            $0.initDurationMs = duration
            $0.lastUsedMonotonicMs = MonotonicClock.milliseconds()
        }
    }

    var initDurationMs: Double { state.withLock { $0.initDurationMs } }
    /// A built-in handler prints nothing during its init.
    var initLog: [LogLine] { [] }

    var isDead: Bool { state.withLock { $0.dead } }
    var lastUsedMonotonicMs: Double { state.withLock { $0.lastUsedMonotonicMs } }

    /// Runs one invocation, blocking the calling thread. Enforces the timeout, and the
    /// CPU share and memory limit when there is no cgroup to do it.
    func invoke(_ request: InvocationRequest) -> InvocationOutcome {
        let payload = request.payload
        state.withLock { $0.invocations += 1 }
        MemoryProbe.resetPeak(pid: pid)
        let t0 = MonotonicClock.milliseconds()
        let deadline = t0 + spec.timeoutSeconds * 1000
        guard PipeIO.writeAll(requestFD, PipeIO.frame(payload)) else {
            return finishDead(.crashed("Runtime exited before the request could be sent"), start: t0)
        }
        let share = cpuShare(memoryMB: spec.memoryMB)
        let throttle = group == nil && share < 1
        // Duty cycle (no cgroup): let the worker run for `onMs`, then stop it (below).
        let onMs = 5.0
        var rssExceeded = false
        var responded = false
        var cpuAtStart = throttle ? (MemoryProbe.cpuMs(pid: pid) ?? 0) : 0
        while true {
            let now = MonotonicClock.milliseconds()
            if now >= deadline { break }
            var slice = deadline - now
            if throttle { slice = min(slice, onMs) }
            if group == nil { slice = min(slice, 5) }
            if ProcessStatus.waitReadable(responseFD, timeoutMs: slice) {
                responded = true
                break
            }
            if group == nil, let rss = MemoryProbe.rssMB(pid: pid), rss > Double(spec.memoryMB) {
                rssExceeded = true
                break
            }
            if throttle {
                kill(pid, SIGSTOP)
                // Stop it until this cycle's wall time is its CPU time / share: like a
                // kernel quota, it counts CPU actually used, not time it was allowed to run.
                let ran = MonotonicClock.milliseconds() - now
                let used = MemoryProbe.cpuMs(pid: pid).map { $0 - cpuAtStart } ?? ran
                cpuAtStart += used
                MonotonicClock.sleep(milliseconds: min(max(0, used / share - ran), max(0, deadline - MonotonicClock.milliseconds())))
                kill(pid, SIGCONT)
            }
        }
        if responded {
            if throttle { kill(pid, SIGCONT) }
            if let response = WorkerResponse.read(responseFD) {
                let duration = MonotonicClock.milliseconds() - t0
                state.withLock { $0.lastUsedMonotonicMs = MonotonicClock.milliseconds() }
                let peak = MemoryProbe.peakRSSMB(pid: pid) ?? 0
                return InvocationOutcome(
                    status: response.isError ? .functionError : .success, body: response.body,
                    functionLog: response.logText, durationMs: duration,
                    maxMemoryMB: max(1, Int(peak.rounded(.up))), environmentDied: false)
            }
            // End of file: the worker died during the request.
            let status = reap()
            let oom = didTerminateBySignal(status) && terminatingSignal(status) == SIGKILL && (group?.oomKilled() ?? true)
            return finishDead(oom ? .outOfMemory : .crashed(ProcessStatus.describe(status)), start: t0, alreadyReaped: true)
        }
        if rssExceeded { return finishDead(.outOfMemory, start: t0) }
        return finishDead(.timeout, start: t0)
    }

    private func finishDead(_ status: InvocationOutcome.Status, start: Double, alreadyReaped: Bool = false) -> InvocationOutcome {
        let duration = status == .timeout ? spec.timeoutSeconds * 1000 : MonotonicClock.milliseconds() - start
        let peak = status == .outOfMemory ? Double(spec.memoryMB) : (MemoryProbe.peakRSSMB(pid: pid) ?? 0)
        if !alreadyReaped { terminate() } else { cleanUp() }
        return InvocationOutcome(
            status: status, body: [], functionLog: "", durationMs: duration,
            maxMemoryMB: max(1, Int(peak.rounded(.up))), environmentDied: true)
    }

    /// Kills the worker, reaps it and removes its cgroup. Safe to call more than once.
    func terminate() {
        let first = state.withLock { s -> Bool in
            defer { s.dead = true }
            return !s.dead
        }
        guard first else { return }
        kill(pid, SIGKILL)
        var status: Int32 = 0
        while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
        close(requestFD)
        close(responseFD)
        endEnvironment()
    }

    /// Ends every other process of the environment (anything the function started, which
    /// may hold descriptors or files), removes its cgroup and its /tmp.
    private func endEnvironment() {
        if let group {
            group.killAll()
            group.remove()
        } else {
            // Without a cgroup, the worker's process group (it is its leader) holds its children.
            kill(-pid, SIGKILL)
        }
        Scratch.remove(scratchDirectory)
    }

    private func reap() -> Int32 {
        var status: Int32 = 0
        while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
        return status
    }

    private func cleanUp() {
        let first = state.withLock { s -> Bool in
            defer { s.dead = true }
            return !s.dead
        }
        guard first else { return }
        close(requestFD)
        close(responseFD)
        endEnvironment()
    }

}
