import Foundation
import Testing

@testable import Planning

/// The generated processes have the distributions and rates they claim.
@Suite struct StatisticsTests {
    /// Kolmogorov–Smirnov distance between a sample and the exponential CDF 1 - exp(-rate x).
    static func ksDistance(_ sample: [Double], rate: Double) -> Double {
        let sorted = sample.sorted()
        let n = Double(sorted.count)
        var d = 0.0
        for (i, x) in sorted.enumerated() {
            let f = 1 - exp(-rate * x)
            d = max(d, f - Double(i) / n, Double(i + 1) / n - f)
        }
        return d
    }

    static func gaps(_ t: [Double]) -> [Double] { zip(t.dropFirst(), t).map { $0 - $1 } }

    /// n >= 100,000 inter-arrivals fit Exp(rate) at alpha = 0.01 (critical D = 1.6276 / sqrt(n)),
    /// for several seeds and instance names, and their achieved rate is within 1%.
    @Test(arguments: [(UInt64(1), "a", 50.0), (UInt64(2024), "instance1", 5.0), (UInt64(4_000_000_000), "zeta", 1234.5)])
    func poissonInterArrivalsAreExponential(seed: UInt64, name: String, rate: Double) throws {
        let duration = 110_000 / rate
        let s = try schedule(
            """
            {"test_name": "ks", "test_duration_in_seconds": \(duration), "random_seed": \(seed),
             "instances": {"\(name)": {"application": "f", "distribution": "Poisson", "rate": \(rate)}}}
            """)
        let t = times(s, instance: name)
        let g = Self.gaps(t)
        #expect(g.count >= 100_000)
        let critical = 1.6276 / Double(g.count).squareRoot()
        let d = Self.ksDistance(g, rate: rate)
        #expect(d < critical, "KS D = \(d), critical \(critical)")
        let achieved = Double(t.count) / duration
        #expect(abs(achieved / rate - 1) < 0.01, "achieved \(achieved)/s for \(rate)/s")
    }

    /// The same holds for --compat faasprofiler (numpy's stream).
    @Test func compatPoissonIsExponentialToo() throws {
        let s = try schedule(
            """
            {"test_name": "ks", "test_duration_in_seconds": 22000, "random_seed": 100,
             "instances": {"i": {"application": "f", "distribution": "Poisson", "rate": 5}}}
            """, generator: .faasprofiler)
        let t = times(s, instance: "i")
        let g = Self.gaps(t)
        #expect(g.count >= 100_000)
        #expect(Self.ksDistance(g, rate: 5) < 1.6276 / Double(g.count).squareRoot())
        #expect(abs(Double(t.count) / 22000 / 5 - 1) < 0.01)
    }

    /// Uniform: constant spacing 1/rate after one shift in [0, 1/rate); rate within 1%;
    /// a window keeps exactly the calls strictly inside it, unshifted.
    @Test func uniformIsEvenlySpaced() throws {
        let s = try schedule(
            """
            {"test_name": "u", "test_duration_in_seconds": 1000, "random_seed": 9,
             "instances": {"u": {"application": "f", "distribution": "Uniform", "rate": 7},
                           "w": {"application": "f", "distribution": "Uniform", "rate": 7, "activity_window": [100, 200]}}}
            """)
        let t = times(s, instance: "u")
        let shift = t[0] - 1.0 / 7
        #expect(shift >= 0 && shift < 1.0 / 7)
        for (k, x) in t.enumerated() { #expect(abs(x - (Double(k + 1) / 7 + shift)) < 1e-9) }
        #expect(abs(Double(t.count) / 1000 / 7 - 1) < 0.01)
        let w = times(s, instance: "w")
        #expect(w.allSatisfy { $0 > 100 && $0 < 200 })
        #expect((699...700).contains(w.count))
        #expect(w[0] - 100 <= 1.0 / 7 + 1e-9 && 200 - w.last! <= 1.0 / 7 + 1e-9)
        for (a, b) in zip(w.dropFirst(), w) { #expect(abs(a - b - 1.0 / 7) < 1e-9) }
    }

    /// Different instances draw from unrelated streams (FaaSProfiler's shared stream would give r = 1).
    @Test func instancesAreUncorrelated() throws {
        let s = try schedule(
            """
            {"test_name": "c", "test_duration_in_seconds": 20000, "random_seed": 100,
             "instances": {"a": {"application": "f", "distribution": "Poisson", "rate": 5},
                           "b": {"application": "f", "distribution": "Poisson", "rate": 5}}}
            """)
        let a = Self.gaps(times(s, instance: "a"))
        let b = Self.gaps(times(s, instance: "b"))
        let n = min(a.count, b.count)
        let (x, y) = (Array(a.prefix(n)), Array(b.prefix(n)))
        let mx = x.reduce(0, +) / Double(n)
        let my = y.reduce(0, +) / Double(n)
        var sxy = 0.0
        var sxx = 0.0
        var syy = 0.0
        for i in 0..<n {
            sxy += (x[i] - mx) * (y[i] - my)
            sxx += (x[i] - mx) * (x[i] - mx)
            syy += (y[i] - my) * (y[i] - my)
        }
        let r = sxy / (sxx * syy).squareRoot()
        #expect(abs(r) < 4 / Double(n).squareRoot(), "correlation \(r) over \(n) pairs")
    }
}
