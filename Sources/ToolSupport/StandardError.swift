#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Diagnostics go to standard error, unbuffered (fd 2, not the C `stderr` global, which
/// Swift 6 flags), so they interleave with a progress line and survive an exit.
public enum StandardError {
    /// Writes `text` as it is.
    public static func write(_ text: String) {
        var bytes = Array(text.utf8)
        bytes.withUnsafeMutableBytes { raw in
            var offset = 0
            while offset < raw.count {
                let n = Glibc.write(2, raw.baseAddress! + offset, raw.count - offset)
                if n < 0 && errno == EINTR { continue }
                if n <= 0 { return }
                offset += n
            }
        }
    }

    /// One diagnostic line: `tool: text`.
    public static func line(_ tool: String, _ text: String) { write("\(tool): \(text)\n") }

    /// Whether standard error is a terminal (a progress line is drawn only then).
    public static var isTerminal: Bool { isatty(2) == 1 }
}
