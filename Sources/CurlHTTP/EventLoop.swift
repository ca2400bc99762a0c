import CCurl
import CLinux
import Clocks
import Glibc
import HeapModule
import Synchronization

/// libcurl's multi socket interface driven by epoll, on one thread.
///
/// Why the socket interface: curl_multi_perform/poll visit every transfer on every
/// wake-up, which costs O(in flight) per request at high rates; with socket actions
/// only the sockets that are ready are touched. Three kinds of fd are watched: an
/// eventfd (new submissions, commands), a timerfd armed to the earlier of the next due
/// time and libcurl's own timeout (hrtimer precision, no poll-timeout slack), and the
/// transfers' sockets as libcurl asks for them.
final class EventLoop: @unchecked Sendable {
    // @unchecked Sendable: only wakeUp() (a write to an eventfd) is called from other
    // threads; every other member is used by the loop thread alone.
    private let queue: WorkQueue
    private let multi: UnsafeMutableRawPointer
    private let epollFD: Int32
    private let wakeFD: Int32
    private let timerFD: Int32
    /// Scheduled transfers, earliest due first.
    private var scheduled = TransferHeap()
    /// Started transfers by easy handle.
    private var active: [UnsafeMutableRawPointer: Transfer] = [:]
    private var idleHandles: [UnsafeMutableRawPointer] = []
    private var watchedSockets: Set<Int32> = []
    /// libcurl's requested timeout as a monotonic deadline (nil: none).
    fileprivate var curlDeadline: UInt64?
    private var armedTimer: UInt64 = 0
    private var sequence: UInt64 = 0
    private var shuttingDown = false

    private let realtime: Bool
    /// Transfers in flight at most (0: no limit); due ones wait in `scheduled` for a slot.
    private let maxInFlight: Int
    /// Transfers that were due while every slot was taken (read from other threads).
    let heldForSlot: HeldCount
    /// When a due transfer last found every slot taken.
    private var lastBlockedNanos: UInt64 = 0

    init(maxConnections: Int, maxInFlight: Int, realtime: Bool, queue: WorkQueue, heldForSlot: HeldCount) {
        self.queue = queue
        self.realtime = realtime
        self.maxInFlight = maxInFlight
        self.heldForSlot = heldForSlot
        multi = curl_multi_init()!
        epollFD = epoll_create1(Int32(EPOLL_CLOEXEC))
        wakeFD = eventfd(0, Int32(EFD_NONBLOCK | EFD_CLOEXEC))
        timerFD = timerfd_create(CLOCK_MONOTONIC, Int32(TFD_NONBLOCK | TFD_CLOEXEC))
        precondition(epollFD >= 0 && wakeFD >= 0 && timerFD >= 0, "cannot create the HTTP event loop's descriptors")
        for fd in [wakeFD, timerFD] {
            var event = epoll_event()
            event.events = EPOLLIN.rawValue
            event.data.fd = fd
            epoll_ctl(epollFD, EPOLL_CTL_ADD, fd, &event)
        }
        rs_curl_multi_setopt_long(multi, CURLMOPT_MAXCONNECTS, maxConnections)
        rs_curl_multi_setopt_long(multi, CURLMOPT_MAX_TOTAL_CONNECTIONS, 0)  // in flight is bounded here, not by libcurl
        rs_curl_multi_setopt_long(multi, CURLMOPT_MAX_HOST_CONNECTIONS, 0)
        let me = Unmanaged.passUnretained(self).toOpaque()
        rs_curl_multi_setopt_ptr(multi, CURLMOPT_SOCKETFUNCTION, unsafeBitCast(socketCallback, to: UnsafeRawPointer.self))
        rs_curl_multi_setopt_ptr(multi, CURLMOPT_SOCKETDATA, me)
        rs_curl_multi_setopt_ptr(multi, CURLMOPT_TIMERFUNCTION, unsafeBitCast(timerCallback, to: UnsafeRawPointer.self))
        rs_curl_multi_setopt_ptr(multi, CURLMOPT_TIMERDATA, me)
    }

    /// Wakes the loop from any thread.
    func wakeUp() {
        var one: UInt64 = 1
        _ = write(wakeFD, &one, 8)
    }

