import Clocks
import Foundation
import SeededRandom

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// How the invoking thread waits for a user runtime and reads what it prints.
extension RuntimeEnvironment {
    /// Waits for the bootstrap's exit status (once; later calls return the status kept).
    func reap() -> Int32 {
        let already = state.withLock { s -> Int32? in
            if s.reaped { return s.exitStatus ?? 0 }
            s.reaped = true
            return nil
        }
        if let already { return already }
        var status: Int32 = 0
        while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
        state.withLock { $0.exitStatus = status }
        return status
    }

    enum Event { case wake, exited, deadline }

    /// Waits for the runtime, logging its output as it comes, until a wake-up (the session
    /// changed), its exit or the deadline.
    func wait(untilMs deadline: Double, into lines: inout [LogLine]) -> Event {
        while true {
            let remaining = deadline - MonotonicClock.milliseconds()
            if remaining <= 0 { return .deadline }
            let outputOpen = !state.withLock { $0.outputClosed }
            var fds = [
                pollfd(fd: session.wake.readFD, events: Int16(POLLIN), revents: 0),
                pollfd(fd: outputOpen ? outputFD : -1, events: Int16(POLLIN), revents: 0),
                pollfd(fd: exitFD, events: Int16(POLLIN), revents: 0),
            ]
            let r = poll(&fds, 3, Int32(min(remaining.rounded(.up), Double(Int32.max))))
            if r < 0 {
                if errno == EINTR { continue }
                return .deadline
            }
            if fds[1].revents != 0 { readOutput(into: &lines, flush: false) }
            if fds[0].revents != 0 {
                session.wake.drain()
                return .wake
            }
            if fds[2].revents != 0 { return .exited }
        }
    }

    /// Reads what the runtime has written so far, line by line; `flush` ends a partial line too.
    func readOutput(into lines: inout [LogLine], flush: Bool) {
        var chunk = [UInt8](repeating: 0, count: 65_536)
        var pending = state.withLock { $0.partialLine }
        var closed = state.withLock { $0.outputClosed }
        while !closed {
            let n = read(outputFD, &chunk, chunk.count)
            if n < 0 && errno == EINTR { continue }
            if n == 0 { closed = true }
            if n <= 0 { break }
            pending.append(contentsOf: chunk[0..<n])
        }
        let now = Int64(WallClock.unixMilliseconds())
        var start = 0
        for (i, byte) in pending.enumerated() where byte == UInt8(ascii: "\n") || i - start >= Self.maxLineBytes {
            var line = Array(pending[start..<i])
            if line.last == UInt8(ascii: "\r") { line.removeLast() }
            lines.append((now, String(decoding: line, as: UTF8.self)))
            start = byte == UInt8(ascii: "\n") ? i + 1 : i
        }
        pending.removeFirst(start)
        if flush && !pending.isEmpty {
            lines.append((now, String(decoding: pending, as: UTF8.self)))
            pending = []
        }
        state.withLock {
            $0.partialLine = pending
            $0.outputClosed = closed
        }
    }

    /// X-Ray's trace header, never sampled (there is no X-Ray here).
    static func newTraceId() -> String {
        var random = SystemRandomNumberGenerator()
        let seconds = UInt64(WallClock.unixMilliseconds() / 1000)
        let root = SplitMix64.hex(random.next(), 16) + SplitMix64.hex(random.next() >> 32, 8)
        return "Root=1-\(SplitMix64.hex(seconds, 8))-\(root);Parent=\(SplitMix64.hex(random.next(), 16));Sampled=0"
    }
}
