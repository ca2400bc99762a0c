import OrderStatistics

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Small order statistics used by the models. Inputs must be sorted ascending.
enum Sorted {
    /// Linear-interpolation quantile (type 7, as numpy's default); nil when empty.
    static func quantile(_ s: [Double], _ q: Double) -> Double? { Quantiles(sorted: s).at(q) }

    /// Symmetric trimmed sample: drops floor(fraction·n) values from each tail.
    static func trimmed(_ s: [Double], _ fraction: Double) -> ArraySlice<Double> { Quantiles.trimmed(s, fraction) }
}

extension Collection where Element == Double {
    var mean: Double? { isEmpty ? nil : reduce(0, +) / Double(count) }
    /// Σ (x − mean)².
    var sumOfSquaredDeviations: Double {
        guard let m = mean else { return 0 }
        return reduce(0) { $0 + ($1 - m) * ($1 - m) }
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
    /// counts[mb] for mb below `denseLimit` (an array: a dictionary update per record is
    /// the slowest part of a million-record pass); rarer larger values in `sparse`.
    var counts: [Int] = []
    var sparse: [Int: Int] = [:]
    var total = 0
    var max: Int?
    static let denseLimit = 1 << 16

    mutating func add(_ mb: Int) {
        if mb < Self.denseLimit {
            if mb >= counts.count { counts += repeatElement(0, count: Swift.max(mb + 1, 2 * counts.count) - counts.count) }
            counts[mb] += 1
        } else {
            sparse[mb, default: 0] += 1
        }
        total += 1
        if max == nil || mb > max! { max = mb }
    }

    /// Type-7 median, as Sorted.quantile(_, 0.5) gives on the sorted values.
    var median: Double? {
        guard total > 0 else { return nil }
        let lo = (total - 1) / 2
        let hi = total / 2
        var seen = 0
        var loValue: Int?
        let values =
            counts.indices.lazy.filter { self.counts[$0] > 0 }.map { ($0, self.counts[$0]) }
            + sparse.sorted { $0.key < $1.key }.map { ($0.key, $0.value) }
        for (mb, n) in values {
            seen += n
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
