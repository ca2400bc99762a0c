import OrderStatistics
import RecordSchema
import SeededRandom

/// One function: the answer first, then the evidence behind it.
struct FunctionSection {
    let name: String
    let run: FunctionRun?
    /// The "all payloads" model (nil when models.json has none for this function).
    let model: FunctionModel?
    /// Models of single payload groups, shown as a table.
    let payloadModels: [FunctionModel]
    let pricing: PricingUsed?
    let logWait: LogWaitSummary?
    let options: FitOptionsUsed?
    let id: String

    init(
        name: String, run: FunctionRun?, models: [FunctionModel], pricing: PricingUsed?, options: FitOptionsUsed?,
        logWait: LogWaitSummary?
    ) {
        self.name = name
        self.run = run
        self.pricing = pricing
        self.options = options
        self.logWait = logWait
        model = models.first { $0.payloadGroup == "all" } ?? (models.count == 1 ? models[0] : nil)
        payloadModels = models.filter { $0.payloadGroup != "all" }
        id = HTML.anchor("fn", name)
    }

    /// Observed memory sizes, from the logs (else from the model's observations).
    var sizes: [Int] {
        let fromRun = run.map { $0.byMemory.filter { $0.value.reports > 0 }.keys.sorted() } ?? []
        return fromRun.isEmpty ? (model?.observations.map(\.memoryMB) ?? []) : fromRun
    }

    var memoryTicks: [Double] { sizes.map(Double.init) }

    /// The measured sizes plus the ends of the model's grid.
    var curveTicks: [Double] {
        guard let curve = model?.costCurve, let first = curve.first, let last = curve.last else { return memoryTicks }
        return Set(sizes + [first.memoryMB, last.memoryMB]).sorted().map(Double.init)
    }

    func render(into out: inout String) {
        out += "<section class=\"function\" id=\"\(id)\">\n<h2>\(HTML.escape(name))</h2>\n"
        answer(into: &out)
        let mismatches = run?.byMemory.values.map(\.memoryMismatches).reduce(0, +) ?? 0
        if mismatches > 0 {
            note(
                &out,
                "\(Fmt.count(mismatches)) REPORT lines state another Memory Size than their phase asked for (the configuration update had not landed yet); they are counted at the size the REPORT states, as fit does."
            )
        }
        out += "<div class=\"grid2\">\n"
        runtimeChart(into: &out)
        costChart(into: &out)
        distributionChart(into: &out)
        coldChart(into: &out)
        memoryChart(into: &out)
        errorsChart(into: &out)
        out += "</div>\n</section>\n"
    }

    // MARK: The answer

