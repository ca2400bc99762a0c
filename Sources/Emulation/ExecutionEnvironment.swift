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

/// The configuration an environment was started with (an environment never changes it).
struct EnvironmentSpec: Sendable, Equatable {
    var function: String
    var handler: String
    var memoryMB: Int
    var timeoutSeconds: Double
    /// The size of the environment's /tmp (Lambda's `EphemeralStorage`), which caps scratch files.
    var ephemeralStorageMB: Int = FunctionDefinition.ephemeralStorageMB
    /// The function's `work_scale` (1 = as written).
    var workScale: Double = 1
    /// The function's own variables (`Environment.Variables`).
    var variables: [String: String] = [:]
    /// For `AWS_REGION` in the worker's environment.
    var region = EmulatorOptions.defaultRegion
    /// Bumped by every configuration update; environments of older generations retire.
    var generation: Int
}

extension EnvironmentSpec {
    init(_ definition: FunctionDefinition, region: String, generation: Int) {
        self.init(
            function: definition.name, handler: definition.handler, memoryMB: definition.memoryMB,
            timeoutSeconds: Double(definition.timeoutSeconds), workScale: definition.workScale,
            variables: definition.environment, region: region, generation: generation)
    }
}

/// How one invocation ended inside an environment.
struct InvocationOutcome: Sendable {
    enum Status: Sendable, Equatable {
        case success, functionError, timeout, outOfMemory
        case crashed(String)
    }
    var status: Status
    var body: [UInt8]
    var functionLog: String
    var durationMs: Double
    var maxMemoryMB: Int
    /// The worker is gone (timeout, OOM, crash): the environment must not be reused.
    var environmentDied: Bool
}

/// One execution environment: a worker process running one function, one request at
/// a time, inside its own cgroup (or throttled by its driver).
///
/// An environment is used by one invocation at a time: the pool hands it out under its
/// lock and takes it back when the invocation ends. Its few mutable fields sit behind a
/// Mutex for the reaper and shutdown, which may look at it from other threads.
final class ExecutionEnvironment: Sendable {
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