    func run() {
        queue.setLoopThread()
        setTimerSlack()
        var events = [epoll_event](repeating: epoll_event(), count: 256)
        while true {
            takeWork()
            if shuttingDown && scheduled.isEmpty && active.isEmpty { break }
            startDueTransfers()
            if let deadline = curlDeadline, deadline <= MonotonicClock.nanoseconds() {
                curlDeadline = nil
                var running: Int32 = 0
                curl_multi_socket_action(multi, CURL_SOCKET_TIMEOUT, 0, &running)
            }
            collectCompletions()
            let waitMs = armTimer()
            let n = events.withUnsafeMutableBufferPointer { epoll_wait(epollFD, $0.baseAddress, Int32($0.count), waitMs) }
            if n < 0 { continue }  // EINTR
            for k in 0..<Int(n) {
                let fd = events[k].data.fd
                let flags = events[k].events
                if fd == wakeFD || fd == timerFD {
                    var value: UInt64 = 0
                    _ = read(fd, &value, 8)
                    if fd == timerFD { armedTimer = 0 }
                } else {
                    var mask: Int32 = 0
                    if flags & EPOLLIN.rawValue != 0 { mask |= CURL_CSELECT_IN }
                    if flags & EPOLLOUT.rawValue != 0 { mask |= CURL_CSELECT_OUT }
                    if flags & (EPOLLERR.rawValue | EPOLLHUP.rawValue) != 0 { mask |= CURL_CSELECT_ERR }
                    var running: Int32 = 0
                    curl_multi_socket_action(multi, fd, mask, &running)
                }
            }
            collectCompletions()
        }
        for handle in idleHandles { curl_easy_cleanup(handle) }
        idleHandles = []
        curl_multi_cleanup(multi)
        close(epollFD)
        close(wakeFD)
        close(timerFD)
    }

    /// The loop's timer fires exactly when asked: no slack on its own sleeps.
    private func setTimerSlack() {
        _ = rs_set_timer_slack_ns(1)
        if realtime {
            // Best effort (needs CAP_SYS_NICE): a busy machine then cannot delay due sends;
            // the loop blocks in epoll between events, and the kernel caps RT time at 95%.
            var param = sched_param()
            param.sched_priority = 10
            _ = pthread_setschedparam(pthread_self(), SCHED_FIFO, &param)
        }
    }

    private func takeWork() {
        let (submissions, commands) = queue.take()
        for s in submissions {
            sequence += 1
            scheduled.push(Transfer(submission: s, sequence: sequence))
        }
        if commands.shutdown { shuttingDown = true }
        if commands.cancelScheduled {
            let now = MonotonicClock.nanoseconds()
            while let t = scheduled.pop() {
                t.completion(
                    HTTPOutcome(
                        result: .failure(HTTPError(kind: .notStarted, message: "cancelled before its due time")),
                        startedNanos: nil, finishedNanos: now))
            }
        }
        if commands.cancelAll {
            for (handle, _) in active {
                finish(handle, result: .failure(HTTPError(kind: .cancelled, message: "abandoned before the response arrived")))
            }
        }
    }

    private var hasFreeSlot: Bool { maxInFlight == 0 || active.count < maxInFlight }

    /// Starts every due transfer while slots are free. A due transfer that finds none waits,
    /// in due order, and starts as one frees: its lag (start - due) records the wait, and no
    /// connection beyond the limit is opened (which would turn overload into errors).
    private func startDueTransfers() {
        var now = MonotonicClock.nanoseconds()
        var started = false
        while let due = scheduled.peekDue, due <= now {
            guard hasFreeSlot else {
                lastBlockedNanos = now
                break
            }
            let transfer = scheduled.pop()!
            // Due before the last moment every slot was taken: it waited for one.
            if transfer.due <= lastBlockedNanos { heldForSlot.add(1) }
            start(transfer, now: now)
            started = true
            now = MonotonicClock.nanoseconds()
        }
        if started {
            // New handles asked for a 0 ms timeout: run them now, before waiting.
            curlDeadline = nil
            var running: Int32 = 0
            curl_multi_socket_action(multi, CURL_SOCKET_TIMEOUT, 0, &running)
        }
    }

    private func start(_ transfer: Transfer, now: UInt64) {
        let handle = idleHandles.popLast() ?? curl_easy_init()!
        transfer.handle = handle
        if let problem = transfer.configure(handle) {
            transfer.handle = nil
            curl_easy_reset(handle)
            idleHandles.append(handle)
            transfer.completion(
                HTTPOutcome(
                    result: .failure(HTTPError(kind: .transport, message: problem)),
                    startedNanos: now, finishedNanos: now))
            return
        }
        transfer.startedNanos = MonotonicClock.nanoseconds()
        active[handle] = transfer
        let code = curl_multi_add_handle(multi, handle)
        if code != CURLM_OK {
            finish(handle, result: .failure(HTTPError(kind: .transport, message: String(cString: curl_multi_strerror(code)))))
        }
    }

    private func collectCompletions() {
        var remaining: Int32 = 0
        while let message = curl_multi_info_read(multi, &remaining) {
            guard message.pointee.msg == CURLMSG_DONE, let handle = message.pointee.easy_handle else { continue }
            let code = message.pointee.data.result
            guard let transfer = active[handle] else { continue }
            if code == CURLE_OK {
                var status = 0
                rs_curl_getinfo_long(handle, CURLINFO_RESPONSE_CODE, &status)
                finish(
                    handle,
                    result: .success(
                        HTTPResponse(
                            status: status, headers: transfer.responseHeaders,
                            body: transfer.responseBody)))
            } else {
                let kind: HTTPError.Kind = code == CURLE_OPERATION_TIMEDOUT ? .timeout : .transport
                finish(handle, result: .failure(HTTPError(kind: kind, message: transfer.errorText(code))))
            }
        }
    }