    func answer(into out: inout String) {
        let recommended =
            model?.recommendations.map { [$0.underLatencyBound, $0.balanced, $0.cheapest, $0.fastest].contains { $0 != nil } } ?? false
        out += recommended ? "<div class=\"answer\">\n" : "<div class=\"answer none\">\n"
        if let w = logWait, w.timedOut || w.found < w.expected {
            note(
                &out,
                "Incomplete logs: the log wait \(w.timedOut ? "timed out" : "ended") with \(Fmt.count(w.found)) of \(Fmt.count(w.expected)) REPORT lines; the figures below use the lines found."
            )
        }
        guard let model else {
            out += "<p class=\"headline\">No recommendation</p>\n"
            note(&out, "models.json has no model for this function: the sections below show the measurements only.")
            out += "</div>\n"
            return
        }
        for w in model.warnings { note(&out, w) }
        guard let recs = model.recommendations,
            let (label, main) = [
                ("under the latency bound", recs.underLatencyBound), ("balanced", recs.balanced),
                ("cheapest", recs.cheapest), ("fastest", recs.fastest),
            ].first(where: { $0.1 != nil }).map({ ($0.0, $0.1!) })
        else {
            out += "<p class=\"headline\">No recommendation</p>\n"
            note(
                &out,
                model.runtime == nil
                    ? "No runtime model could be fitted (too few memory sizes or invocations), so no size can be recommended."
                    : "The model gives no recommendation for this function.")
            out += "</div>\n"
            return
        }
        if let bound = optionsBound, recs.underLatencyBound == nil {
            note(
                &out,
                "No memory size is predicted to finish within the latency bound of \(Fmt.ms(bound)); showing the \(label) size instead.")
        }
        let current = model.currentMemoryMB
        let currentPoint = current.flatMap { c in model.costCurve.first { $0.memoryMB == c } }
        let why = label == "under the latency bound" ? "cheapest within \(Fmt.ms(optionsBound ?? .nan))" : label
        out +=
            "<p class=\"headline\">Recommended memory: <span class=\"big\">\(main.memoryMB) MB</span> <span class=\"muted\">(\(HTML.escape(why)))</span></p>\n"
        out += "<div class=\"kpis\">"
        kpi(
            &out, "cost per 1M invocations", Fmt.dollars(main.costPerMillionUSD),
            currentPoint.map { "at \(current!) MB now: " + Fmt.dollars($0.costUSD * 1e6) })
        kpi(
            &out, Self.durationLabel(main.source), Fmt.ms(main.durationMs),
            main.measuredMedianMs.map { "measured median " + Fmt.ms($0) }
                ?? currentPoint.map { "at \(current!) MB now: " + Fmt.ms($0.durationMs) })
        if let pct = main.savingVsCurrentPct, let usd = main.savingPerMillionUSD {
            let cls = pct >= 0 ? "saving" : "worse"
            out +=
                "<div class=\"kpi\"><div class=\"v \(cls)\">\(Fmt.fixed(pct, 1))% (\(Fmt.dollars(usd)) per 1M)</div><div class=\"k\">saving vs current \(current.map { "\($0) MB" } ?? "")</div></div>"
        } else {
            kpi(&out, "saving", "–", "no current memory size given to fit")
        }
        kpi(
            &out, "uncertainty (\(confidence))",
            "\(Fmt.dollars(main.costPerMillionCILoUSD))–\(Fmt.dollars(main.costPerMillionCIHiUSD)) per 1M",
            "size range \(main.memoryCILoMB)–\(main.memoryCIHiMB) MB, picked in \(Fmt.percent(main.stability, 0)) of resamples")
        out +=
            "</div>\n<p>\(HTML.escape(main.rule)). \(Self.sourceSentence(main.source))\(main.extrapolated ? " <strong>Extrapolated beyond the measured sizes.</strong>" : "")</p>\n"
        for line in Self.modelStatements(model) { out += "<p>\(HTML.escape(line))</p>\n" }
        var rows: [[String]] = []
        for (rule, r) in [
            ("cheapest", recs.cheapest), ("fastest", recs.fastest), ("balanced", recs.balanced),
            ("under the latency bound", recs.underLatencyBound),
        ] {
            guard let r else {
                if rule == "under the latency bound", let bound = optionsBound {
                    rows.append([rule, "none meets \(Fmt.ms(bound))", "", "", "", "", ""])
                }
                continue
            }
            rows.append([
                rule, "\(r.memoryMB) MB", "\(r.memoryCILoMB)–\(r.memoryCIHiMB) MB",
                Fmt.dollars(r.costPerMillionUSD) + " (" + Fmt.dollars(r.costPerMillionCILoUSD) + "–" + Fmt.dollars(r.costPerMillionCIHiUSD)
                    + ")",
                Fmt.ms(r.durationMs) + " (" + Fmt.ms(r.durationCILoMs) + "–" + Fmt.ms(r.durationCIHiMs) + ")",
                r.savingVsCurrentPct.map { Fmt.fixed($0, 1) + "%" } ?? "–",
                Fmt.percent(r.stability, 0) + (r.extrapolated ? ", extrapolated" : ""), r.source ?? "",
            ])
        }
        if let c = current, let p = currentPoint {
            rows.append([
                "current", "\(c) MB", "",
                Fmt.dollars(p.costUSD * 1e6) + " (" + Fmt.dollars(p.costLo * 1e6) + "–" + Fmt.dollars(p.costHi * 1e6) + ")",
                Fmt.ms(p.durationMs) + " (" + Fmt.ms(p.durationLoMs) + "–" + Fmt.ms(p.durationHiMs) + ")", "0.0%", "", p.source ?? "",
            ])
        }
        DataTable(
            headers: [
                "rule", "memory", "size range (\(confidence))", "cost per 1M (CI)", "mean duration (CI)", "saving vs current",
                "stability", "figures",
            ],
            rows: rows, numeric: [3, 4, 5]
        ).render(into: &out, caption: nil, collapsed: false)
        if !payloadModels.isEmpty {
            let rows = payloadModels.map { m -> [String] in
                let r = m.recommendations?.balanced ?? m.recommendations?.cheapest
                return [
                    m.payloadGroup, m.payload.map { $0.count > 80 ? String($0.prefix(80)) + "…" : $0 } ?? "",
                    r.map { "\($0.memoryMB) MB" } ?? "–", r.map { Fmt.dollars($0.costPerMillionUSD) } ?? "–",
                    r.map { Fmt.ms($0.durationMs) } ?? "–",
                ]
            }
            DataTable(
                headers: ["payload group", "payload", "balanced size", "cost per 1M", "mean duration"], rows: rows, numeric: [3, 4]
            )
            .render(into: &out, caption: "Per payload", collapsed: true)
        }
        out += "</div>\n"
    }

