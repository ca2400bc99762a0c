import Dispatch

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// SIGINT and SIGTERM call `handler` on a dispatch queue (not in a signal context, so it may
/// lock, allocate and write); the default action is off while this lives.
public final class InterruptSignals: @unchecked Sendable {  // the sources are only cancelled
    private let sources: [any DispatchSourceSignal]

    public init(_ signals: [Int32] = [SIGINT, SIGTERM], handler: @escaping @Sendable (Int32) -> Void) {
        sources = signals.map { sig in
            signal(sig, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: sig, queue: .global())
            source.setEventHandler { handler(sig) }
            source.resume()
            return source
        }
    }

    public func cancel() {
        for source in sources { source.cancel() }
    }
}

/// A status line redrawn in place on standard error while it is a terminal: `text()` is asked
/// every `interval` seconds; `stop()` clears the line.
public final class ProgressLine: @unchecked Sendable {  // the timer is only cancelled
    private let timer: (any DispatchSourceTimer)?

    public init(enabled: Bool = StandardError.isTerminal, interval: Double = 0.5, _ text: @escaping @Sendable () -> String) {
        guard enabled else {
            timer = nil
            return
        }
        let timer = DispatchSource.makeTimerSource(queue: .global())
        timer.schedule(deadline: .now() + interval, repeating: interval)
        timer.setEventHandler { StandardError.write("\r\u{1B}[K" + text()) }
        timer.resume()
        self.timer = timer
    }

    public func stop() {
        guard let timer else { return }
        timer.cancel()
        StandardError.write("\r\u{1B}[K")
    }
}