    enum StartError: Error, CustomStringConvertible {
        case spawn(String)
        case initFailed(String)
        var description: String {
            switch self {
            case .spawn(let s): return "cannot start worker: \(s)"
            case .initFailed(let s): return "worker failed to initialise: \(s)"
            }
        }
    }

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
            throw StartError.spawn("cannot create \(scratchDirectory): \(String(cString: strerror(errno)))")
        }
        var requestPipe: [Int32] = [0, 0]
        var responsePipe: [Int32] = [0, 0]
        let pid: pid_t = try Spawner.lock.withLock { _ in
            // Under the spawn lock, so no other worker inherits these pipes before they are close-on-exec.
            guard pipe(&requestPipe) == 0 else { throw StartError.spawn("pipe: \(String(cString: strerror(errno)))") }
            guard pipe(&responsePipe) == 0 else {
                close(requestPipe[0])
                close(requestPipe[1])
                throw StartError.spawn("pipe: \(String(cString: strerror(errno)))")
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
        let ready = Self.waitReadable(responseFD, timeoutMs: 10_000) ? PipeIO.readExactly(responseFD, 1) : nil
        guard ready == [WorkerMain.readyByte] else {
            terminate()
            throw StartError.initFailed("no ready signal from the worker")
        }
        let duration = MonotonicClock.milliseconds() - spawnedMonotonicMs
        state.withLock {
            $0.initDurationMs = duration
            $0.lastUsedMonotonicMs = MonotonicClock.milliseconds()
        }
    }

    var initDurationMs: Double { state.withLock { $0.initDurationMs } }

    var isDead: Bool { state.withLock { $0.dead } }
    var lastUsedMonotonicMs: Double { state.withLock { $0.lastUsedMonotonicMs } }

    /// Runs one invocation, blocking the calling thread. Enforces the timeout, and the
    /// CPU share and memory limit when there is no cgroup to do it.
    func invoke(payload: [UInt8]) -> InvocationOutcome {
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
            if Self.waitReadable(responseFD, timeoutMs: slice) {
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
            return finishDead(oom ? .outOfMemory : .crashed(Self.describe(status)), start: t0, alreadyReaped: true)
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

    static func describe(_ status: Int32) -> String {
        if didTerminateBySignal(status) { return "Runtime exited with error: signal: \(Self.signalName(terminatingSignal(status)))" }
        return "Runtime exited with error: exit status \((status >> 8) & 0xFF)"
    }

    static func signalName(_ s: Int32) -> String {
        switch s {
        case SIGKILL: return "killed"
        case SIGSEGV: return "segmentation fault"
        case SIGABRT: return "aborted"
        case SIGILL: return "illegal instruction"
        case SIGTRAP: return "trace/breakpoint trap"
        default: return "signal \(s)"
        }
    }

    static func waitReadable(_ fd: Int32, timeoutMs: Double) -> Bool {
        var p = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
        let ms = Int32(max(0, min(timeoutMs.rounded(.up), Double(Int32.max))))
        while true {
            let r = poll(&p, 1, ms)
            if r < 0 && errno == EINTR { continue }
            return r > 0
        }
    }
}

// The wait-status macros are not imported into Swift.
func didTerminateBySignal(_ status: Int32) -> Bool { (status & 0x7F) != 0 && (status & 0x7F) != 0x7F }
func terminatingSignal(_ status: Int32) -> Int32 { status & 0x7F }

/// posix_spawn with explicit file-descriptor wiring (Foundation.Process cannot place a
/// pipe at fd 3/4, and would add a monitoring thread per child).
///
/// The child gets only the descriptors in `fdMap` (and /dev/null as stdin and stdout):
/// every other descriptor is closed in the child, so a worker or anything it starts can
/// never hold the server's listening socket or a client connection open. It leads a
/// process group of its own, so its children can be ended with it where there is no cgroup.
enum Spawner {
    static let lock = Mutex<Void>(())

    static func spawn(executable: String, arguments: [String], environment: [String], fdMap: [(Int32, Int32)]) throws -> pid_t {
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, "/dev/null", O_WRONLY, 0)
        for (from, to) in fdMap { posix_spawn_file_actions_adddup2(&actions, from, to) }
        let firstUnmapped = (fdMap.map(\.1).max() ?? 2) + 1
        guard rs_spawn_close_from(&actions, firstUnmapped) == 0 else {
            throw ExecutionEnvironment.StartError.spawn("posix_spawn_file_actions_addclosefrom_np failed")
        }
        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        posix_spawnattr_setpgroup(&attributes, 0)
        // Signals the server ignores (SIGPIPE) or blocks stay ignored across exec unless reset.
        var defaults = sigset_t()
        sigemptyset(&defaults)
        sigaddset(&defaults, SIGPIPE)
        posix_spawnattr_setsigdefault(&attributes, &defaults)
        var empty = sigset_t()
        sigemptyset(&empty)
        posix_spawnattr_setsigmask(&attributes, &empty)
        posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETPGROUP | POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETSIGMASK))
        let argv: [UnsafeMutablePointer<CChar>?] = arguments.map { strdup($0) } + [nil]
        let envp: [UnsafeMutablePointer<CChar>?] = environment.map { strdup($0) } + [nil]
        defer { for p in argv + envp { free(p) } }
        var pid: pid_t = 0
        let rc = posix_spawn(&pid, executable, &actions, &attributes, argv, envp)
        guard rc == 0 else { throw ExecutionEnvironment.StartError.spawn(String(cString: strerror(rc))) }
        return pid
    }
}

/// An environment's /tmp: created at its start, removed with everything in it when the
/// environment ends, and swept at the emulator's start for emulators that were killed.
enum Scratch {
    static func remove(_ directory: String) {
        try? FileManager.default.removeItem(atPath: directory)
    }

    /// Bytes used by the files under `directory`.
    static func usedBytes(_ directory: String) -> Int {
        guard let walker = FileManager.default.enumerator(atPath: directory) else { return 0 }
        var total = 0
        while let name = walker.nextObject() as? String {
            var info = stat()
            if lstat(directory + "/" + name, &info) == 0, (info.st_mode & S_IFMT) == S_IFREG { total += Int(info.st_size) }
        }
        return total
    }

    /// Removes the scratch roots of emulators that are no longer running.
    static func removeStale(under root: String) {
        for entry in (try? FileManager.default.contentsOfDirectory(atPath: root)) ?? []
        where DeadOwners.isLeftover(entry, prefix: "lambda-emulator-") {
            remove(root + "/" + entry)
        }
    }
}