    var confidence: String { Fmt.fixed((options?.confidenceLevel ?? 0.95) * 100, 0) + "% CI" }
    var optionsBound: Double? { options?.maxDurationMs }

    func kpi(_ out: inout String, _ key: String, _ value: String, _ detail: String?) {
        out += "<div class=\"kpi\"><div class=\"v\">\(HTML.escape(value))</div><div class=\"k\">\(HTML.escape(key))</div>"
        if let detail { out += "<div class=\"muted\">\(HTML.escape(detail))</div>" }
        out += "</div>"
    }

    // MARK: Runtime vs memory

    func runtimeChart(into out: inout String) {
        let title = "Warm duration vs memory"
        guard let run, !sizes.isEmpty else {
            emptyFigure(&out, title, "No REPORT lines were found for this function.")
            return
        }
        var rng = SplitMix64(seed: SplitMix64.seed(from: name))
        var points: [Chart.Point] = []
        var lo: [Chart.Point] = []
        var hi: [Chart.Point] = []
        var med: [Chart.Point] = []
        var rows: [[String]] = []
        let fitted = Dictionary(model?.costCurve.map { ($0.memoryMB, $0) } ?? [], uniquingKeysWith: { a, _ in a })
        for m in sizes {
            guard let s = run.byMemory[m] else { continue }
            let q = Quantiles(sorted: s.warm)
            // Jitter ±4% in memory so points at one size don't stack.
            for v in seededSample(s.warm, 160, seed: SplitMix64.seed(from: name) ^ UInt64(m)) {
                points.append(.init(Double(m) * (1 + (rng.unit() - 0.5) * 0.08), v))
            }
            guard !q.isEmpty else {
                rows.append([String(m), "0", "–", "–", "–", fitted[m].map { Fmt.ms($0.durationMs) } ?? "–"])
                continue
            }
            lo.append(.init(Double(m), q(0.1)))
            hi.append(.init(Double(m), q(0.9)))
            med.append(.init(Double(m), q(0.5)))
            rows.append([
                String(m), Fmt.count(q.count), Fmt.ms(q(0.1)), Fmt.ms(q(0.5)), Fmt.ms(q(0.9)),
                fitted[m].map { Fmt.ms($0.durationMs) } ?? "–",
            ])
        }
        var series: [Chart.Series] = [
            .init("observed p10–p90", color: 0, .band(lower: lo, upper: hi)),
            .init("warm invocations (sample)", color: 0, .points(points)),
            .init("observed median", color: 0, .line(med, dashed: true)),
        ]
        var fitText = ""
        if let rt = model?.runtime, let curve = model?.costCurve, !curve.isEmpty {
            series.append(.init("fitted: \(rt.form)", color: 1, .line(curve.map { .init(Double($0.memoryMB), $0.durationMs) })))
            fitText =
                "Fitted \(rt.form): \(rt.formula), drawn through the measured robust means; in-sample MAPE \(Fmt.fixed(rt.mape, 1))%, nested leave-one-size-out error "
                + (rt.looMape.map { Fmt.fixed($0, 1) + "%" } ?? "not available") + "."
        }
        let sampled = run.byMemory.values.map(\.warm.count).reduce(0, +)
        var footer = ""
        if sizes.count < 2 {
            note(&footer, "Only one memory size was measured: no runtime curve can be fitted, so the duration at other sizes is unknown.")
        }
        if let rt = model?.runtime {
            var params = rt.parameters.keys.sorted().map { k in
                "\(k) = \(Fmt.sig(rt.parameters[k]!, 4))" + (rt.standardErrors[k].map { " ± " + Fmt.sig($0, 2) } ?? "")
            }.joined(separator: ", ")
            if params.isEmpty { params = "–" }
            footer +=
                "<p class=\"muted\">Model: <code>\(HTML.escape(rt.formula))</code> (\(HTML.escape(rt.form))), \(HTML.escape(params)); "
            footer +=
                "R² \(rt.r2.map { Fmt.fixed($0, 4) } ?? "–"), MAPE \(Fmt.fixed(rt.mape, 1))%, nested cross-validated error (each size predicted by the whole procedure, form choice included, run without it) \(rt.looMape.map { Fmt.fixed($0, 1) + "%" } ?? "–"); \(rt.sizes) sizes, \(Fmt.count(rt.points)) invocations. \(HTML.escape(rt.selection))</p>\n"
        } else if model != nil {
            note(&footer, "No runtime model: fit could not fit a curve for this function.")
        }
        Chart(
            id: id + "-runtime", title: title,
            summary:
                "Warm, successful invocations' Duration per memory size: a seeded sample of \(Fmt.count(points.count)) of \(Fmt.count(sampled)) points (jittered), the p10–p90 band and median. \(fitText)",
            x: .init("Memory (MB, log scale)", scale: .log2, ticks: curveTicks, format: .memory), y: .init("Duration (ms)"),
            series: series,
            table: DataTable(headers: ["memory (MB)", "warm n", "p10", "p50", "p90", "fitted"], rows: rows, numeric: [0, 1, 2, 3, 4, 5])
        )
        .render(into: &out, footer: footer)
    }

