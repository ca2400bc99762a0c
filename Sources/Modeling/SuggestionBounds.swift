import RecordSchema

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A recommendation rule whose choice an adaptive run refines.
public enum SuggestionRule: String, Sendable, CaseIterable {
    case cheapest, fastest, balanced

    func recommendation(_ f: FunctionModel) -> Recommendation? {
        switch self {
        case .cheapest: f.recommendations?.cheapest
        case .fastest: f.recommendations?.fastest
        case .balanced: f.recommendations?.balanced
        }
    }
}

/// What one function's measured sizes bound about its rules at the sizes between them.
///
/// Every runtime form fit uses is non-increasing in memory, and so is what Lambda's CPU share
/// does to a function: between two measured sizes lo < m < hi the mean Billed Duration is at
/// least hi's, so cost(m) ≥ request price + (cost(hi) − request price)·m/hi and duration(m) ≥
/// duration(hi). These bounds hold whatever the curve does in between (a JVM's sharp drop, a
/// form that fits badly), which is where an adaptive run goes wrong if it trusts the model:
/// the model's best guess between measured sizes is smooth, the truth may not be. Above the
/// largest measured size only the request price bounds the cost below.
struct RuleBounds {
    let request: Double
    /// Measured sizes, ascending.
    let measured: [Int]
    /// Cost and mean duration at every size of the cost curve (measured where measured).
    let cost: [Int: Double]
    let duration: [Int: Double]
    /// Candidates at or below it cannot be chosen (memory, timeouts).
    let floorMB: Int
    let minimumSafeMB: Int
    /// The lowest cost and the shortest duration among eligible sizes (the balanced score's units).
    let minCost: Double
    let minDuration: Double
    let weight: Double
    let fastestTolerance: Double
    let costCurve: [CostPoint]

    init?(_ f: FunctionModel, models: ModelsFile) {
        let eligible = f.costCurve.filter { $0.excluded == nil && $0.costUSD > 0 && $0.durationMs > 0 }
        guard f.recommendations != nil, let minCost = eligible.map(\.costUSD).min(),
            let minDuration = eligible.map(\.durationMs).min()
        else { return nil }
        request = models.pricing.requestUSD
        measured = f.costCurve.filter(\.observed).map(\.memoryMB).sorted()
        cost = Dictionary(f.costCurve.map { ($0.memoryMB, $0.costUSD) }, uniquingKeysWith: { a, _ in a })
        duration = Dictionary(f.costCurve.map { ($0.memoryMB, $0.durationMs) }, uniquingKeysWith: { a, _ in a })
        floorMB = f.costCurve.filter { $0.excluded == "memory" || $0.excluded == "timeouts" }.map(\.memoryMB).max() ?? 0
        minimumSafeMB = f.memory?.minimumSafeMB ?? 0
        self.minCost = minCost
        self.minDuration = minDuration
        weight = models.options.balancedWeight
        fastestTolerance = models.options.fastestTolerance
        costCurve = f.costCurve
    }

    func isMeasured(_ m: Int) -> Bool { measured.contains(m) }

    func isEligible(_ m: Int) -> Bool { m > floorMB && m >= minimumSafeMB }

    /// Where to measure next for one rule: the choice itself (or the candidate nearest it) when
    /// that is not measured, then the middle of each open side of the choice's bracket.
    func proposals(_ rule: SuggestionRule, _ r: Recommendation, grid: [Int]) -> [(size: Int, potential: Double)] {
        let c = r.memoryMB
        guard let valueAtChoice = value(rule, at: c) else { return [] }
        let open = grid.filter { !isMeasured($0) && isEligible($0) }
        let nearest = grid.min { (abs(log(Double($0) / Double(c))), $0) < (abs(log(Double($1) / Double(c))), $1) }
        if let nearest, !isMeasured(nearest), open.contains(nearest) { return [(nearest, .infinity)] }
        // Differences within the choice's own cost interval (or the fastest rule's 1%) are not
        // worth a measurement.
        let halfWidth = (r.costPerMillionCIHiUSD - r.costPerMillionCILoUSD) / 2 / max(r.costPerMillionUSD, .leastNonzeroMagnitude)
        let tolerance = max(fastestTolerance, halfWidth)
        let below = measured.last { $0 < c }
        let above = measured.first { $0 > c }
        var out: [(size: Int, potential: Double)] = []
        for (lo, hi) in [(below, Optional(c)), (Optional(c), above)] {
            let inside = open.filter { m in (lo.map { m > $0 } ?? true) && (hi.map { m < $0 } ?? true) }
            guard let first = inside.first, let last = inside.last else { continue }
            // The upper end bounds the side's durations below: the choice for the lower side,
            // the measured neighbour for the upper one.
            let potential = inside.map { self.potential(rule, choiceValue: valueAtChoice, choice: c, at: $0, upper: hi) }.max()!
            guard potential > tolerance, let middle = Suggestion.bisection(inside, lo: lo ?? first, hi: hi ?? last) else {
                continue
            }
            out.append((middle, potential))
        }
        return out.sorted { ($0.potential, -$0.size) > ($1.potential, -$1.size) }
    }

    /// Unmeasured candidates inside the rule's size interval, scored by the relative width of
    /// the cost interval there (the uncertainty a measurement there removes).
    func insideInterval(_ r: Recommendation, grid: [Int]) -> [(size: Int, potential: Double)] {
        grid.filter { !isMeasured($0) && isEligible($0) && $0 >= r.memoryCILoMB && $0 <= r.memoryCIHiMB }.compactMap { m in
            guard let p = costCurve.min(by: { abs($0.memoryMB - m) < abs($1.memoryMB - m) }), p.costUSD > 0 else { return nil }
            return (m, max(0, (p.costHi - p.costLo) / p.costUSD))
        }
    }

    /// The rule's value at a size of the cost curve (lower is better): cost for cheapest and
    /// fastest, the balanced score for balanced.
    func value(_ rule: SuggestionRule, at m: Int) -> Double? {
        guard let c = cost[m], let d = duration[m] else { return nil }
        return rule == .balanced ? weight * c / minCost + (1 - weight) * d / minDuration : c
    }

    /// How much better than the choice the rule could be at m, relative, by the bounds above
    /// (`upper`: the measured size above m on its side, nil above the largest measured size).
    func potential(_ rule: SuggestionRule, choiceValue: Double, choice: Int, at m: Int, upper: Int?) -> Double {
        let lowestCost = upper.flatMap { u in cost[u].map { request + ($0 - request) * Double(m) / Double(u) } } ?? request
        let lowestDuration = upper.flatMap { duration[$0] } ?? 0
        switch rule {
        case .cheapest:
            return (choiceValue - lowestCost) / choiceValue
        case .fastest:
            // A cheaper size counts only if it could be as fast as the fastest rule allows.
            let allowed = max(duration[choice] ?? minDuration, minDuration * (1 + fastestTolerance))
            return lowestDuration <= allowed ? (choiceValue - lowestCost) / choiceValue : 0
        case .balanced:
            // A size cheaper or faster than every measured one also moves the score's units.
            guard lowestDuration > 0, let choiceCost = cost[choice], let choiceDuration = duration[choice] else { return 1 }
            let unitCost = min(minCost, lowestCost)
            let unitDuration = min(minDuration, lowestDuration)
            let atChoice = weight * choiceCost / unitCost + (1 - weight) * choiceDuration / unitDuration
            let atM = weight * lowestCost / unitCost + (1 - weight) * lowestDuration / unitDuration
            return (atChoice - atM) / atChoice
        }
    }
}
