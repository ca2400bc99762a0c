import SeededRandom

/// Call times replayed from a trace: the readings inside the window, moved to run time
/// ((t - window.start) / time_scale), thinned to rate_scale, and for counting intervals
/// spread inside the interval (docs/workload.md, "Traces").
///
/// Randomness comes from the instance's own xoshiro256** stream (as for Poisson and
/// Uniform), drawn in a documented order: per timestamp one u (kept when u < rate_scale);
/// per interval first one u per counted call (the thinning), then, for `poisson`
/// placement, k + 1 exponential gaps E read twice (their total S, then the running sums:
/// call j at start + length x (E1 + ... + Ej) / S). rate_scale 1 draws no thinning u.
final class TraceArrivals: ArrivalStream {
    let trace: Trace
    let events: TraceEvents?
    let durationS: Double
    var rng: Xoshiro256StarStar
    var done = false
    // The interval being spread: k calls over [start, start + length) in run time.
    var start = 0.0
    var length = 0.0
    var k = 0
    var j = 0
    var total = 0.0
    var runningSum = 0.0
    var afterInterval: Xoshiro256StarStar

    init(trace: Trace, seed: UInt64, instance: String, durationS: Double) {
        self.trace = trace
        self.durationS = durationS
        // The load already read the trace without error; a failure now means it changed.
        events = try? trace.events()
        rng = Xoshiro256StarStar(seed: seed, stream: instance)
        afterInterval = rng
    }

    override func next() -> Double? {
        while !done {
            if j < k { return spread() }
            guard let e = (try? events?.next()) ?? nil else { break }
            if e.timeS < trace.window.start { continue }
            guard e.timeS < trace.window.end else { break }
            let t = (e.timeS - trace.window.start) / trace.timeScale
            guard t < durationS else { break }
            guard let period = trace.periodS else {
                if trace.rateScale < 1, !(rng.nextUnitInterval() < trace.rateScale) { continue }
                return t
            }
            begin(start: t, length: period / trace.timeScale, count: kept(e.count))
        }
        done = true
        return nil
    }

    /// Binomial thinning: each call of the interval is kept with probability rate_scale.
    func kept(_ count: Int) -> Int {
        guard trace.rateScale < 1 else { return count }
        var n = 0
        for _ in 0..<count where rng.nextUnitInterval() < trace.rateScale { n += 1 }
        return n
    }

    func begin(start: Double, length: Double, count: Int) {
        self.start = start
        self.length = length
        k = count
        j = 0
        guard count > 0, trace.placement == .poisson else { return }
        // Sorted uniform times from exponential spacings, in constant memory: the same k + 1
        // draws are made twice, first for their sum, then for the running sums.
        let first = rng
        var sum = 0.0
        for _ in 0...count { sum += rng.nextStandardExponential() }
        total = sum
        afterInterval = rng
        rng = first
        runningSum = 0
    }

    func spread() -> Double? {
        j += 1
        let t: Double
        switch trace.placement {
        case .even:
            t = start + length * ((Double(j) - 0.5) / Double(k))
        case .poisson:
            runningSum += rng.nextStandardExponential()
            t = start + length * (total > 0 ? runningSum / total : Double(j) / Double(k + 1))
            if j == k { rng = afterInterval }
        }
        guard t < durationS else {
            done = true
            k = 0
            return nil
        }
        return t
    }
}