    // MARK: Cost vs memory

    func costChart(into out: inout String) {
        let title = "Cost per 1M invocations vs memory"
        let price =
            pricing
            ?? PricingUsed(
                region: "us-east-1", architecture: "x86_64", gbSecondUSD: 0.0000166667,
                requestUSD: 0.0000002, billingGranularityMs: 1, source: "built-in")
        var observed: [Chart.Point] = []
        var obsRows: [Int: String] = [:]
        for m in sizes {
            guard let s = run?.byMemory[m], s.reports > 0 else { continue }
            let c = (price.gbSecondUSD * Double(m) / 1024 * s.meanBilledMs / 1000 + price.requestUSD) * 1e6
            observed.append(.init(Double(m), c))
            obsRows[m] = Fmt.dollars(c)
        }
        let curve = model?.costCurve ?? []
        guard !curve.isEmpty || !observed.isEmpty else {
            emptyFigure(&out, title, "No cost can be computed: no model and no REPORT lines.")
            return
        }
        var series: [Chart.Series] = []
        var rows: [[String]] = []
        if !curve.isEmpty {
            series.append(
                .init(
                    "confidence band", color: 0,
                    .band(
                        lower: curve.map { .init(Double($0.memoryMB), $0.costLo * 1e6) },
                        upper: curve.map { .init(Double($0.memoryMB), $0.costHi * 1e6) })))
            series.append(.init("predicted cost", color: 0, .line(curve.map { .init(Double($0.memoryMB), $0.costUSD * 1e6) })))
            for p in curve {
                rows.append([
                    String(p.memoryMB), Fmt.dollars(p.costUSD * 1e6), Fmt.dollars(p.costLo * 1e6), Fmt.dollars(p.costHi * 1e6),
                    Fmt.ms(p.durationMs), obsRows[p.memoryMB] ?? "",
                    [p.observed ? "measured" : "", p.extrapolated ? "extrapolated" : "", p.memorySafe ? "" : "below safe memory"]
                        .filter { !$0.isEmpty }.joined(separator: ", "),
                ])
            }
        } else {
            for p in observed { rows.append([Fmt.fixed(p.x, 0), "", "", "", "", Fmt.dollars(p.y), "measured"]) }
        }
        series.append(.init("observed (mean billed duration)", color: 2, .markers(observed.map { ($0, "") })))
        var marks: [(Chart.Point, String)] = []
        if let recs = model?.recommendations {
            var byMemory: [Int: [String]] = [:]
            for (rule, r) in [
                ("cheapest", recs.cheapest), ("fastest", recs.fastest), ("balanced", recs.balanced),
                ("latency bound", recs.underLatencyBound),
            ] {
                if let r { byMemory[r.memoryMB, default: []].append(rule) }
            }
            for m in byMemory.keys.sorted() {
                let rec = [recs.cheapest, recs.fastest, recs.balanced, recs.underLatencyBound].compactMap { $0 }.first { $0.memoryMB == m }!
                marks.append((.init(Double(m), rec.costPerMillionUSD), byMemory[m]!.joined(separator: ", ") + " \(m) MB"))
            }
        }
        if !marks.isEmpty { series.append(.init("recommendations", color: 3, .markers(marks))) }
        if let c = model?.currentMemoryMB, let p = curve.first(where: { $0.memoryMB == c }) {
            series.append(.init("current \(c) MB", color: 4, .markers([(.init(Double(c), p.costUSD * 1e6), "current")])))
        }
        Chart(
            id: id + "-cost", title: title,
            summary:
                "Cost of one million invocations (\(price.architecture), \(price.region): $\(Fmt.sig(price.gbSecondUSD, 6)) per GB-s, $\(Fmt.sig(price.requestUSD * 1e6, 3)) per 1M requests) over the memory grid, with the model's confidence band, the measured sizes and the recommendations.",
            x: .init("Memory (MB, log scale)", scale: .log2, ticks: curveTicks, format: .memory),
            y: .init("USD per 1M invocations", includeZero: false),
            series: series,
            table: DataTable(
                headers: ["memory (MB)", "predicted $/1M", "CI low", "CI high", "predicted duration", "observed $/1M", "note"],
                rows: rows, numeric: [0, 1, 2, 3, 4, 5])
        )
        .render(into: &out, footer: curve.isEmpty ? noteHTML("No cost model: only the measured sizes' cost is shown.") : "")
    }

