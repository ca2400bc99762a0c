import RecordSchema
import SeededRandom

/// An instance that keeps a number of calls in flight instead of sending them at times
/// (docs/workload.md, "Closed loops"): SAAF's `runs` over `threads`, a scale-up ramp, or a
/// cold-start lifetime sweep. Its steps run one after another within each phase.
public struct ClosedLoop: Sendable, Equatable {
    public struct Step: Sendable, Equatable {
        public var concurrency: Int
        public var runs: Int
        public init(concurrency: Int, runs: Int) {
            self.concurrency = concurrency
            self.runs = runs
        }
    }

    public var steps: [Step]
    /// A cold-start lifetime sweep's gaps, each `repeats` times in a seeded order, one call
    /// after each; the sweep's first call has no gap (it starts the environment). Empty otherwise.
    public var idleGapsS: [Double] = []
    public var repeats = 1

    public init(steps: [Step], idleGapsS: [Double] = [], repeats: Int = 1) {
        self.steps = steps
        self.idleGapsS = idleGapsS
        self.repeats = repeats
    }

    /// A ramp's concurrencies: from, then by `step` or times `factor` (at least +1), and `to` last.
    public static func rampConcurrencies(from: Int, to: Int, step: Int?, factor: Double?) -> [Int] {
        var out: [Int] = []
        var c = from
        while c < to {
            out.append(c)
            if let step {
                c += step
            } else {
                let grown = (Double(c) * (factor ?? 2)).rounded()
                c = grown >= Double(to) ? to : max(c + 1, Int(grown))
            }
        }
        out.append(to)
        return out
    }

    /// Calls per phase.
    public var callsPerPhase: Int { steps.reduce(0) { $0 + $1.runs } }
}

/// A closed loop's calls in one phase, in order: at `at_s` 0 (a loop starts with its phase),
/// each with its position (step, order, idle gap).
final class ClosedLoopArrivals: ArrivalStream {
    let loop: ClosedLoop
    /// The sweep's gaps in their seeded order (repeated), one per call after the first.
    let gaps: [Double]
    var step = 0
    var inStep = 0
    var order = 0
    /// The position of the call `next()` last returned.
    private(set) var position: LoopPosition?

    init(loop: ClosedLoop, seed: UInt64, instance: String) {
        self.loop = loop
        var gaps: [Double] = []
        for _ in 0..<loop.repeats { gaps += loop.idleGapsS }
        if !gaps.isEmpty {
            var rng = Xoshiro256StarStar(seed: seed, stream: instance, domain: "rightsize.gaps.v1")
            rng.shuffle(&gaps)
        }
        self.gaps = gaps
    }

    override func next() -> Double? {
        while step < loop.steps.count, inStep == loop.steps[step].runs {
            step += 1
            inStep = 0
        }
        guard step < loop.steps.count else {
            position = nil
            return nil
        }
        let idle: Double? = gaps.isEmpty || order == 0 ? nil : gaps[order - 1]
        position = LoopPosition(concurrency: loop.steps[step].concurrency, step: step, order: order, idleS: idle)
        inStep += 1
        order += 1
        return 0
    }
}