    private func finish(_ handle: UnsafeMutableRawPointer, result: Result<HTTPResponse, HTTPError>) {
        guard let transfer = active.removeValue(forKey: handle) else { return }
        curl_multi_remove_handle(multi, handle)
        let now = MonotonicClock.nanoseconds()
        transfer.release()
        curl_easy_reset(handle)
        if idleHandles.count < 1024 { idleHandles.append(handle) } else { curl_easy_cleanup(handle) }
        transfer.completion(HTTPOutcome(result: result, startedNanos: transfer.startedNanos, finishedNanos: now))
    }

    /// Arms the timerfd for the next due time or libcurl deadline; returns epoll's timeout.
    private func armTimer() -> Int32 {
        var next = UInt64.max
        // With every slot taken, a finishing transfer (a socket event) wakes the loop.
        if hasFreeSlot, let due = scheduled.peekDue { next = due }
        if let deadline = curlDeadline, deadline < next { next = deadline }
        if next == UInt64.max { return -1 }
        if next <= MonotonicClock.nanoseconds() { return 0 }
        if next != armedTimer {
            var spec = itimerspec()
            spec.it_value.tv_sec = Int(next / 1_000_000_000)
            spec.it_value.tv_nsec = Int(next % 1_000_000_000)
            timerfd_settime(timerFD, Int32(TFD_TIMER_ABSTIME), &spec, nil)
            armedTimer = next
        }
        return -1
    }

    fileprivate func watch(_ socket: Int32, what: Int32) {
        if what == CURL_POLL_REMOVE {
            if watchedSockets.remove(socket) != nil {
                epoll_ctl(epollFD, EPOLL_CTL_DEL, socket, nil)
            }
            return
        }
        var event = epoll_event()
        event.data.fd = socket
        if what & CURL_POLL_IN != 0 { event.events |= EPOLLIN.rawValue }
        if what & CURL_POLL_OUT != 0 { event.events |= EPOLLOUT.rawValue }
        if watchedSockets.insert(socket).inserted {
            if epoll_ctl(epollFD, EPOLL_CTL_ADD, socket, &event) != 0 && errno == EEXIST {
                epoll_ctl(epollFD, EPOLL_CTL_MOD, socket, &event)
            }
        } else {
            epoll_ctl(epollFD, EPOLL_CTL_MOD, socket, &event)
        }
    }
}

/// libcurl asks to watch or forget a socket.
private let socketCallback:
    @convention(c) (
        UnsafeMutableRawPointer?, curl_socket_t, Int32, UnsafeMutableRawPointer?,
        UnsafeMutableRawPointer?
    ) -> Int32 = { _, socket, what, loopPointer, _ in
        let loop = Unmanaged<EventLoop>.fromOpaque(loopPointer!).takeUnretainedValue()
        loop.watch(socket, what: what)
        return 0
    }

/// libcurl asks to be called back after `timeoutMs` (-1: cancel the timer).
private let timerCallback: @convention(c) (UnsafeMutableRawPointer?, Int, UnsafeMutableRawPointer?) -> Int32 = {
    _, timeoutMs, loopPointer in
    let loop = Unmanaged<EventLoop>.fromOpaque(loopPointer!).takeUnretainedValue()
    loop.curlDeadline = timeoutMs < 0 ? nil : MonotonicClock.nanoseconds() + UInt64(timeoutMs) * 1_000_000
    return 0
}

/// A counter the loop thread adds to and any thread reads.
final class HeldCount: Sendable {
    private let value = Atomic<Int>(0)
    func add(_ n: Int) { value.add(n, ordering: .relaxed) }
    var current: Int { value.load(ordering: .relaxed) }
}

/// Scheduled transfers, earliest due first; equal due times leave in submission order.
struct TransferHeap {
    private struct Entry: Comparable {
        let transfer: Transfer
        static func < (a: Entry, b: Entry) -> Bool {
            a.transfer.due != b.transfer.due ? a.transfer.due < b.transfer.due : a.transfer.sequence < b.transfer.sequence
        }
        static func == (a: Entry, b: Entry) -> Bool { a.transfer === b.transfer }
    }
    private var heap = Heap<Entry>()

    var isEmpty: Bool { heap.isEmpty }
    var peekDue: UInt64? { heap.min?.transfer.due }
    mutating func push(_ t: Transfer) { heap.insert(Entry(transfer: t)) }
    mutating func pop() -> Transfer? { heap.popMin()?.transfer }
}