    // MARK: Duration distributions

    func distributionChart(into out: inout String) {
        let title = "Duration percentiles per memory size"
        guard let run, !sizes.isEmpty else {
            emptyFigure(&out, title, "No REPORT lines were found for this function.")
            return
        }
        var p50: [Chart.Point] = []
        var p90: [Chart.Point] = []
        var p99: [Chart.Point] = []
        var cold: [Chart.Point] = []
        var rows: [[String]] = []
        for m in sizes {
            guard let s = run.byMemory[m] else { continue }
            let q = Quantiles(sorted: s.warm)
            let c = Quantiles(sorted: s.cold)
            if !q.isEmpty {
                p50.append(.init(Double(m), q(0.5)))
                p90.append(.init(Double(m), q(0.9)))
                p99.append(.init(Double(m), q(0.99)))
            }
            if !c.isEmpty { cold.append(.init(Double(m), c(0.5))) }
            rows.append([
                String(m), Fmt.count(q.count), Fmt.ms(q(0.5)), Fmt.ms(q(0.9)), Fmt.ms(q(0.99)), Fmt.ms(q.max),
                Fmt.count(c.count), Fmt.ms(c(0.5)),
            ])
        }
        Chart(
            id: id + "-dist", title: title,
            summary:
                "Warm Duration p50, p90 and p99 per memory size, and the median Duration of cold invocations (excluding Init Duration).",
            x: .init("Memory (MB, log scale)", scale: .log2, ticks: memoryTicks, format: .memory), y: .init("Duration (ms)"),
            series: [
                .init("warm p50", color: 0, .line(p50)), .init("warm p90", color: 1, .line(p90)),
                .init("warm p99", color: 4, .line(p99)), .init("cold p50", color: 3, .line(cold, dashed: true)),
            ],
            table: DataTable(
                headers: ["memory (MB)", "warm n", "p50", "p90", "p99", "max", "cold n", "cold p50"],
                rows: rows, numeric: Set(0..<8))
        )
        .render(into: &out)
    }

    // MARK: Cold starts

