#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// HTML escaping. Every string that came from an input file (function names, instance
/// names, workload values, error messages) goes through here before reaching the page,
/// so a function called `<script>` stays text.
public enum HTML {
    public static func escape(_ s: String) -> String {
        var needs = false
        for c in s.utf8 where c == 0x26 || c == 0x3C || c == 0x3E || c == 0x22 || c == 0x27 {
            needs = true
            break
        }
        guard needs else { return s }
        var out = ""
        out.reserveCapacity(s.utf8.count + 16)
        for ch in s.unicodeScalars {
            switch ch {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "'": out += "&#39;"
            default: out.unicodeScalars.append(ch)
            }
        }
        return out
    }

    /// A stable, HTML-id-safe anchor for a name (ASCII letters/digits kept, others hex-coded).
    public static func anchor(_ prefix: String, _ name: String) -> String {
        var out = prefix + "-"
        for b in name.utf8 {
            if (b >= 0x30 && b <= 0x39) || (b >= 0x41 && b <= 0x5A) || (b >= 0x61 && b <= 0x7A) || b == 0x2D {
                out.unicodeScalars.append(Unicode.Scalar(b))
            } else {
                out += "_" + String(b, radix: 16)
            }
        }
        return out
    }
}

/// Fixed, locale-free number formatting, so the same inputs always give the same bytes.
public enum Fmt {
    /// `x` with exactly `decimals` digits after the point ("–" for NaN/infinite).
    public static func fixed(_ x: Double, _ decimals: Int) -> String {
        guard x.isFinite else { return "–" }
        var scale = 1.0
        for _ in 0..<decimals { scale *= 10 }
        let r = (abs(x) * scale).rounded()
        guard r < 9.0e15 else { return x < 0 ? "-" + String(abs(x)) : String(x) }
        let n = UInt64(r)
        let s = UInt64(scale)
        var text = (x < 0 && n != 0) ? "-" : ""
        text += String(n / s)
        if decimals > 0 {
            let frac = String(n % s)
            text += "." + String(repeating: "0", count: decimals - frac.count) + frac
        }
        return text
    }

    /// `x` with about `digits` significant digits, never in exponent form.
    public static func sig(_ x: Double, _ digits: Int = 3) -> String {
        guard x.isFinite else { return "–" }
        if x == 0 { return "0" }
        let magnitude = Int(floor(log10(abs(x))))
        let decimals = max(0, min(12, digits - 1 - magnitude))
        return fixed(x, decimals)
    }

    /// An integer with thin grouping: 1234567 -> "1,234,567".
    public static func count(_ n: Int) -> String {
        let digits = String(n.magnitude)
        var out = ""
        for (k, c) in digits.enumerated() {
            if k > 0, (digits.count - k) % 3 == 0 { out += "," }
            out.append(c)
        }
        return n < 0 ? "-" + out : out
    }

    /// Milliseconds, with precision that suits the size.
    public static func ms(_ x: Double) -> String {
        guard x.isFinite else { return "–" }
        if abs(x) >= 100 { return fixed(x, 0) + " ms" }
        if abs(x) >= 10 { return fixed(x, 1) + " ms" }
        return fixed(x, 2) + " ms"
    }

    /// US dollars, with significant digits for tiny per-invocation costs.
    public static func dollars(_ x: Double) -> String {
        guard x.isFinite else { return "–" }
        if x < 0 { return "−" + dollars(-x) }
        if abs(x) >= 100 { return "$" + fixed(x, 0) }
        if abs(x) >= 1 { return "$" + fixed(x, 2) }
        return "$" + sig(x, 3)
    }

    public static func percent(_ fraction: Double, _ decimals: Int = 1) -> String {
        guard fraction.isFinite else { return "–" }
        return fixed(fraction * 100, decimals) + "%"
    }

    /// SVG coordinate: one decimal is below a pixel's resolution and keeps the file small.
    @inline(__always) static func coord(_ x: Double) -> String { fixed(x, 1) }
}
