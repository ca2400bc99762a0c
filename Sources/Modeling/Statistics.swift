#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Small order statistics used by the models. Inputs must be sorted ascending.
enum Sorted {
    /// Linear-interpolation quantile (type 7, as numpy's default).
    static func quantile(_ s: [Double], _ q: Double) -> Double? {
        guard !s.isEmpty else { return nil }
        let h = Double(s.count - 1) * q
        let lo = Int(h.rounded(.down)), hi = min(lo + 1, s.count - 1)
        return s[lo] + (h - Double(lo)) * (s[hi] - s[lo])
    }

    /// Symmetric trimmed sample: drops floor(fraction·n) values from each tail.
    static func trimmed(_ s: [Double], _ fraction: Double) -> ArraySlice<Double> {
        let k = Int((Double(s.count) * fraction).rounded(.down))
        return s[k..<(s.count - k)]
    }
}

extension Collection where Element == Double {
    var mean: Double? { isEmpty ? nil : reduce(0, +) / Double(count) }
    /// Σ (x − mean)².
    var sumOfSquaredDeviations: Double {
        guard let m = mean else { return 0 }
        return reduce(0) { $0 + ($1 - m) * ($1 - m) }
    }
}

/// SplitMix64: a tiny, seedable, platform-independent generator, so bootstrap
/// intervals are the same bytes on every run.
struct SplitMix64 {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
    /// Uniform in (0, 1).
    mutating func uniform() -> Double { (Double(next() >> 11) + 0.5) / 9_007_199_254_740_992 }
    mutating func normal() -> Double {
        let u1 = uniform(), u2 = uniform()
        return (-2 * log(u1)).squareRoot() * cos(2 * Double.pi * u2)
    }
    mutating func sign() -> Double { next() & 1 == 0 ? -1 : 1 }

    /// FNV-1a of a string, to derive a per-function stream from one seed.
    static func hash(_ s: String) -> UInt64 {
        var h: UInt64 = 0xCBF2_9CE4_8422_2325
        for b in s.utf8 { h = (h ^ UInt64(b)) &* 0x100_0000_01B3 }
        return h
    }
}

/// Rounds to `digits` significant digits: models.json carries what the data supports,
/// and the bytes do not depend on the last bits of floating-point noise.
func significant(_ x: Double, _ digits: Int = 7) -> Double {
    guard x.isFinite, x != 0 else { return x.isFinite ? 0 : x }
    let e = Int(floor(log10(abs(x)))) - digits + 1
    let p = pow(10.0, Double(abs(e)))
    return e >= 0 ? (x / p).rounded() * p : (x * p).rounded() / p
}

func significant(_ x: Double?) -> Double? { x.map { significant($0) } }

/// Max Memory Used values (whole MB) counted in a histogram: the median without sorting.
struct MemoryHistogram {
    var counts: [Int: Int] = [:]
    var total = 0
    var max: Int?

    mutating func add(_ mb: Int) {
        counts[mb, default: 0] += 1
        total += 1
        if max == nil || mb > max! { max = mb }
    }

    /// Type-7 median, as Sorted.quantile(_, 0.5) gives on the sorted values.
    var median: Double? {
        guard total > 0 else { return nil }
        let lo = (total - 1) / 2, hi = total / 2
        var seen = 0
        var loValue: Int?
        for mb in counts.keys.sorted() {
            seen += counts[mb]!
            if loValue == nil && seen > lo { loValue = mb }
            if seen > hi { return (Double(loValue!) + Double(mb)) / 2 }
        }
        return nil
    }
}

/// Running count, mean and sum of squared deviations (Welford): one pass, no stored values.
struct Welford {
    var count = 0
    var mean = 0.0
    var m2 = 0.0

    mutating func add(_ x: Double) {
        count += 1
        let d = x - mean
        mean += d / Double(count)
        m2 += d * (x - mean)
    }
}
