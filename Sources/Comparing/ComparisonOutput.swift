import Foundation
import History
import JSON

extension Comparison {
    /// A run's name in messages: "#id name (folder)".
    public static func describe(_ m: RunMeta) -> String {
        var parts: [String] = []
        if let id = m.id { parts.append("#\(id)") }
        parts.append(m.name)
        if let s = m.source { parts.append("(\(s))") }
        return parts.joined(separator: " ")
    }

    static func pct(_ x: Double?) -> String {
        guard let x else { return "-" }
        return String(format: "%+.1f%%", x)
    }

    static func interval(_ lo: Double?, _ hi: Double?) -> String {
        guard let lo, let hi else { return "" }
        return String(format: "[%+.1f%%, %+.1f%%]", lo, hi)
    }

    static func ms(_ x: Double?) -> String { x.map { String(format: "%.1f ms", $0) } ?? "-" }
    static func usd(_ x: Double?) -> String { x.map { String(format: "$%.4f", $0) } ?? "-" }

    /// The table compare prints: one row per function and memory size.
    public var text: String {
        let level = Int((settings.level * 100).rounded())
        var out = "compare: baseline \(Self.describe(baseline)) -> candidate \(Self.describe(candidate))\n"
        out +=
            "verdicts at \(level)% bootstrap intervals (\(settings.bootstrap) replicates), minimum effect "
            + String(format: "%.0f%%", settings.minEffectPct) + "\n\n"
        let header = [
            "function", "memory", "calls", "duration A", "duration B", "Δ duration [\(level)% CI]", "cost/1M A", "cost/1M B",
            "Δ cost [\(level)% CI]", "verdict",
        ]
        var table = [header]
        for r in rows {
            table.append([
                r.function, "\(r.memoryMB) MB", "\(r.baselineN)/\(r.candidateN)", Self.ms(r.baselineDurationMs),
                Self.ms(r.candidateDurationMs),
                "\(Self.pct(r.durationDiffPct)) \(Self.interval(r.durationCILoPct, r.durationCIHiPct))",
                Self.usd(r.baselineCostPerMillionUSD), Self.usd(r.candidateCostPerMillionUSD),
                "\(Self.pct(r.costDiffPct)) \(Self.interval(r.costCILoPct, r.costCIHiPct))",
                r.costVerdict == .noChange || r.costVerdict == r.durationVerdict
                    ? r.durationVerdict.rawValue : "\(r.durationVerdict.rawValue), \(r.costVerdict.rawValue)",
            ])
        }
        var widths = [Int](repeating: 0, count: header.count)
        for row in table { for (i, c) in row.enumerated() { widths[i] = max(widths[i], c.count) } }
        for row in table {
            let cells = row.enumerated().map { i, c in
                let pad = String(repeating: " ", count: widths[i] - c.count)
                return (i == 1 || i == 2 || i == 3 || i == 4 || i == 6 || i == 7) ? pad + c : c + pad
            }
            out += cells.joined(separator: "  ").trimmingCharacters(in: .whitespaces) + "\n"
        }
        for k in onlyInBaseline { out += "only in the baseline: \(k.function) at \(k.memoryMB) MB\n" }
        for k in onlyInCandidate { out += "only in the candidate: \(k.function) at \(k.memoryMB) MB\n" }
        let counts = Dictionary(grouping: rows, by: \.durationVerdict).mapValues(\.count)
        out +=
            "\nsummary: "
            + Verdict.allCases.compactMap { v in counts[v].map { "\($0) \(v.rawValue)" } }.joined(separator: ", ") + "\n"
        return out
    }

    /// `compare --json`: the same rows, deterministic bytes.
    public var json: String {
        var w = JSONWriter()
        w.beginObject()
        w.key("format")
        w.string("rightsize.compare/1")
        for (name, m) in [("baseline", baseline), ("candidate", candidate)] {
            w.key(name)
            w.beginObject()
            w.key("id")
            w.int(m.id.map { Int($0) })
            w.key("name")
            w.string(m.name)
            w.key("source")
            w.string(m.source)
            w.key("workload_sha256")
            w.string(m.workloadSHA256)
            w.endObject()
        }
        w.key("level")
        w.number(settings.level)
        w.key("min_effect_pct")
        w.number(settings.minEffectPct)
        w.key("bootstrap")
        w.int(settings.bootstrap)
        w.key("seed")
        w.uint64(settings.seed)
        w.key("rows")
        w.beginArray()
        for r in rows { Self.write(r, &w) }
        w.endArray()
        for (name, keys) in [("only_in_baseline", onlyInBaseline), ("only_in_candidate", onlyInCandidate)] {
            w.key(name)
            w.beginArray()
            for k in keys {
                w.beginObject()
                w.key("function")
                w.string(k.function)
                w.key("memory_mb")
                w.int(k.memoryMB)
                w.endObject()
            }
            w.endArray()
        }
        w.endObject()
        return w.text + "\n"
    }

    static func write(_ r: ComparisonRow, _ w: inout JSONWriter) {
        func num(_ key: String, _ x: Double?) {
            w.key(key)
            w.number(x.map { ($0 * 1e6).rounded() / 1e6 })
        }
        w.beginObject()
        w.key("function")
        w.string(r.function)
        w.key("memory_mb")
        w.int(r.memoryMB)
        w.key("baseline_n")
        w.int(r.baselineN)
        w.key("candidate_n")
        w.int(r.candidateN)
        w.key("baseline_warm_n")
        w.int(r.baselineWarmN)
        w.key("candidate_warm_n")
        w.int(r.candidateWarmN)
        num("baseline_duration_ms", r.baselineDurationMs)
        num("candidate_duration_ms", r.candidateDurationMs)
        num("duration_diff_ms", r.durationDiffMs)
        num("duration_diff_pct", r.durationDiffPct)
        num("duration_ci_lo_pct", r.durationCILoPct)
        num("duration_ci_hi_pct", r.durationCIHiPct)
        w.key("duration_verdict")
        w.string(r.durationVerdict.rawValue)
        num("baseline_cost_per_million_usd", r.baselineCostPerMillionUSD)
        num("candidate_cost_per_million_usd", r.candidateCostPerMillionUSD)
        num("cost_diff_pct", r.costDiffPct)
        num("cost_ci_lo_pct", r.costCILoPct)
        num("cost_ci_hi_pct", r.costCIHiPct)
        w.key("cost_verdict")
        w.string(r.costVerdict.rawValue)
        w.endObject()
    }
}
