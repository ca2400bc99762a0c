import RecordSchema

/// `fit --suggest K`: the next memory sizes worth measuring, among candidate sizes, where the
/// recommendations are least certain (docs/fit.md, "Adaptive sizing").
///
/// For each function (group "all") and each of the cheapest and balanced rules, the rule's
/// size interval (the range of sizes its bootstrap replicates pick) says how uncertain the
/// choice is. The rule is **stable** when both ends of the interval are the same candidate or
/// neighbouring candidates (the interval is within one step of the candidate grid). For a rule
/// that is not stable, every candidate not yet measured scores the relative width of the cost
/// interval at it, (cost_hi − cost_lo)/cost: the uncertainty a measurement there removes,
/// counted in full when the candidate lies inside the rule's size interval (a replicate picked
/// a size there) and at half weight when it is the nearest unmeasured candidate on either side
/// of the chosen size. Scores add up over rules and functions; the K best are suggested
/// (ties: the smaller size); a neighbour scores at least 0.005. Where the model may not fill
/// between measured sizes (docs/fit.md, the fill threshold) the choice is among measured sizes
/// only, so a rule is stable only once the candidates next to its choice are measured too.
/// Nothing is suggested when every rule is stable.
public struct Suggestion: Sendable, Hashable {
    public var sizes: [Int]
    /// Every function's cheapest and balanced choice is within one candidate step.
    public var stable: Bool
    /// One line per function and rule: its choice, interval and whether it is stable.
    public var lines: [String]

    public static let rules = ["cheapest", "balanced"]

    public static func next(_ models: ModelsFile, candidates: [Int], k: Int) -> Suggestion {
        let grid = candidates.sorted()
        func index(_ m: Int) -> Int {
            grid.indices.min { abs(grid[$0] - m) < abs(grid[$1] - m) || (abs(grid[$0] - m) == abs(grid[$1] - m) && $0 < $1) }!
        }
        var score: [Int: Double] = [:]
        var stable = true
        var lines: [String] = []
        for f in models.functions where f.payloadGroup == "all" {
            let measured = Set(f.observations.map(\.memoryMB))
            let unmeasured = grid.filter { !measured.contains($0) }
            func uncertainty(_ m: Int) -> Double {
                guard let p = f.costCurve.min(by: { abs($0.memoryMB - m) < abs($1.memoryMB - m) }), p.costUSD > 0 else { return 0 }
                return max(0, (p.costHi - p.costLo) / p.costUSD)
            }
            for rule in rules {
                guard let r = rule == "cheapest" ? f.recommendations?.cheapest : f.recommendations?.balanced else {
                    stable = false
                    lines.append("\(f.function) \(rule): no recommendation")
                    continue
                }
                // Where the model may not fill between measured sizes, the choice is among measured sizes
                // only: it is stable only once the candidates next to it are measured too.
                let i = index(r.memoryMB)
                let neighbours = [i - 1, i + 1].filter { grid.indices.contains($0) }.map { grid[$0] }
                let ruleStable =
                    index(r.memoryCIHiMB) - index(r.memoryCILoMB) <= 1
                    && (f.modelFillsBetween == true || neighbours.allSatisfy(measured.contains))
                lines.append(
                    "\(f.function) \(rule): \(r.memoryMB) MB (\(r.memoryCILoMB)..\(r.memoryCIHiMB))"
                        + (ruleStable ? ", stable" : ", not stable"))
                guard !ruleStable else { continue }
                stable = false
                for c in unmeasured where c >= r.memoryCILoMB && c <= r.memoryCIHiMB { score[c, default: 0] += uncertainty(c) }
                let below = unmeasured.last { $0 < r.memoryMB }
                let above = unmeasured.first { $0 > r.memoryMB }
                for case let c? in [below, above] where c < r.memoryCILoMB || c > r.memoryCIHiMB {
                    score[c, default: 0] += 0.5 * max(uncertainty(c), 0.01)
                }
            }
        }
        let ranked = score.filter { $0.value > 0 }.sorted { $0.value > $1.value || ($0.value == $1.value && $0.key < $1.key) }
        return Suggestion(sizes: stable ? [] : ranked.prefix(k).map(\.key).sorted(), stable: stable, lines: lines)
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
