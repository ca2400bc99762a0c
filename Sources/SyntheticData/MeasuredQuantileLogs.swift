import Foundation
import JSON
import RecordSchema
import SeededRandom

/// Log records that follow published quantile figures of real REPORT lines
/// (data/measurements/*.json: per function variant and memory size, n and the p5..p95 of
/// Duration, Billed Duration, Max Memory Used and Init Duration).
///
/// Sampling, deterministic: a size with n calls gets the n stratified probabilities
/// uᵢ = (i + ½)/n, shuffled by a SplitMix64 stream seeded from `seed`, the set and the size.
/// Each figure is the inverse CDF at u: linear between the published quantile points, and
/// beyond p5/p95 linear with the outermost segment's slope (no lower than half of p5).
/// Duration, Billed Duration and Max Memory Used share a call's u (they rise together); Init
/// Duration draws from its own shuffled strata. Billed Duration is rounded to whole ms (at
/// least 1), Max Memory Used to whole MB. A set whose sizes have Init Duration figures is a
/// set of cold calls.
public struct MeasuredQuantiles: Decodable, Sendable {
    public struct SizeFigures: Decodable, Sendable {
        public var n: Int
        public var durationMs: [Double]
        public var billedMs: [Double]
        public var maxMemoryMB: [Double]
        public var initMs: [Double]?

        enum CodingKeys: String, CodingKey {
            case n
            case durationMs = "duration_ms"
            case billedMs = "billed_ms"
            case maxMemoryMB = "max_memory_mb"
            case initMs = "init_ms"
        }
    }

    public var quantiles: [Double]
    /// set name -> memory size (decimal string) -> figures.
    public var sets: [String: [String: SizeFigures]]

    public static func load(path: String) throws -> MeasuredQuantiles {
        try JSONDecoder().decode(MeasuredQuantiles.self, from: Data(contentsOf: URL(fileURLWithPath: path)))
    }

    public var setNames: [String] { sets.keys.sorted() }

    public func sizes(_ set: String) -> [Int] { (sets[set] ?? [:]).keys.compactMap(Int.init).sorted() }

    /// The inverse CDF at u of one figure's quantile points.
    public func value(at u: Double, _ values: [Double]) -> Double {
        let q = quantiles
        let last = q.count - 1
        if u <= q[0] {
            let slope = (values[1] - values[0]) / (q[1] - q[0])
            return max(values[0] - slope * (q[0] - u), values[0] / 2)
        }
        if u >= q[last] {
            let slope = (values[last] - values[last - 1]) / (q[last] - q[last - 1])
            return values[last] + slope * (u - q[last])
        }
        var k = 0
        while q[k + 1] < u { k += 1 }
        let t = (u - q[k]) / (q[k + 1] - q[k])
        return values[k] + t * (values[k + 1] - values[k])
    }

    /// One size's calls: (duration, billed, max memory, init) in call order.
    public func calls(
        _ set: String, memoryMB: Int, seed: UInt64
    ) -> [(durationMs: Double, billedMs: Double, maxMemoryMB: Int, initMs: Double?)] {
        guard let f = sets[set]?[String(memoryMB)] else { return [] }
        var rng = SplitMix64(seed: seed ^ SplitMix64.seed(from: "\(set)\u{0}\(memoryMB)"))
        func strata() -> [Double] {
            var u = (0..<f.n).map { (Double($0) + 0.5) / Double(f.n) }
            for i in stride(from: u.count - 1, to: 0, by: -1) { u.swapAt(i, Int(rng.next() % UInt64(i + 1))) }
            return u
        }
        let u = strata()
        let initU = strata()
        return (0..<f.n).map { i in
            let d = (value(at: u[i], f.durationMs) * 1000).rounded() / 1000
            let billed = max(1, value(at: u[i], f.billedMs).rounded())
            let mem = Int(value(at: u[i], f.maxMemoryMB).rounded())
            let initMs = f.initMs.map { (value(at: initU[i], $0) * 1000).rounded() / 1000 }
            return (d, billed, max(1, mem), initMs)
        }
    }

    /// A set's records (a run header, then one phase per size, ascending), as `fit` reads them.
    /// `function` names the function in the records (default: the set's name).
    public func generate(
        _ set: String, sizes: [Int]? = nil, function: String? = nil, seed: UInt64 = 2026, _ body: (Record) throws -> Void
    ) rethrows {
        let memorySizes = sizes ?? self.sizes(set)
        let name = function ?? set
        let header = RunHeader(
            run: "measured-\(seed)", seed: seed, seedGenerated: false,
            workloadSHA256: String(repeating: "0", count: 64), workload: .emptyObject,
            memorySizes: memorySizes, scheduled: memorySizes.reduce(0) { $0 + (sets[set]?[String($1)]?.n ?? 0) },
            generator: "measured-quantiles", tools: ["measured-quantiles"])
        try body(.run(header))
        var seq = 0
        for (phase, m) in memorySizes.enumerated() {
            for (k, c) in calls(set, memoryMB: m, seed: seed).enumerated() {
                try body(
                    SyntheticLogs.logRecord(
                        header: header, seq: seq, phase: phase, memoryMB: m, function: name,
                        payload: RawJSON(validated: "{}"), index: k, durationMs: c.durationMs, billedMs: c.billedMs,
                        initMs: c.initMs, maxMemoryMB: c.maxMemoryMB))
                seq += 1
            }
        }
    }
}

extension MeasuredQuantiles {
    /// The figures at more memory sizes, within each set's measured range: a size between two
    /// measured ones gets every quantile point interpolated linearly in log(memory), and the
    /// smaller n of the two. Measured sizes keep their own figures. (For sweeps over more sizes
    /// than were measured, e.g. the adaptive-sizing check over 10 sizes.)
    public func interpolated(to sizes: [Int]) -> MeasuredQuantiles {
        var out = self
        for (name, figures) in sets {
            let measured = figures.keys.compactMap(Int.init).sorted()
            var next: [String: SizeFigures] = [:]
            for m in sizes {
                if let f = figures[String(m)] {
                    next[String(m)] = f
                    continue
                }
                guard let lo = measured.last(where: { $0 < m }), let hi = measured.first(where: { $0 > m }) else { continue }
                let a = figures[String(lo)]!
                let b = figures[String(hi)]!
                let t = log(Double(m) / Double(lo)) / log(Double(hi) / Double(lo))
                func mix(_ x: [Double], _ y: [Double]) -> [Double] { zip(x, y).map { $0 + t * ($1 - $0) } }
                next[String(m)] = SizeFigures(
                    n: min(a.n, b.n), durationMs: mix(a.durationMs, b.durationMs), billedMs: mix(a.billedMs, b.billedMs),
                    maxMemoryMB: mix(a.maxMemoryMB, b.maxMemoryMB), initMs: a.initMs.flatMap { x in b.initMs.map { mix(x, $0) } })
            }
            out.sets[name] = next
        }
        return out
    }
}