    func coldChart(into out: inout String) {
        let title = "Cold starts: Init Duration vs memory"
        guard let run, !sizes.isEmpty else {
            emptyFigure(&out, title, "No REPORT lines were found for this function.")
            return
        }
        var rng = SplitMix64(seed: SplitMix64.seed(from: name) &+ 1)
        var points: [Chart.Point] = []
        var med: [Chart.Point] = []
        var rows: [[String]] = []
        var total = 0
        var reports = 0
        for m in sizes {
            guard let s = run.byMemory[m] else { continue }
            let q = Quantiles(sorted: s.inits)
            total += q.count
            reports += s.reports
            // At most 60 points per size, evenly spaced in sorted order (deterministic).
            let step = max(1, q.count / 60)
            for k in stride(from: 0, to: q.count, by: step) {
                points.append(.init(Double(m) * (1 + (rng.unit() - 0.5) * 0.06), q.sorted[k]))
            }
            if !q.isEmpty { med.append(.init(Double(m), q(0.5))) }
            rows.append([String(m), Fmt.count(s.reports), Fmt.count(q.count), Fmt.percent(s.coldShare, 2), Fmt.ms(q(0.5)), Fmt.ms(q.max)])
        }
        guard total > 0 else {
            emptyFigure(
                &out, title, "No cold starts were observed (no REPORT line has an Init Duration), so Init Duration cannot be shown.")
            return
        }
        var summary =
            "Init Duration of every cold start (\(Fmt.count(total)) of \(Fmt.count(reports)) invocations, \(Fmt.percent(Double(total) / Double(max(1, reports)), 2))) per memory size, and its median."
        if let ic = model?.coldStart?.initCurve { summary += " Fitted \(ic.form): \(ic.formula)." }
        Chart(
            id: id + "-cold", title: title, summary: summary,
            x: .init("Memory (MB, log scale)", scale: .log2, ticks: memoryTicks, format: .memory), y: .init("Init Duration (ms)"),
            series: [.init("cold starts", color: 3, .points(points)), .init("median Init Duration", color: 3, .line(med))],
            table: DataTable(
                headers: ["memory (MB)", "invocations", "cold starts", "cold-start share", "Init p50", "Init max"],
                rows: rows, numeric: Set(0..<6))
        )
        .render(into: &out)
    }

    // MARK: Memory used

    func memoryChart(into out: inout String) {
        let title = "Max Memory Used vs the limit"
        guard let run, !sizes.isEmpty else {
            emptyFigure(&out, title, "No REPORT lines were found for this function.")
            return
        }
        var limit: [Chart.Point] = []
        var p50: [Chart.Point] = []
        var mx: [Chart.Point] = []
        var rows: [[String]] = []
        for m in sizes {
            guard let s = run.byMemory[m] else { continue }
            let q = Quantiles(sorted: s.maxMemory)
            limit.append(.init(Double(m), Double(m)))
            if !q.isEmpty {
                p50.append(.init(Double(m), q(0.5)))
                mx.append(.init(Double(m), q.max))
            }
            rows.append([
                String(m), Fmt.count(q.count), Fmt.fixed(q(0.5), 0), Fmt.fixed(q.max, 0),
                q.isEmpty ? "–" : Fmt.percent(q.max / Double(m), 0),
            ])
        }
        guard !p50.isEmpty else {
            emptyFigure(&out, title, "No REPORT line states Max Memory Used.")
            return
        }
        var summary = "Max Memory Used (median and maximum) per memory size against the configured limit (dashed)."
        if let mm = model?.memory {
            summary +=
                " Memory model: needs about \(Fmt.fixed(mm.requiredMB, 0)) MB with margin; smallest safe size \(mm.minimumSafeMB.map { "\($0) MB" } ?? "unknown")"
                + (mm.oomAtMB.map { "; out of memory at \($0) MB" } ?? "") + "."
        }
        let lo = min(p50.map(\.y).min() ?? 64, 64)
        let yTicks = Chart.powersOfTwo(lo, Double(sizes.last ?? 128))
        Chart(
            id: id + "-memory", title: title, summary: summary,
            x: .init("Memory (MB, log scale)", scale: .log2, ticks: memoryTicks, format: .memory),
            y: .init("Memory (MB, log scale)", scale: .log2, ticks: yTicks, format: .memory),
            series: [
                .init("limit (configured memory)", color: 4, .line(limit, dashed: true)),
                .init("Max Memory Used p50", color: 0, .line(p50)), .init("Max Memory Used max", color: 1, .line(mx)),
            ],
            table: DataTable(
                headers: ["memory (MB)", "reports", "used p50 (MB)", "used max (MB)", "max / limit"], rows: rows, numeric: Set(0..<5))
        )
        .render(into: &out)
    }

    // MARK: Errors

