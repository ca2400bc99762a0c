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
        _ = FileDescriptorIO.writeAll(2, Array(text.utf8))
    }

    /// One diagnostic line: `tool: text`.
    public static func line(_ tool: String, _ text: String) { write("\(tool): \(text)\n") }

    /// Whether standard error is a terminal (a progress line is drawn only then).
    public static var isTerminal: Bool { isatty(2) == 1 }
}
