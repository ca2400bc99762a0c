import SeededRandom

/// Picks each call's payload index within one phase of one instance (docs/workload.md,
/// "Payload weights and shuffle"). Every phase starts a fresh picker, so phases replay the
/// same payloads call for call.
struct PayloadPicker {
    let order: PayloadOrder
    let count: Int
    /// Weighted: calls each payload gets in the phase (largest remainder), and has had so far.
    var quota: [Int] = []
    var taken: [Int] = []
    var calls = 0
    var total = 0
    var rng: Xoshiro256StarStar?

    /// `callsPerPhase`: the instance's calls in a phase (needed only for weights and shuffle).
    init(order: PayloadOrder, count: Int, callsPerPhase: Int, seed: UInt64, instance: String) {
        self.order = order
        self.count = count
        guard case .weighted(let weights, let shuffled) = order else { return }
        quota = Self.apportion(callsPerPhase, weights: weights)
        taken = [Int](repeating: 0, count: weights.count)
        total = callsPerPhase
        if shuffled { rng = Xoshiro256StarStar(seed: seed, stream: instance, domain: "rightsize.payloads.v1") }
    }

    /// `n` calls split in proportion to `weights` by largest remainder (Hamilton's method):
    /// each gets floor(n·w/W), and the calls left go to the largest fractions, ties to the
    /// earlier payload. The counts are exact, so a 1:3 split of 4,000 is 1,000 and 3,000.
    static func apportion(_ n: Int, weights: [Double]) -> [Int] {
        let sum = weights.reduce(0, +)
        let shares = weights.map { Double(n) * $0 / sum }
        var counts = shares.map { Int($0.rounded(.down)) }
        let left = n - counts.reduce(0, +)
        let byFraction = shares.indices.sorted { a, b in
            let fa = shares[a] - Double(counts[a])
            let fb = shares[b] - Double(counts[b])
            return fa > fb || (fa == fb && a < b)
        }
        for k in 0..<max(0, left) { counts[byFraction[k % byFraction.count]] += 1 }
        return counts
    }

    mutating func next() -> Int {
        defer { calls += 1 }
        guard case .weighted = order, calls < total else { return calls % count }
        let pick: Int
        if var r = rng {
            // An urn of the phase's quota, drawn without replacement: a uniformly random order
            // with the exact counts.
            var u = r.nextIndex(below: total - calls)
            rng = r
            var i = 0
            while u >= quota[i] - taken[i] {
                u -= quota[i] - taken[i]
                i += 1
            }
            pick = i
        } else {
            // Evenly interleaved: the payload furthest behind its share of the calls so far.
            var best = -1
            var bestDeficit = -Double.infinity
            for i in quota.indices where taken[i] < quota[i] {
                let deficit = Double(calls + 1) * Double(quota[i]) / Double(total) - Double(taken[i])
                if deficit > bestDeficit {
                    best = i
                    bestDeficit = deficit
                }
            }
            pick = best
        }
        taken[pick] += 1
        return pick
    }
}
