/// One JSON value kept as its compact text, e.g. a payload passed through unchanged.
///
/// Payloads are sent "as given": keeping the bytes avoids re-serialising (and thereby
/// reordering keys or reformatting numbers of) what the user wrote.
public struct RawJSON: Hashable, Sendable, CustomStringConvertible {
    public let text: String

    /// `text` must already be one valid, compact JSON value.
    public init(validated text: String) { self.text = text }

    /// Parses and compacts `text`; throws when it is not exactly one JSON value.
    public init(parsing text: String) throws {
        var copy = text
        let compact = try copy.withUTF8 { buf -> String in
            var scanner = JSONScanner(buf)
            let raw = try scanner.readRaw()
            guard scanner.isAtEnd else { throw JSONScanner.Failure(problem: "unexpected text after the JSON value") }
            return raw.text
        }
        self.text = compact
    }

    public static let emptyObject = RawJSON(validated: "{}")
    public static let null = RawJSON(validated: "null")

    public var description: String { text }

    /// True when there is no whitespace outside strings (the common case for our own files).
    public static func isCompact(_ bytes: UnsafeBufferPointer<UInt8>) -> Bool {
        var inString = false
        var escaped = false
        for c in bytes {
            if inString {
                if escaped {
                    escaped = false
                } else if c == UInt8(ascii: "\\") {
                    escaped = true
                } else if c == UInt8(ascii: "\"") {
                    inString = false
                }
            } else if c == 0x20 || c == 0x0A || c == 0x0D || c == 0x09 {
                return false
            } else if c == UInt8(ascii: "\"") {
                inString = true
            }
        }
        return true
    }

    /// Removes insignificant whitespace (outside strings).
    public static func compact(_ bytes: UnsafeBufferPointer<UInt8>) -> String {
        var out: [UInt8] = []
        out.reserveCapacity(bytes.count)
        var inString = false
        var escaped = false
        for c in bytes {
            if inString {
                out.append(c)
                if escaped {
                    escaped = false
                } else if c == UInt8(ascii: "\\") {
                    escaped = true
                } else if c == UInt8(ascii: "\"") {
                    inString = false
                }
            } else if c == 0x20 || c == 0x0A || c == 0x0D || c == 0x09 {
                continue
            } else {
                if c == UInt8(ascii: "\"") { inString = true }
                out.append(c)
            }
        }
        return String(decoding: out, as: UTF8.self)
    }
}
