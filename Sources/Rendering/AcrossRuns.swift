import Comparing
import Foundation
import History

/// The report's sections across runs: the comparison with another run (`report --compare`)
/// and each function's cost and duration at its recommended size over the history
/// (`report --history`).
public struct AcrossRuns {
    public var comparison: Comparison?
    /// Per function, oldest first: one point per run (the current run last when not yet recorded).
    public var trends: [String: [HistoryStore.TrendPoint]]
    /// The rule whose size the trend follows.
    public var rule: String

    public init(comparison: Comparison?, trends: [String: [HistoryStore.TrendPoint]], rule: String = "cheapest") {
        self.comparison = comparison
        self.trends = trends
        self.rule = rule
    }

    public var isEmpty: Bool { comparison == nil && trends.isEmpty }

    func render(into out: inout String) {
        if let c = comparison { renderComparison(c, into: &out) }
        if !trends.isEmpty { renderTrends(into: &out) }
    }

    func renderComparison(_ c: Comparison, into out: inout String) {
        let level = Int((c.settings.level * 100).rounded())
        out += "<section id=\"compare\"><h2>Compared with \(HTML.escape(Comparison.describe(c.baseline)))</h2>\n"
        out +=
            "<p class=\"muted\">This run (candidate) against the baseline, per function and memory size measured in both: "
            + "difference in robust mean duration and in cost per 1M invocations with \(level)% bootstrap intervals "
            + "(\(c.settings.bootstrap) replicates). A verdict needs the interval to exclude 0 and the difference to be at least "
            + "\(Fmt.fixed(c.settings.minEffectPct, 0))% (docs/compare.md).</p>\n"
        func pct(_ x: Double?, _ lo: Double?, _ hi: Double?) -> String {
            guard let x else { return "–" }
            return String(format: "%+.1f%%", x) + (lo.flatMap { l in hi.map { String(format: " [%+.1f%%, %+.1f%%]", l, $0) } } ?? "")
        }
        let rows = c.rows.map { r in
            [
                r.function, "\(r.memoryMB)", r.baselineDurationMs.map(Fmt.ms) ?? "–", r.candidateDurationMs.map(Fmt.ms) ?? "–",
                pct(r.durationDiffPct, r.durationCILoPct, r.durationCIHiPct), r.durationVerdict.rawValue,
                r.baselineCostPerMillionUSD.map(Fmt.dollars) ?? "–", r.candidateCostPerMillionUSD.map(Fmt.dollars) ?? "–",
                pct(r.costDiffPct, r.costCILoPct, r.costCIHiPct), r.costVerdict.rawValue,
            ]
        }
        DataTable(
            headers: [
                "function", "memory (MB)", "duration, baseline", "duration, this run", "Δ duration [\(level)% CI]", "verdict",
                "cost/1M, baseline", "cost/1M, this run", "Δ cost [\(level)% CI]", "cost verdict",
            ],
            rows: rows, numeric: [1, 2, 3, 4, 6, 7, 8]
        )
        .render(into: &out, caption: "Per function and memory size", collapsed: false)
        for k in c.onlyInBaseline {
            out += "<p class=\"muted\">Only in the baseline: \(HTML.escape(k.function)) at \(k.memoryMB) MB.</p>\n"
        }
        for k in c.onlyInCandidate { out += "<p class=\"muted\">Only in this run: \(HTML.escape(k.function)) at \(k.memoryMB) MB.</p>\n" }
        out += "</section>\n"
    }

    func renderTrends(into out: inout String) {
        out += "<section id=\"history\"><h2>History</h2>\n"
        out +=
            "<p class=\"muted\">Each function's \(HTML.escape(rule)) recommendation in every recorded run, oldest first: "
            + "its size, cost per 1M invocations and duration, with their intervals.</p>\n"
        for name in trends.keys.sorted() {
            let points = trends[name]!
            let labels = points.map { p in p.runID > 0 ? "#\(p.runID)" : "this run" }
            let xs = points.indices.map { Double($0) + 0.5 }
            func chart(_ id: String, _ title: String, _ unit: String, _ value: (RecommendationRow) -> (Double, Double, Double)) -> Chart {
                let v = points.map { value($0.recommendation) }
                return Chart(
                    id: HTML.anchor("history-\(id)", name), title: "\(name): \(title) at the \(rule) size, by run",
                    summary: "\(title) of \(name) at its \(rule) size in \(points.count) runs.",
                    x: Chart.Axis("Run", categories: labels), y: Chart.Axis(unit),
                    series: [
                        Chart.Series(
                            "\(Int((0.95) * 100))% interval", color: 0,
                            .band(
                                lower: zip(xs, v).map { Chart.Point($0, $1.1) }, upper: zip(xs, v).map { Chart.Point($0, $1.2) })),
                        Chart.Series(title, color: 0, .line(zip(xs, v).map { Chart.Point($0, $1.0) })),
                        Chart.Series(
                            "size", color: 1,
                            .markers(zip(xs, points).map { (Chart.Point($0, value($1.recommendation).0), "\($1.recommendation.memoryMB)") })
                        ),
                    ],
                    table: DataTable(
                        headers: ["run", "name", "memory (MB)", title, "interval"],
                        rows: zip(labels, points).map { l, p in
                            let x = value(p.recommendation)
                            return [
                                l, p.runName, "\(p.recommendation.memoryMB)", Fmt.sig(x.0, 4), "\(Fmt.sig(x.1, 4)) – \(Fmt.sig(x.2, 4))",
                            ]
                        }, numeric: [2, 3]))
            }
            chart("cost", "cost per 1M", "USD per 1M invocations") {
                ($0.costPerMillionUSD, $0.costPerMillionCILoUSD, $0.costPerMillionCIHiUSD)
            }
            .render(into: &out)
            chart("duration", "duration", "Duration (ms)") { ($0.durationMs, $0.durationCILoMs, $0.durationCIHiMs) }.render(into: &out)
        }
        out += "</section>\n"
    }
}
