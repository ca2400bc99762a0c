import History

/// What apply will do to one function: set its memory to the rule's recommendation, or
/// why it will not.
public struct PlannedChange: Sendable, Hashable {
    public var function: String
    public var target: FunctionTarget
    public var rule: String
    public var toMemoryMB: Int
    public var costPerMillionUSD: Double
    /// The size the function has now (GetFunctionConfiguration), once read.
    public var currentMemoryMB: Int?
    /// Set when the function is not changed (and why).
    public var refusal: String?
    /// Said with the change (e.g. that an alias keeps its version's size).
    public var note: String?

    public var changes: Bool { refusal == nil && currentMemoryMB != toMemoryMB }
}

/// The changes apply proposes for a run's recommendations.
public enum ApplyPlan {
    /// One planned change per function of `run` (all, or those named in `only`) that has a
    /// recommendation under `rule`.
    ///
    /// A qualified target (an alias or a published version) is refused unless `setLatest`:
    /// UpdateFunctionConfiguration changes `$LATEST` only, so setting it would not change
    /// what the alias runs (docs/aws.md, docs/invoke.md); with `setLatest` `$LATEST` is set and
    /// the note says the alias keeps its version's size.
    public static func make(_ run: RunSnapshot, rule: String, only: [String] = [], setLatest: Bool = false) -> [PlannedChange] {
        let targets = Dictionary(run.targets.map { ($0.function, $0) }, uniquingKeysWith: { a, _ in a })
        var out: [PlannedChange] = []
        for f in run.functions where only.isEmpty || only.contains(f) {
            guard let target = targets[f] else { continue }
            guard let r = run.recommendation(f, rule: rule) else {
                out.append(
                    PlannedChange(
                        function: f, target: target, rule: rule, toMemoryMB: 0, costPerMillionUSD: 0,
                        refusal: "no \(rule) recommendation in this run"))
                continue
            }
            var change = PlannedChange(
                function: f, target: target, rule: rule, toMemoryMB: r.memoryMB, costPerMillionUSD: r.costPerMillionUSD)
            if let q = target.qualifier, q != "$LATEST" {
                let name = "\(target.lambdaFunction):\(q)"
                if setLatest {
                    change.note =
                        "\(name) is an alias or version: $LATEST is set to \(r.memoryMB) MB; \(name) keeps its version's size "
                        + "until you publish a version and point the alias at it"
                } else {
                    change.refusal =
                        "\(name) is an alias or version, whose memory cannot change (only $LATEST's can): "
                        + "pass --set-latest to set $LATEST (the alias is not changed)"
                }
            }
            out.append(change)
        }
        return out
    }

    /// The table apply shows before asking.
    public static func text(_ changes: [PlannedChange], run: RunMeta) -> String {
        var out = "apply: \(changes.first?.rule ?? "-") recommendations of run \(run.id.map { "#\($0) " } ?? "")\(run.name)"
        out += run.source.map { " (\($0))" } ?? ""
        out += "\n"
        var rows = [["function", "lambda function", "region", "now", "new", "cost/1M at new", "action"]]
        for c in changes {
            let action: String
            if let r = c.refusal {
                action = "skipped: " + r
            } else if c.currentMemoryMB == c.toMemoryMB {
                action = "unchanged (already \(c.toMemoryMB) MB)"
            } else {
                action = "change" + (c.note.map { "; " + $0 } ?? "")
            }
            rows.append([
                c.function, c.target.lambdaFunction + (c.target.qualifier.map { ":" + $0 } ?? ""), c.target.region ?? "default",
                c.currentMemoryMB.map { "\($0) MB" } ?? "?", c.refusal == nil ? "\(c.toMemoryMB) MB" : "-",
                c.refusal == nil ? String(format: "$%.4f", c.costPerMillionUSD) : "-", action,
            ])
        }
        var widths = [Int](repeating: 0, count: rows[0].count)
        for r in rows { for (i, cell) in r.enumerated() { widths[i] = max(widths[i], cell.count) } }
        for r in rows {
            out +=
                r.enumerated().map { i, cell in cell + String(repeating: " ", count: widths[i] - cell.count) }
                .joined(separator: "  ").trimmingCharacters(in: .whitespaces) + "\n"
        }
        return out
    }
}
