import RecordSchema

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// `fit --suggest K`: the next memory sizes worth measuring, among candidate sizes (docs/fit.md,
/// "Adaptive sizing").
///
/// Each rule's choice is bracketed by the measured sizes next to it. A side of the bracket
/// (between the choice and its measured neighbour) is **open** while it holds an unmeasured,
/// memory-safe candidate at which the rule could still do better than its choice by more than
/// the tolerance — judged by a bound that holds whatever the curve does between the two
/// measurements, not by the model (which may not fill there, or may be wrong where the curve
/// bends). An open side is bisected: the candidate nearest its geometric middle is suggested.
/// A choice at an unmeasured size is suggested itself (the model prefers it; a measurement
/// settles it). A rule is **stable** when its choice (or the candidate nearest it) is measured,
/// both sides are closed and its bootstrap size interval is within one candidate step.
///
/// Rules in order: cheapest, fastest, balanced. The balanced score is relative to the lowest
/// cost and the shortest duration, so it is only as settled as the cheapest and fastest sizes
/// are: their brackets are refined first, and the K suggestions are taken in that order (within
/// a rule, the largest possible improvement first). Nothing is suggested when every rule is stable.
public struct Suggestion: Sendable, Hashable {
    public var sizes: [Int]
    /// Every function's cheapest, fastest and balanced choices are stable.
    public var stable: Bool
    /// One line per function and rule: its choice, interval and whether it is stable.
    public var lines: [String]

    public static let rules = ["cheapest", "balanced"]
    /// The rules whose brackets are refined, in the order they are served.
    public static let refinedRules: [SuggestionRule] = [.cheapest, .fastest, .balanced]

    struct Proposal {
        var size: Int
        var rule: Int
        /// The improvement over the rule's choice still possible there (relative), or
        /// `.infinity` for the choice itself when unmeasured.
        var potential: Double
    }

    public static func next(_ models: ModelsFile, candidates: [Int], k: Int) -> Suggestion {
        let grid = Array(Set(candidates)).sorted()
        var proposals: [Proposal] = []
        var stable = true
        var lines: [String] = []
        for f in models.functions where f.payloadGroup == "all" {
            guard let bounds = RuleBounds(f, models: models) else {
                stable = false
                lines.append("\(f.function): no recommendation")
                continue
            }
            for (order, rule) in refinedRules.enumerated() {
                guard let r = rule.recommendation(f) else {
                    stable = false
                    lines.append("\(f.function) \(rule.rawValue): no recommendation")
                    continue
                }
                let found = bounds.proposals(rule, r, grid: grid)
                let ruleStable = found.isEmpty && withinOneStep(r, grid)
                lines.append(
                    "\(f.function) \(rule.rawValue): \(r.memoryMB) MB (\(r.memoryCILoMB)..\(r.memoryCIHiMB))"
                        + (ruleStable ? ", stable" : ", not stable")
                        + (found.isEmpty ? "" : "; measure " + found.map { "\($0.size)" }.joined(separator: ", ")))
                if ruleStable { continue }
                stable = false
                proposals += found.map { Proposal(size: $0.size, rule: order, potential: $0.potential) }
                // The bracket is settled but the bootstrap still picks sizes apart: the unmeasured
                // candidates inside the size interval, the widest cost interval first.
                if found.isEmpty {
                    proposals += bounds.insideInterval(r, grid: grid).map { Proposal(size: $0.size, rule: order, potential: $0.potential) }
                }
            }
        }
        let ranked = proposals.sorted {
            ($0.rule, -$0.potential, $0.size) < ($1.rule, -$1.potential, $1.size)
        }
        var sizes: [Int] = []
        for p in ranked where !sizes.contains(p.size) && sizes.count < k { sizes.append(p.size) }
        return Suggestion(sizes: stable ? [] : sizes.sorted(), stable: stable, lines: lines)
    }

    /// Both ends of the rule's size interval are the same or neighbouring candidates.
    static func withinOneStep(_ r: Recommendation, _ grid: [Int]) -> Bool {
        func index(_ m: Int) -> Int { grid.indices.min { (abs(grid[$0] - m), $0) < (abs(grid[$1] - m), $1) }! }
        return index(r.memoryCIHiMB) - index(r.memoryCILoMB) <= 1
    }

    /// The candidate nearest the geometric middle of lo and hi among `inside` (ties: the smaller).
    /// Distances are compared as exact ratios m²/(lo·hi) in integers, so a candidate pair
    /// symmetric about the middle (256 and 384 between 128 and 768) is a true tie.
    static func bisection(_ inside: [Int], lo: Int, hi: Int) -> Int? {
        let product = lo * hi
        // The ratio of m² to lo·hi, as (larger, smaller): m is closer the nearer it is to 1.
        func ratio(_ m: Int) -> (Int, Int) { (max(m * m, product), min(m * m, product)) }
        return inside.min { a, b in
            let (ra, rb) = (ratio(a), ratio(b))
            let (left, right) = (ra.0 * rb.1, rb.0 * ra.1)
            return left < right || (left == right && a < b)
        }
    }

    /// The small first design of an adaptive run: the smallest, the largest and the candidate
    /// nearest their geometric mean (3 sizes; fewer when there are fewer candidates).
    public static func initialDesign(_ candidates: [Int]) -> [Int] {
        let grid = Array(Set(candidates)).sorted()
        guard grid.count > 3 else { return grid }
        let middle = (Double(grid.first!) * Double(grid.last!)).squareRoot()
        let m = grid.dropFirst().dropLast().min { abs(Double($0) - middle) < abs(Double($1) - middle) }!
        return [grid.first!, m, grid.last!]
    }
}
