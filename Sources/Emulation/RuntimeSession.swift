import Clocks
import Foundation
import Synchronization

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// One invocation as a user runtime gets it from `GET /runtime/invocation/next`.
struct RuntimeInvocation: Sendable {
    var requestId: String
    var payload: [UInt8]
    /// Epoch ms (`Lambda-Runtime-Deadline-Ms`).
    var deadlineMs: Int64
    var functionArn: String
    /// `Lambda-Runtime-Trace-Id`, X-Ray's `Root=1-...;Parent=...;Sampled=0` (never sampled here).
    var traceId: String
    var clientContext: String?
    var cognitoIdentity: String?
}

/// What one execution environment's controlling thread (blocking, in `RuntimeEnvironment`)
/// and its Runtime API (async, on the event loops) share: the invocation waiting for `next`,
/// and what the runtime answered.
///
/// Every change the controlling thread waits for (the first `next`, an answer, an init error)
/// is followed by a byte on `wake`, which it polls together with the runtime's output and its
/// process: one `poll` for everything, and no lost wake-up (the byte stays until drained).
final class RuntimeSession: Sendable {
    enum Answer: Sendable {
        case response([UInt8])
        /// `/invocation/{id}/error` (the type as validated), or a response over 6 MB.
        case error(type: String, body: [UInt8])
    }

    enum NextResult: Sendable {
        case invocation(RuntimeInvocation)
        /// 403 `InvalidStateTransition`, as the Runtime API answers a call out of order.
        case invalidState(String)
        case closed
    }

    enum PostResult: Sendable, Equatable {
        case accepted
        case invalidRequestId
        case invalidState(String)
    }

    private enum Phase: Equatable {
        case initializing, ready, initFailed, closed
        case invoking(String)

        var name: String {
            switch self {
            case .initializing: return "Initializing"
            case .ready: return "Ready"
            case .initFailed: return "InitError"
            case .closed: return "Closed"
            case .invoking: return "Invoking"
            }
        }
    }

    private struct State {
        var phase = Phase.initializing
        var firstNextMonotonicMs: Double?
        var initError: (type: String, body: [UInt8])?
        var pending: RuntimeInvocation?
        var waiter: CheckedContinuation<NextResult, Never>?
        var answer: Answer?
    }

    private let state = Mutex(State())
    let wake: WakePipe

    init() throws { wake = try WakePipe() }

    // MARK: The runtime's side (the Runtime API's handlers)

    /// `next`: the first call ends the init; then it waits until the controlling thread offers
    /// an invocation (a long poll: no timeout, as on Lambda, where the environment is frozen).
    func next() async -> NextResult {
        await withCheckedContinuation { continuation in
            let (immediate, woke) = state.withLock { s -> (NextResult?, Bool) in
                var woke = false
                switch s.phase {
                case .closed, .initFailed: return (.closed, false)
                case .invoking:
                    return (
                        .invalidState("State transition from Invoking to Ready failed for runtime. Error: a response is due first"), false
                    )
                case .initializing:
                    s.phase = .ready
                    s.firstNextMonotonicMs = MonotonicClock.milliseconds()
                    woke = true
                case .ready: break
                }
                guard s.waiter == nil else {
                    return (.invalidState("State transition from Ready to Ready failed for runtime. Error: another next is waiting"), woke)
                }
                if let invocation = s.pending {
                    s.pending = nil
                    s.phase = .invoking(invocation.requestId)
                    return (.invocation(invocation), woke)
                }
                s.waiter = continuation
                return (nil, woke)
            }
            if woke { wake.signal() }
            if let immediate { continuation.resume(returning: immediate) }
        }
    }

    func respond(requestId: String, _ answer: Answer) -> PostResult {
        let result = state.withLock { s -> PostResult in
            guard case .invoking(let current) = s.phase else {
                return .invalidState("State transition from \(s.phase.name) to InvocationResponse failed for runtime. Error: no invocation")
            }
            guard current == requestId else { return .invalidRequestId }
            s.answer = answer
            s.phase = .ready
            return .accepted
        }
        if result == .accepted { wake.signal() }
        return result
    }

    func initError(type: String, body: [UInt8]) -> PostResult {
        let result = state.withLock { s -> PostResult in
            guard s.phase == .initializing else {
                return .invalidState("State transition from \(s.phase.name) to InitError failed for runtime. Error: not initializing")
            }
            s.phase = .initFailed
            s.initError = (type, body)
            return .accepted
        }
        if result == .accepted { wake.signal() }
        return result
    }

    // MARK: The controlling thread's side

    /// When the runtime first called `next` (the end of its init), if it has.
    var firstNextMonotonicMs: Double? { state.withLock { $0.firstNextMonotonicMs } }
    var postedInitError: (type: String, body: [UInt8])? { state.withLock { $0.initError } }

    /// Hands an invocation to the runtime's waiting `next`, or keeps it for the next `next`.
    func offer(_ invocation: RuntimeInvocation) {
        state.withLock { s in
            s.answer = nil
            if let waiter = s.waiter {
                s.waiter = nil
                s.phase = .invoking(invocation.requestId)
                waiter.resume(returning: .invocation(invocation))
            } else {
                s.pending = invocation
            }
        }
    }

    func takeAnswer() -> Answer? {
        state.withLock { s in
            defer { s.answer = nil }
            return s.answer
        }
    }

    /// The environment ends: a waiting `next` is answered (its connection closes with the process).
    func close() {
        let waiter = state.withLock { s -> CheckedContinuation<NextResult, Never>? in
            s.phase = .closed
            s.pending = nil
            defer { s.waiter = nil }
            return s.waiter
        }
        waiter?.resume(returning: .closed)
    }
}

/// A self-pipe: `signal` from any thread makes `readFD` readable until `drain`. Its
/// descriptors live as long as the object, so a late `signal` (a runtime's post racing the
/// environment's end) never writes into a descriptor number that was closed and reused.
final class WakePipe: Sendable {
    let readFD: Int32
    private let writeFD: Int32

    init() throws {
        var fds: [Int32] = [0, 0]
        guard pipe(&fds) == 0 else { throw EnvironmentStartError.spawn("pipe: \(String(cString: strerror(errno)))") }
        for fd in fds {
            _ = fcntl(fd, F_SETFD, FD_CLOEXEC)
            _ = fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK)
        }
        readFD = fds[0]
        writeFD = fds[1]
    }

    deinit {
        close(writeFD)
        close(readFD)
    }

    func signal() {
        var byte: UInt8 = 1
        _ = write(writeFD, &byte, 1)  // a full pipe is already a pending wake-up
    }

    func drain() {
        var buffer = [UInt8](repeating: 0, count: 64)
        while read(readFD, &buffer, buffer.count) > 0 {}
    }
}
