import Clocks
import Foundation
import SeededRandom
import Synchronization

/// One invocation's log events, waiting to be stored.
struct PendingLogs: Sendable {
    var function: String
    var stream: String
    var lines: [(timestamp: Int64, message: String)]
    var endMs: Double
}

/// Stores invocations' logs from one background thread, in batches (one transaction
/// each), so answering an invocation never waits for SQLite.
final class LogWriter: Sendable {
    let logs: LogStore
    let delayMeanMs: Double
    private let delays: Mutex<SplitMix64>
    /// Waiting entries, and whether the writer thread is storing a batch.
    private let queue: Mutex<(waiting: [PendingLogs], writing: Bool, stopped: Bool)>
    private let wakeup = DispatchSemaphore(value: 0)

    init(logs: LogStore, delayMeanMs: Double, seed: UInt64) {
        self.logs = logs
        self.delayMeanMs = delayMeanMs
        delays = Mutex(SplitMix64(seed: seed))
        queue = Mutex(([], false, false))
        let thread = Thread { [self] in run() }
        thread.name = "log-writer"
        thread.start()
    }

    func enqueue(_ p: PendingLogs) {
        let first = queue.withLock { q -> Bool in
            q.waiting.append(p)
            return q.waiting.count == 1
        }
        if first { wakeup.signal() }
    }

    /// Stores now (used when there is no propagation delay, so events are visible at once).
    func write(_ batch: [PendingLogs]) {
        let entries = batch.map { p -> LogStore.Batch in
            let delay = delays.withLock { $0.propagationDelay(meanMs: delayMeanMs) }
            // As in CloudWatch, ingestion time is when the events arrive, i.e. after the delay.
            return LogStore.Batch(
                group: "/aws/lambda/\(p.function)", stream: p.stream, events: p.lines,
                ingestionMs: Int64(p.endMs + delay), visibleMs: Int64(p.endMs + delay))
        }
        logs.append(entries)
    }

    private func run() {
        while true {
            wakeup.wait()
            let (batch, stopped) = queue.withLock { q -> ([PendingLogs], Bool) in
                defer { q.waiting = [] }
                q.writing = !q.waiting.isEmpty
                return (q.waiting, q.stopped)
            }
            if !batch.isEmpty { write(batch) }
            queue.withLock { $0.writing = false }
            if stopped { return }
        }
    }

    /// Stores everything queued and ends the writer thread (the emulator is stopping).
    func stop() {
        flush()
        queue.withLock { $0.stopped = true }
        wakeup.signal()
    }

    /// Stores everything queued (at shutdown, so no invocation's logs are lost).
    func flush() {
        for _ in 0..<2000 {
            let (batch, busy) = queue.withLock { q -> ([PendingLogs], Bool) in
                defer { q.waiting = [] }
                return (q.waiting, q.writing)
            }
            if !batch.isEmpty { write(batch) }
            if batch.isEmpty && !busy { return }
            if busy { MonotonicClock.sleep(milliseconds: 1) }
        }
    }
}
