import SeededRandom

/// The call times of one instance, in seconds from the phase start, in increasing order.
///
/// Streams are pulled one time at a time so that a schedule of any length is planned in
/// memory proportional to the number of instances. Each kind is a final class so that its
/// state (an RNG, numpy's 624-word MT19937 key) is mutated in place.
public class ArrivalStream {
    /// The next call time, or nil when the instance makes no more calls.
    public func next() -> Double? { nil }

    /// The stream for `instance` under `generator` (docs/workload.md, "How times are made").
    public static func make(for instance: Instance, seed: UInt64, durationS: Double, generator: Generator) -> ArrivalStream {
        switch instance.arrivals {
        case .list(let gaps):
            return ReplayedArrivals(gaps: gaps, durationS: durationS)
        case .trace(let trace):  // the same under both generators, like a replayed list
            return TraceArrivals(trace: trace, seed: seed, instance: instance.name, durationS: durationS)
        case .closedLoop(let loop):
            return ClosedLoopArrivals(loop: loop, seed: seed, instance: instance.name)
        case .uniform(let rate, let window):
            var rng = Xoshiro256StarStar(seed: seed, stream: instance.name)
            return UniformArrivals(rate: rate, durationS: durationS, window: window, rng: &rng)
        case .poisson(let rate, let window):
            switch generator {
            case .rightsize:
                return PoissonArrivals(rate: rate, window: window, rng: Xoshiro256StarStar(seed: seed, stream: instance.name))
            case .faasprofiler:
                return NumpyPoissonArrivals(rate: rate, durationS: durationS, window: window, seed: UInt32(truncatingIfNeeded: seed))
            }
        }
    }
}

/// Which generator makes Poisson times: rightsize's per-instance streams, or numpy's shared
/// legacy stream exactly as FaaSProfiler draws it.
public enum Generator: String, Sendable, CaseIterable {
    case rightsize
    case faasprofiler
}

/// Poisson process: exponential gaps E / rate from time 0 (E = -log(1 - u), u from the
/// instance's xoshiro256** stream), kept when start < t < end. Unlike FaaSProfiler the
/// process is not cut at 2 x duration x rate draws, so late windows are never starved.
final class PoissonArrivals: ArrivalStream {
    var rng: Xoshiro256StarStar
    let rate: Double
    let window: Arrivals.Window
    var time = 0.0
    var done: Bool

    init(rate: Double, window: Arrivals.Window, rng: Xoshiro256StarStar) {
        self.rng = rng
        self.rate = rate
        self.window = window
        done = !(rate > 0)
    }

    override func next() -> Double? {
        while !done {
            time += rng.nextStandardExponential() / rate
            if time >= window.end {
                done = true
                break
            }
            if time > window.start { return time }
        }
        return nil
    }
}

/// FaaSProfiler's Uniform: k / rate + shift for k = 1...floor(duration * rate), with one
/// shift = u / rate (u the first draw of the instance's stream), kept when start < t < end.
final class UniformArrivals: ArrivalStream {
    let rate: Double
    let shift: Double
    let count: Int
    let window: Arrivals.Window
    var k = 0

    init(rate: Double, durationS: Double, window: Arrivals.Window, rng: inout Xoshiro256StarStar) {
        self.rate = rate
        self.window = window
        let u = rng.nextUnitInterval()
        if rate > 0 {
            shift = u / rate
            let calls = (durationS * rate).rounded(.down)
            count = calls < Double(Int.max / 2) ? Int(calls) : Int.max / 2
        } else {
            shift = 0
            count = 0
        }
    }

    override func next() -> Double? {
        while k < count {
            k += 1
            let time = Double(k) / rate + shift
            if time >= window.end {
                k = count
                break
            }
            if time > window.start { return time }
        }
        return nil
    }
}

/// FaaSProfiler's Poisson, bit for bit: numpy legacy MT19937 seeded with the run's seed for
/// every instance (so all instances share one unit sequence), n = int(2 * duration * rate)
/// draws of exponential(1 / rate), summed in order, kept when start < t < end.
final class NumpyPoissonArrivals: ArrivalStream {
    var generator: MT19937
    let scale: Double
    let window: Arrivals.Window
    var remaining: Int
    var time = 0.0

    init(rate: Double, durationS: Double, window: Arrivals.Window, seed: UInt32) {
        generator = MT19937(seed: seed)
        self.window = window
        if rate > 0 {
            scale = 1.0 / rate
            let draws = (2.0 * durationS * rate).rounded(.towardZero)  // Python: int(2 * duration * rate)
            remaining = draws < Double(Int.max / 2) ? Int(draws) : Int.max / 2
        } else {
            scale = 0
            remaining = 0
        }
    }

    override func next() -> Double? {
        while remaining > 0 {
            remaining -= 1
            time += generator.nextExponential(scale: scale)
            if time >= window.end {
                remaining = 0
                break
            }  // sums only grow: nothing later passes
            if time > window.start { return time }
        }
        return nil
    }
}

/// A replayed inter-arrival list: times are its running sums, cut before the first sum
/// that exceeds the duration (a sum equal to it is kept), as FaaSProfiler does.
final class ReplayedArrivals: ArrivalStream {
    let gaps: [Double]
    let durationS: Double
    var index = 0
    var time = 0.0

    init(gaps: [Double], durationS: Double) {
        self.gaps = gaps
        self.durationS = durationS
    }

    override func next() -> Double? {
        guard index < gaps.count else { return nil }
        time += gaps[index]
        index += 1
        if time > durationS {
            index = gaps.count
            return nil
        }
        return time
    }
}
