#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The one decimal-number parser: JSON numbers in records and requests, and the numbers of
/// REPORT lines ("Duration: 26.73 ms"). Results are correctly rounded, so a value reads back
/// equal to `Double(text)` whichever reader met it — unless the caller asks for `exact: false`.
public enum DecimalNumber {
    /// Parses the number (RFC 8259 grammar: `-?(0|[1-9][0-9]*)(.[0-9]+)?([eE][+-]?[0-9]+)?`)
    /// that starts at `start`; returns its value and the index just past it, or nil when no
    /// number starts there.
    ///
    /// `exact: false` is for the bulk readers of fit and report, which meet a full-precision
    /// `at_s` (17 significant digits) on every line: numbers of 16 to 19 significant digits then
    /// take one rounding of the mantissa and one of the division instead of the C library,
    /// a deterministic result within one ulp (1e-17 s of an `at_s`), at a tenth of the cost.
    @inlinable
    public static func parse(_ b: UnsafeBufferPointer<UInt8>, from start: Int = 0, exact: Bool = true) -> (value: Double, end: Int)? {
        var i = start
        let n = b.count
        var negative = false
        if i < n, b[i] == UInt8(ascii: "-") {
            negative = true
            i += 1
        }
        var mantissa: UInt64 = 0
        var significant = 0  // digits from the first non-zero one on
        var exponent = 0
        let integerStart = i
        while i < n, b[i] &- 0x30 < 10 {
            if significant < 19 {
                mantissa = mantissa &* 10 &+ UInt64(b[i] &- 0x30)
                if mantissa != 0 { significant += 1 }
            } else {
                significant += 1
                exponent += 1
            }
            i += 1
        }
        guard i > integerStart else { return nil }
        if i - integerStart > 1, b[integerStart] == UInt8(ascii: "0") { return nil }  // no leading zeros
        if i < n, b[i] == UInt8(ascii: ".") {
            i += 1
            let fractionStart = i
            while i < n, b[i] &- 0x30 < 10 {
                if significant < 19 {
                    mantissa = mantissa &* 10 &+ UInt64(b[i] &- 0x30)
                    if mantissa != 0 { significant += 1 }
                    exponent -= 1
                } else {
                    significant += 1
                }
                i += 1
            }
            guard i > fractionStart else { return nil }
        }
        if i < n, b[i] | 0x20 == UInt8(ascii: "e") {
            i += 1
            var exponentNegative = false
            if i < n, b[i] == UInt8(ascii: "-") || b[i] == UInt8(ascii: "+") {
                exponentNegative = b[i] == UInt8(ascii: "-")
                i += 1
            }
            let exponentStart = i
            var e = 0
            while i < n, b[i] &- 0x30 < 10 {
                if e < 100_000 { e = e * 10 + Int(b[i] &- 0x30) }
                i += 1
            }
            guard i > exponentStart else { return nil }
            exponent += exponentNegative ? -e : e
        }
        // Clinger's fast path: at most 15 significant digits and a power of ten up to 22 are
        // exact doubles, so one IEEE multiplication or division rounds correctly.
        if significant <= (exact ? 15 : 19), exponent >= -22, exponent <= 22 {
            var value = Double(mantissa)
            if exponent < 0 { value /= exactPowersOfTen[-exponent] } else { value *= exactPowersOfTen[exponent] }
            return (negative ? -value : value, i)
        }
        return (correctlyRounded(UnsafeBufferPointer(rebasing: b[start..<i])), i)
    }

    /// The whole of `text` as one number, nil when it is anything else.
    @inlinable
    public static func parse(_ text: String) -> Double? {
        var copy = text
        return copy.withUTF8 { b in
            guard let (value, end) = parse(b), end == b.count else { return nil }
            return value
        }
    }

    public static let exactPowersOfTen: [Double] = (0...22).map { k in
        var p = 1.0
        for _ in 0..<k { p *= 10 }
        return p
    }

    /// The C library's conversion (correctly rounded on glibc), for the rare long or large numbers.
    @usableFromInline
    static func correctlyRounded(_ token: UnsafeBufferPointer<UInt8>) -> Double {
        withUnsafeTemporaryAllocation(of: CChar.self, capacity: token.count + 1) { buffer in
            for k in 0..<token.count { buffer[k] = CChar(bitPattern: token[k]) }
            buffer[token.count] = 0
            return strtod(buffer.baseAddress!, nil)
        }
    }
}
