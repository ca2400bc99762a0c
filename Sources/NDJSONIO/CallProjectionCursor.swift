/// Byte-level reading for `CallProjection`: no strings are built, nothing is allocated.
import JSON

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

extension CallProjection {
    @inline(__always) static func eq(_ b: UnsafeBufferPointer<UInt8>, _ s: StaticString) -> Bool {
        let n = s.utf8CodeUnitCount
        guard b.count == n else { return false }
        let x = UnsafeRawPointer(b.baseAddress!)
        let y = UnsafeRawPointer(s.utf8Start)
        var k = 0
        while k + 8 <= n {  // a word at a time: keys are short
            if x.loadUnaligned(fromByteOffset: k, as: UInt64.self) != y.loadUnaligned(fromByteOffset: k, as: UInt64.self) { return false }
            k += 8
        }
        while k < n {
            if b[k] != y.load(fromByteOffset: k, as: UInt8.self) { return false }
            k += 1
        }
        return true
    }

    /// Whether `bytes` are valid UTF-8 (the decoder repairs invalid sequences; the projection declines them).
    static func isValidUTF8(_ bytes: UnsafeBufferPointer<UInt8>) -> Bool {
        var decoder = UTF8()
        var iterator = bytes.makeIterator()
        while true {
            switch decoder.decode(&iterator) {
            case .scalarValue: continue
            case .emptyInput: return true
            case .error: return false
            }
        }
    }

    /// Index (0..7) of the first byte of `w` equal to '"' or '\\' or below 0x20, or 8 when none (SWAR).
    @inline(__always) static func firstSpecial(_ w: UInt64) -> Int {
        let ones: UInt64 = 0x0101_0101_0101_0101
        let highs: UInt64 = 0x8080_8080_8080_8080
        let quote = w ^ (ones &* 0x22)
        let slash = w ^ (ones &* 0x5C)
        let hits = ((quote &- ones) & ~quote | (slash &- ones) & ~slash | (w &- ones &* 0x20) & ~w) & highs
        return hits == 0 ? 8 : hits.trailingZeroBitCount / 8
    }

    struct Cursor {
        var p: UnsafePointer<UInt8>
        let end: UnsafePointer<UInt8>

        @inline(__always) mutating func skipSpace() {
            while p < end, p.pointee == 0x20 || p.pointee == 0x09 || p.pointee == 0x0D || p.pointee == 0x0A { p += 1 }
        }
        @inline(__always) mutating func take(_ c: UInt8) -> Bool {
            guard p < end, p.pointee == c else { return false }
            p += 1
            return true
        }
        mutating func null() -> Bool {
            guard end - p >= 4, p[0] == UInt8(ascii: "n"), p[1] == UInt8(ascii: "u"), p[2] == UInt8(ascii: "l"), p[3] == UInt8(ascii: "l")
            else { return false }
            p += 4
            return true
        }
        /// A string without escapes or control characters, in valid UTF-8 (else nil: full decoder,
        /// which repairs invalid UTF-8, so the two would see different names).
        mutating func plainString() -> UnsafeBufferPointer<UInt8>? {
            guard take(UInt8(ascii: "\"")) else { return nil }
            let start = p
            var high: UInt64 = 0  // the bytes skipped, OR-ed: a high bit set means non-ASCII
            while end - p >= 8 {  // skip ordinary bytes eight at a time
                let w = UnsafeRawPointer(p).loadUnaligned(as: UInt64.self)
                let k = CallProjection.firstSpecial(w)
                high |= k == 8 ? w : w & ((1 << (8 * UInt64(k))) &- 1)
                p += k
                if k < 8 { break }
            }
            while p < end {
                let c = p.pointee
                if c == UInt8(ascii: "\"") {
                    let r = UnsafeBufferPointer(start: start, count: p - start)
                    p += 1
                    if high & 0x8080_8080_8080_8080 != 0 { guard CallProjection.isValidUTF8(r) else { return nil } }
                    return r
                }
                if c == UInt8(ascii: "\\") || c < 0x20 { return nil }
                high |= UInt64(c)
                p += 1
            }
            return nil
        }

        mutating func optNumber() -> Double?? {
            if null() { return .some(nil) }
            guard let v = number() else { return nil }
            return .some(v)
        }
        /// A JSON number (DecimalNumber, `exact: false`: full-precision `at_s` values are read
        /// within an ulp without the C library's conversion).
        @inline(__always)
        mutating func number() -> Double? {
            // An out-of-range number (1e400) leaves the line to the full decoder, which names it.
            guard let (value, length) = DecimalNumber.parse(UnsafeBufferPointer(start: p, count: end - p), exact: false),
                value.isFinite
            else { return nil }
            p += length
            return value
        }

        /// Skips any value (strings may contain escapes; nesting is tracked outside strings).
        mutating func skipValue() -> Bool {
            guard p < end else { return false }
            switch p.pointee {
            case UInt8(ascii: "\""): return skipString()
            case UInt8(ascii: "{"), UInt8(ascii: "["):
                var depth = 0
                while p < end {
                    let c = p.pointee
                    if c == UInt8(ascii: "\"") {
                        guard skipString() else { return false }
                        continue
                    }
                    if c == UInt8(ascii: "{") || c == UInt8(ascii: "[") {
                        depth += 1
                    } else if c == UInt8(ascii: "}") || c == UInt8(ascii: "]") {
                        depth -= 1
                        if depth == 0 {
                            p += 1
                            return true
                        }
                    }
                    p += 1
                }
                return false
            default:
                let start = p
                while p < end, p.pointee != UInt8(ascii: ","), p.pointee != UInt8(ascii: "}"), p.pointee != UInt8(ascii: "]"),
                    p.pointee != 0x20
                { p += 1 }
                return p > start
            }
        }
        mutating func skipString() -> Bool {
            p += 1
            while p < end {
                if end - p >= 8 {
                    let k = CallProjection.firstSpecial(UnsafeRawPointer(p).loadUnaligned(as: UInt64.self))
                    p += k
                    if k == 8 { continue }
                }
                let c = p.pointee
                if c == UInt8(ascii: "\\") {
                    p += 2
                    continue
                }
                p += 1
                if c == UInt8(ascii: "\"") { return true }
            }
            return false
        }
        /// target: {"kind": ..., "function": ... | "url": ...}; returns function or url.
        mutating func targetLabel() -> UnsafeBufferPointer<UInt8>? {
            guard take(UInt8(ascii: "{")) else { return nil }
            var function: UnsafeBufferPointer<UInt8>?
            var url: UnsafeBufferPointer<UInt8>?
            skipSpace()
            if take(UInt8(ascii: "}")) { return nil }
            while true {
                skipSpace()
                guard let key = plainString() else { return nil }
                skipSpace()
                guard take(UInt8(ascii: ":")) else { return nil }
                skipSpace()
                if CallProjection.eq(key, "function") {
                    guard let v = plainString() else { return nil }
                    function = v
                } else if CallProjection.eq(key, "url") {
                    guard let v = plainString() else { return nil }
                    url = v
                } else {
                    guard skipValue() else { return nil }
                }
                skipSpace()
                if take(UInt8(ascii: ",")) { continue }
                guard take(UInt8(ascii: "}")) else { return nil }
                break
            }
            return function ?? url
        }
    }
}
