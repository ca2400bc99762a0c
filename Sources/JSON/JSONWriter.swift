/// Appends JSON text to a byte buffer. Output is deterministic: numbers use Swift's
/// shortest round-trip form, so the same values always give the same bytes.
public struct JSONWriter: Sendable {
    public var bytes: [UInt8] = []
    /// Whether the next member/element needs a leading comma, per open container.
    @usableFromInline var needsComma: [Bool] = []
    /// A key was just written, so the next value belongs to it and takes no comma.
    @usableFromInline var afterKey = false

    public init(capacity: Int = 256) { bytes.reserveCapacity(capacity) }

    @inlinable mutating func beginValue() {
        if afterKey {
            afterKey = false
            return
        }
        if let last = needsComma.last {
            if last { bytes.append(UInt8(ascii: ",")) } else { needsComma[needsComma.count - 1] = true }
        }
    }

    public mutating func beginObject() {
        beginValue()
        bytes.append(UInt8(ascii: "{"))
        needsComma.append(false)
    }
    public mutating func endObject() {
        needsComma.removeLast()
        bytes.append(UInt8(ascii: "}"))
    }
    public mutating func beginArray() {
        beginValue()
        bytes.append(UInt8(ascii: "["))
        needsComma.append(false)
    }
    public mutating func endArray() {
        needsComma.removeLast()
        bytes.append(UInt8(ascii: "]"))
    }

    /// Writes a member key; the next value call writes its value.
    public mutating func key(_ name: StaticString) {
        beginValue()
        bytes.append(UInt8(ascii: "\""))
        appendStatic(name)
        bytes.append(UInt8(ascii: "\""))
        bytes.append(UInt8(ascii: ":"))
        afterKey = true
    }

    public mutating func key(_ name: String) {
        beginValue()
        appendQuoted(name)
        bytes.append(UInt8(ascii: ":"))
        afterKey = true
    }

    public mutating func string(_ s: String) {
        beginValue()
        appendQuoted(s)
    }
    public mutating func number(_ d: Double) {
        beginValue()
        if d.isFinite {
            if d == d.rounded(.towardZero), abs(d) < 1e15 {
                appendInt(Int64(d))
            } else {
                bytes.append(contentsOf: d.description.utf8)
            }
        } else {
            appendStatic("null")  // JSON has no NaN/Infinity
        }
    }
    /// A number rounded to `digits` decimals, for measured values where more digits are noise.
    public mutating func number(_ d: Double, decimals: Int) {
        guard d.isFinite else {
            number(d)
            return
        }
        var scale = 1.0
        for _ in 0..<decimals { scale *= 10 }
        number((d * scale).rounded() / scale)
    }
    public mutating func int(_ i: Int) {
        beginValue()
        appendInt(Int64(i))
    }
    public mutating func uint64(_ u: UInt64) {
        beginValue()
        bytes.append(contentsOf: String(u).utf8)
    }
    public mutating func bool(_ b: Bool) {
        beginValue()
        appendStatic(b ? "true" : "false")
    }
    public mutating func null() {
        beginValue()
        appendStatic("null")
    }
    public mutating func raw(_ r: RawJSON) {
        beginValue()
        bytes.append(contentsOf: r.text.utf8)
    }

    @inlinable mutating func appendStatic(_ s: StaticString) {
        bytes.append(contentsOf: UnsafeBufferPointer(start: s.utf8Start, count: s.utf8CodeUnitCount))
    }

    public mutating func string(_ s: String?) { if let s { string(s) } else { null() } }
    public mutating func number(_ d: Double?) { if let d { number(d) } else { null() } }
    public mutating func number(_ d: Double?, decimals: Int) { if let d { number(d, decimals: decimals) } else { null() } }
    public mutating func int(_ i: Int?) { if let i { int(i) } else { null() } }

    @usableFromInline mutating func appendInt(_ v: Int64) {
        if v == 0 {
            bytes.append(UInt8(ascii: "0"))
            return
        }
        var digits:
            (
                UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8,
                UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8
            ) =
                (0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0)
        var n = v.magnitude
        var count = 0
        withUnsafeMutableBytes(of: &digits) { d in
            while n > 0 {
                d[count] = UInt8(n % 10) + 0x30
                n /= 10
                count += 1
            }
            if v < 0 { bytes.append(UInt8(ascii: "-")) }
            for k in stride(from: count - 1, through: 0, by: -1) { bytes.append(d[k]) }
        }
    }

    mutating func appendQuoted(_ s: String) {
        bytes.append(UInt8(ascii: "\""))
        var s = s
        s.withUTF8 { utf8 in
            var runStart = 0
            var i = 0
            while i < utf8.count {
                let c = utf8[i]
                if c == UInt8(ascii: "\"") || c == UInt8(ascii: "\\") || c < 0x20 {
                    if i > runStart { bytes.append(contentsOf: UnsafeBufferPointer(rebasing: utf8[runStart..<i])) }
                    appendEscape(c)
                    runStart = i + 1
                }
                i += 1
            }
            if utf8.count > runStart { bytes.append(contentsOf: UnsafeBufferPointer(rebasing: utf8[runStart...])) }
        }
        bytes.append(UInt8(ascii: "\""))
    }

    mutating func appendEscape(_ c: UInt8) {
        switch c {
        case UInt8(ascii: "\""):
            bytes.append(0x5C)
            bytes.append(0x22)
        case UInt8(ascii: "\\"):
            bytes.append(0x5C)
            bytes.append(0x5C)
        case 0x0A:
            bytes.append(0x5C)
            bytes.append(UInt8(ascii: "n"))
        case 0x0D:
            bytes.append(0x5C)
            bytes.append(UInt8(ascii: "r"))
        case 0x09:
            bytes.append(0x5C)
            bytes.append(UInt8(ascii: "t"))
        default:
            let hex: StaticString = "0123456789abcdef"
            appendStatic("\\u00")
            bytes.append(hex.utf8Start[Int(c >> 4)])
            bytes.append(hex.utf8Start[Int(c & 15)])
        }
    }

    public var text: String { String(decoding: bytes, as: UTF8.self) }
}
