#if canImport(Glibc)
import Glibc
import SeededRandom
#elseif canImport(Darwin)
import Darwin
#endif

/// Time formats AWS uses in logs and API responses.
enum Timestamps {
    private static func utc(_ unixMs: Double) -> (tm, Int) {
        var seconds = time_t(Int((unixMs / 1000).rounded(.down)))
        var t = tm()
        gmtime_r(&seconds, &t)
        let millis = Int(unixMs - Double(seconds) * 1000)
        return (t, max(0, min(999, millis)))
    }

    private static func pad(_ n: Int32, _ width: Int) -> String { pad(Int(n), width) }
    private static func pad(_ n: Int, _ width: Int) -> String {
        let s = String(n)
        return s.count >= width ? s : String(repeating: "0", count: width - s.count) + s
    }

    /// `2026-11-24T05:55:11.123Z` (function log lines).
    static func iso(_ unixMs: Double) -> String {
        let (t, ms) = utc(unixMs)
        return
            "\(pad(t.tm_year + 1900, 4))-\(pad(t.tm_mon + 1, 2))-\(pad(t.tm_mday, 2))T\(pad(t.tm_hour, 2)):\(pad(t.tm_min, 2)):\(pad(t.tm_sec, 2)).\(pad(ms, 3))Z"
    }

    /// `2026-11-24T05:55:11.123+0000` (Lambda's LastModified).
    static func lambda(_ unixMs: Double) -> String {
        String(iso(unixMs).dropLast()) + "+0000"
    }

    /// `2026/11/24` (log stream name prefix).
    static func day(_ unixMs: Double) -> String {
        let (t, _) = utc(unixMs)
        return "\(pad(t.tm_year + 1900, 4))/\(pad(t.tm_mon + 1, 2))/\(pad(t.tm_mday, 2))"
    }
}

/// The emulator's draws from its seeded generator: log propagation delays and ids are
/// reproducible for a given `--seed`.
extension SplitMix64 {
    /// Log propagation delay with the given mean: half the mean fixed plus an
    /// exponential tail, so it is never instant and sometimes slow, as on AWS.
    mutating func propagationDelay(meanMs: Double) -> Double {
        guard meanMs > 0 else { return 0 }
        return meanMs / 2 - (meanMs / 2) * log(1 - unit())
    }

    /// A request id in the UUID format AWS uses.
    mutating func uuid() -> String {
        let a = next()
        let b = next()
        let hex = Array(Self.hex(a, 16) + Self.hex(b, 16))
        return String(hex[0..<8]) + "-" + String(hex[8..<12]) + "-4" + String(hex[13..<16]) + "-a" + String(hex[17..<20]) + "-"
            + String(hex[20..<32])
    }

    static func hex(_ v: UInt64, _ width: Int) -> String {
        let s = String(v, radix: 16)
        return String(repeating: "0", count: max(0, width - s.count)) + s
    }
}