    func errorsChart(into out: inout String) {
        let title = "Errors, timeouts and out-of-memory per memory size"
        // Every size with calls, even when none produced a REPORT line (all throttled, say).
        guard let run, case let sizes = run.memorySizes, !sizes.isEmpty else {
            emptyFigure(&out, title, "No calls or REPORT lines were found for this function.")
            return
        }
        let kinds: [(String, Int, (MemoryStats) -> Int)] = [
            ("error", 4, { $0.statuses[.error] ?? 0 }), ("timeout", 1, { $0.statuses[.timeout] ?? 0 }),
            ("oom", 3, { $0.statuses[.oom] ?? 0 }),
            ("client errors", 5, { $0.clientErrors.filter { $0.key != "not_sent" }.values.reduce(0, +) }),
        ]
        var series: [Chart.Series] = []
        for (k, kind) in kinds.enumerated() {
            let bars = sizes.enumerated().map { (i, m) -> (x0: Double, x1: Double, y: Double) in
                let v = run.byMemory[m].map(kind.2) ?? 0
                return (x0: Double(i) + 0.1 + Double(k) * 0.2, x1: Double(i) + 0.3 + Double(k) * 0.2, y: Double(v))
            }
            series.append(.init(kind.0, color: kind.1, .bars(bars)))
        }
        var total = 0
        let rows = sizes.map { m -> [String] in
            let s = run.byMemory[m]
            let counts = kinds.map { k in s.map(k.2) ?? 0 }
            total += counts.reduce(0, +)
            return [String(m), Fmt.count(s?.calls ?? 0), Fmt.count(s?.reports ?? 0)] + counts.map(Fmt.count)
        }
        Chart(
            id: id + "-errors", title: title,
            summary: total == 0
                ? "No errors, timeouts, out-of-memory kills or client errors at any memory size."
                : "REPORT status error, timeout and out-of-memory, and client-side failures (throttles, timeouts, transport, HTTP), per memory size: \(Fmt.count(total)) in all.",
            x: .init("Memory (MB)", categories: sizes.map(String.init)), y: .init("Invocations"), series: series,
            table: DataTable(
                headers: ["memory (MB)", "calls", "reports", "error", "timeout", "oom", "client errors"], rows: rows, numeric: Set(0..<7))
        )
        .render(into: &out, footer: total == 0 ? "<p class=\"muted\">No errors, timeouts or OOMs at any size.</p>\n" : "")
    }
}

extension FunctionSection {
    /// What a recommendation's duration is: measured at that size, or modelled.
    static func durationLabel(_ source: String?) -> String {
        switch source {
        case "measured": "mean duration (measured, 10%-trimmed)"
        case "extrapolated": "mean duration (extrapolated)"
        case "modelled": "mean duration (modelled)"
        default: "mean duration"
        }
    }

    static func sourceSentence(_ source: String?) -> String {
        switch source {
        case "measured": "Its cost comes from the Billed Duration measured at this size."
        case "modelled": "This size was not measured: its figures are modelled between the measured sizes."
        case "extrapolated": "This size lies outside the measured sizes: its figures are extrapolated."
        default: ""
        }
    }

    /// What the model says about the function as a whole, in the report's words.
    static func modelStatements(_ model: FunctionModel) -> [String] {
        var out: [String] = []
        if let sizes = model.measuredSizes, !sizes.isEmpty {
            out.append("Measured sizes: " + sizes.map { "\($0) MB" }.joined(separator: ", ") + ".")
        }
        if model.durationDependsOnMemory == false {
            out.append("Duration does not depend on memory here (the flat form was chosen): the smallest memory-safe size is the cheapest.")
        }
        if model.modelFillsBetween == false {
            let e = model.runtime?.interiorLooMape ?? model.runtime?.looMape
            out.append(
                "Recommended among the measured sizes only: "
                    + (e.map {
                        "no form predicts left-out sizes well enough (nested error \(Fmt.fixed($0, 1))%, threshold \(Fmt.fixed(model.fillThresholdPct ?? 10, 0))%)."
                    } ?? "too few sizes to check the model on sizes it did not see."))
        }
        if model.runtime?.invocations == "cold" {
            out.append("Modelled from cold invocations' Duration (too few warm invocations); costs include their Init Duration as billed.")
        }
        if let n = model.memoryMismatches {
            out.append(
                "\(n) invocation(s) ran at a memory size other than their phase configured; they are shown at the size Lambda reported.")
        }
        return out
    }
}
