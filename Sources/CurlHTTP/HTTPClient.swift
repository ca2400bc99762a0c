import CCurl
import Clocks
import Foundation

/// An HTTP client that keeps many requests in flight on one dedicated thread.
///
/// Requests are submitted from any thread, optionally with a due time; the event loop
/// (libcurl's multi socket interface driven by epoll, see `EventLoop`) starts each one
/// when it is due — woken by a timerfd, so sends are precise to tens of microseconds —
/// and reuses connections (HTTP keep-alive) across requests. TLS peers are verified.
/// Completions run on the loop thread: keep them short.
public final class HTTPClient: Sendable {
    private let queue = WorkQueue()
    private let loop: EventLoop
    private let finished = DispatchSemaphore(value: 0)
    private let held = HeldCount()

    /// `maxConnections`: connections kept open for reuse (libcurl's cache size).
    /// `maxInFlight`: requests in flight at most (0: no limit); a due request waits for a
    /// free slot, so the client never opens more connections than that.
    /// `realtime`: run the loop thread with SCHED_FIFO priority when allowed (precise sends on a busy machine).
    public init(maxConnections: Int = 4096, maxInFlight: Int = 0, realtime: Bool = false) {
        _ = HTTPClient.globalInit
        let loop = EventLoop(
            maxConnections: maxConnections, maxInFlight: maxInFlight, realtime: realtime, queue: queue, heldForSlot: held)
        self.loop = loop
        let done = finished
        let thread = Thread {
            loop.run()
            done.signal()
        }
        thread.name = "rightsize-curl-loop"
        thread.start()
    }

    deinit {
        shutdown()
    }

    private static let globalInit: Void = {
        curl_global_init(Int(CURL_GLOBAL_DEFAULT))
        return ()
    }()

    /// Queues `request`; it starts at `due` (monotonic ns, see `MonotonicClock`) or at once.
    /// After `shutdown()`, completes at once as `notStarted`.
    public func submit(
        _ request: HTTPRequest, due: UInt64? = nil,
        completion: @escaping @Sendable (HTTPOutcome) -> Void
    ) {
        submit([(request, due)], completion: { _, outcome in completion(outcome) })
    }

    /// Queues several requests with one wake-up; `completion` gets each one's index in `batch`.
    public func submit(
        _ batch: [(request: HTTPRequest, due: UInt64?)],
        completion: @escaping @Sendable (Int, HTTPOutcome) -> Void
    ) {
        var submissions: [Submission] = []
        submissions.reserveCapacity(batch.count)
        for (k, item) in batch.enumerated() {
            submissions.append(Submission(request: item.request, due: item.due ?? 0, completion: { completion(k, $0) }))
        }
        if queue.add(submissions) {
            loop.wakeUp()
        } else {
            let now = MonotonicClock.nanoseconds()
            for s in submissions {
                s.completion(
                    HTTPOutcome(
                        result: .failure(HTTPError(kind: .notStarted, message: "client shut down")),
                        startedNanos: nil, finishedNanos: now))
            }
        }
    }

    /// How many requests were due while `maxInFlight` were in flight, and waited for a slot.
    public var requestsHeldForSlot: Int { held.current }

    /// Sends `request` now and waits for its outcome.
    public func send(_ request: HTTPRequest) async -> HTTPOutcome {
        await withCheckedContinuation { continuation in
            submit(request) { continuation.resume(returning: $0) }
        }
    }

    /// Completes every request not yet started as `notStarted` (in-flight ones continue).
    public func cancelScheduled() {
        queue.command { $0.cancelScheduled = true }
        loop.wakeUp()
    }

    /// Abandons every request, started or not (started ones complete as `cancelled`).
    public func cancelAll() {
        queue.command {
            $0.cancelScheduled = true
            $0.cancelAll = true
        }
        loop.wakeUp()
    }

    /// Cancels everything, stops the loop thread and waits for it. Idempotent.
    public func shutdown() {
        guard queue.shutDown() else { return }
        loop.wakeUp()
        // Called from a completion (the loop thread itself): the loop stops after it returns.
        if queue.isLoopThread() { return }
        finished.wait()
    }
}

struct Submission {
    var request: HTTPRequest
    var due: UInt64
    var completion: @Sendable (HTTPOutcome) -> Void
}

struct LoopCommands {
    var cancelScheduled = false
    var cancelAll = false
    var shutdown = false
}

/// Submissions and commands handed from any thread to the loop thread.
final class WorkQueue: @unchecked Sendable {
    // @unchecked Sendable: every stored property is only accessed under `lock`.
    private let lock = NSLock()
    private var incoming: [Submission] = []
    private var commands = LoopCommands()
    private var isShutDown = false
    private var loopThread: pthread_t?

    func setLoopThread() {
        lock.lock()
        defer { lock.unlock() }
        loopThread = pthread_self()
    }

    func isLoopThread() -> Bool {
        lock.lock()
        defer { lock.unlock() }
        guard let loopThread else { return false }
        return pthread_equal(loopThread, pthread_self()) != 0
    }

    /// False (nothing queued) once shut down.
    func add(_ submissions: [Submission]) -> Bool {
        lock.lock()
        defer { lock.unlock() }
        if isShutDown { return false }
        incoming.append(contentsOf: submissions)
        return true
    }

    func command(_ change: (inout LoopCommands) -> Void) {
        lock.lock()
        defer { lock.unlock() }
        change(&commands)
    }

    /// True the first time.
    func shutDown() -> Bool {
        lock.lock()
        defer { lock.unlock() }
        if isShutDown { return false }
        isShutDown = true
        commands = LoopCommands(cancelScheduled: true, cancelAll: true, shutdown: true)
        return true
    }

    /// Takes the queued submissions and pending commands (the loop thread calls this).
    func take() -> ([Submission], LoopCommands) {
        lock.lock()
        defer { lock.unlock() }
        let work = (incoming, commands)
        if !incoming.isEmpty { incoming = [] }
        commands = LoopCommands(shutdown: commands.shutdown)
        return work
    }
}
