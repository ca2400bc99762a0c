import OrderStatistics
import RecordSchema

/// "The run": how the measurements were made and how faithful the run was to its plan.
struct RunSection {
    let data: RunData
    let inputs: [InputFile]

    func render(into out: inout String) {
        out += "<section class=\"run\" id=\"run\">\n<h2>The run</h2>\n"
        workload(into: &out)
        out += "<h3>Schedule adherence and client view</h3>\n"
        if !data.callsFromInvocations {
            note(
                &out,
                "No invocations file was given: call-level figures below cover only calls that produced a REPORT line (throttled, failed and unsent calls are invisible). Pass invocations.ndjson for the full picture."
            )
        }
        out += "<div class=\"grid2\">\n"
        adherenceChart(into: &out)
        traceShapeCharts(into: &out)
        lagChart(into: &out)
        latencyChart(into: &out)
        outcomesChart(into: &out)
        out += "</div>\n"
        logWait(into: &out)
        provenance(into: &out)
        rerun(into: &out)
        out += "</section>\n"
    }

    // MARK: Workload

    func workload(into out: inout String) {
        out += "<h3>Workload</h3>\n"
        guard let h = data.header else {
            note(&out, "The logs have no run header, so the workload, seed and tools are unknown.")
            return
        }
        let w = WorkloadView(h.workload)
        var rows: [[String]] = [
            ["run", h.run], ["seed", String(h.seed) + (h.seedGenerated ? " (generated: the workload had no random_seed)" : "")],
            ["memory sizes (MB)", h.memorySizes.map(String.init).joined(separator: ", ")],
            ["scheduled calls", Fmt.count(h.scheduled)], ["generator", h.generator],
        ]
        for (k, v) in w.settings where k != "memory_sizes" { rows.append([k, v]) }
        DataTable(headers: ["setting", "value"], rows: rows).render(into: &out, caption: nil, collapsed: false)
        if !w.instances.isEmpty {
            let cols = [
                "application", "distribution", "rate", "activity_window", "interarrivals_list", "interarrival_list", "trace", "payload",
                "host",
                "stage", "resource", "invocation_type",
            ]
            let used = cols.filter { c in w.instances.contains { $0.fields[c] != nil } }
            let rows = w.instances.map { inst in [inst.name] + used.map { inst.fields[$0] ?? "" } }
            DataTable(headers: ["instance"] + used, rows: rows).render(into: &out, caption: "Instances", collapsed: false)
        }
    }

    // MARK: Adherence

    func adherenceChart(into out: inout String) {
        let names = data.instances.keys.sorted()
        let all = data.instances.values.flatMap(\.scheduledUnixMs)
        guard let t0 = all.min(), let t1 = all.max() else {
            emptyFigure(&out, "Achieved vs scheduled calls over time", "No calls were recorded.")
            return
        }
        let span = max(t1 - t0, 1)
        let binCount = min(60, max(1, Int(span / 1000)))
        let binMs = span / Double(binCount)
        let binS = binMs / 1000
        func histogram(_ ts: [Double]) -> [Double] {
            var h = [Double](repeating: 0, count: binCount)
            for t in ts {
                let k = min(binCount - 1, max(0, Int((t - t0) / binMs)))
                h[k] += 1
            }
            return h.map { $0 / binS }
        }
        var series: [Chart.Series] = []
        var columns: [[Double]] = []
        for (k, name) in names.enumerated() {
            let inst = data.instances[name]!
            let sched = histogram(inst.scheduledUnixMs)
            let sent = histogram(inst.sentUnixMs)
            columns.append(sched)
            columns.append(sent)
            let xs = (0..<binCount).map { (Double($0) + 0.5) * binS }
            series.append(.init("\(name) scheduled", color: k % 6, .trace(zip(xs, sched).map { Chart.Point($0, $1) })))
            series.append(.init("\(name) sent", color: k % 6, .line(zip(xs, sent).map { Chart.Point($0, $1) })))
        }
        var rows: [[String]] = []
        for b in 0..<binCount {
            rows.append([Fmt.fixed(Double(b) * binS, 1) + "–" + Fmt.fixed(Double(b + 1) * binS, 1)] + columns.map { Fmt.sig($0[b], 3) })
        }
        let headers = ["time since first scheduled call (s)"] + names.flatMap { ["\($0) scheduled /s", "\($0) sent /s"] }
        let totals = names.map { n -> String in
            let i = data.instances[n]!
            return "\(n): \(Fmt.count(i.sentUnixMs.count)) of \(Fmt.count(i.scheduledUnixMs.count)) sent"
        }.joined(separator: "; ")
        Chart(
            id: "run-adherence", title: "Achieved vs scheduled calls over time",
            summary:
                "Calls per second in \(binCount) time bins of \(Fmt.sig(binS, 3)) s, scheduled (wide, pale) and actually sent (solid), per instance. \(totals).",
            x: .init("Time since the first scheduled call (s)"), y: .init("Calls per second"),
            series: series, table: DataTable(headers: headers, rows: rows, numeric: Set(1..<headers.count))
        )
        .render(into: &out)
    }

    // MARK: Lag

    func lagChart(into out: inout String) {
        let q = Quantiles(sorted: data.calls.lagMs)
        guard !q.isEmpty else {
            emptyFigure(&out, "Send lag distribution", "No call has a recorded send lag.")
            return
        }
        let lo = min(0, q(0))
        let hi = max(q(0.99), lo + 0.001)
        let bins = 30
        let width = (hi - lo) / Double(bins)
        var counts = [Double](repeating: 0, count: bins)
        var over = 0
        for v in q.sorted {
            if v > hi {
                over += 1
                continue
            }
            counts[min(bins - 1, max(0, Int((v - lo) / width)))] += 1
        }
        let bars = (0..<bins).map { (x0: lo + Double($0) * width, x1: lo + Double($0 + 1) * width, y: counts[$0]) }
        var rows = bars.map { [Fmt.sig($0.x0, 3) + " – " + Fmt.sig($0.x1, 3), Fmt.count(Int($0.y))] }
        rows.append(["> " + Fmt.sig(hi, 3) + " (above p99)", Fmt.count(over)])
        Chart(
            id: "run-lag", title: "Send lag distribution",
            summary: "How late each request left compared with its scheduled time, in ms, up to the 99th percentile. "
                + "p50 \(Fmt.ms(q(0.5))), p90 \(Fmt.ms(q(0.9))), p99 \(Fmt.ms(q(0.99))), p99.9 \(Fmt.ms(q(0.999))), max \(Fmt.ms(q.max)) over \(Fmt.count(q.count)) calls.",
            x: .init("Send lag (ms)", includeZero: true), y: .init("Calls"),
            series: [.init("calls", color: 0, .bars(bars))],
            table: DataTable(headers: ["lag bin (ms)", "calls"], rows: rows, numeric: [1])
        )
        .render(
            into: &out,
            footer:
                "<p class=\"muted\">Send lag p50 \(Fmt.ms(q(0.5))), p90 \(Fmt.ms(q(0.9))), p99 \(Fmt.ms(q(0.99))), p99.9 \(Fmt.ms(q(0.999))), max \(Fmt.ms(q.max)).</p>\n"
        )
    }

    // MARK: Client latency

    func latencyChart(into out: inout String) {
        var series: [Chart.Series] = []
        var rows: [[String]] = []
        var sizes: Set<Int> = []
        for (k, name) in data.functions.keys.sorted().enumerated() {
            let f = data.functions[name]!
            var p50: [Chart.Point] = []
            var p99: [Chart.Point] = []
            for m in f.memorySizes {
                let s = f.byMemory[m]!
                let q = Quantiles(sorted: s.latencyMs)
                guard !q.isEmpty else { continue }
                sizes.insert(m)
                let sq = Quantiles(sorted: s.scheduledLatencyMs)
                p50.append(.init(Double(m), q(0.5)))
                p99.append(.init(Double(m), q(0.99)))
                rows.append([name, String(m), Fmt.count(q.count), Fmt.ms(q(0.5)), Fmt.ms(q(0.9)), Fmt.ms(q(0.99)), Fmt.ms(sq(0.99))])
            }
            guard !p50.isEmpty else { continue }
            series.append(.init("\(name) p50", color: k % 6, .line(p50)))
            series.append(.init("\(name) p99", color: k % 6, .line(p99, dashed: true)))
        }
        guard !series.isEmpty else {
            emptyFigure(&out, "Client latency percentiles", "No call has a recorded client latency.")
            return
        }
        Chart(
            id: "run-latency", title: "Client latency percentiles",
            summary: "Round-trip latency seen by the client (response received − sent), p50 and p99 per memory size and function.",
            x: .init("Memory (MB, log scale)", scale: .log2, ticks: sizes.sorted().map(Double.init), format: .memory),
            y: .init("Client latency (ms, log scale)", scale: .log2), series: series,
            table: DataTable(
                headers: ["function", "memory (MB)", "calls", "p50", "p90", "p99", "p99 from scheduled time"],
                rows: rows, numeric: [1, 2, 3, 4, 5, 6])
        )
        .render(into: &out)
    }

    // MARK: Outcomes

    func outcomesChart(into out: inout String) {
        var outcomes = data.calls.errors
        if let s = data.invokeSummary, !s.outcomes.isEmpty { outcomes = s.outcomes }
        let order = ["ok", "throttled", "timeout", "transport", "http", "not_sent"]
        let keys = order.filter { outcomes[$0] != nil } + outcomes.keys.filter { !order.contains($0) }.sorted()
        let total = outcomes.values.reduce(0, +)
        guard total > 0 else {
            emptyFigure(&out, "Call outcomes: throttles and errors", "No call outcomes were recorded.")
            return
        }
        let bars = keys.enumerated().map { (x0: Double($0.offset) + 0.2, x1: Double($0.offset) + 0.8, y: Double(outcomes[$0.element]!)) }
        var rows = keys.map { [$0, Fmt.count(outcomes[$0]!), Fmt.percent(Double(outcomes[$0]!) / Double(total), 2)] }
        rows.append([
            "function errors (X-Amz-Function-Error)", Fmt.count(data.calls.functionErrors),
            Fmt.percent(Double(data.calls.functionErrors) / Double(total), 2),
        ])
        for (status, n) in data.calls.httpStatuses.sorted(by: { $0.key < $1.key }) {
            rows.append(["HTTP \(status)", Fmt.count(n), Fmt.percent(Double(n) / Double(total), 2)])
        }
        let summary = keys.map { "\($0) \(Fmt.count(outcomes[$0]!))" }.joined(separator: ", ")
        Chart(
            id: "run-outcomes", title: "Call outcomes: throttles and errors",
            summary: "Calls by client-side outcome: \(summary) (of \(Fmt.count(total))).",
            x: .init("Outcome", categories: keys), y: .init("Calls"), series: [.init("calls", color: 1, .bars(bars))],
            table: DataTable(headers: ["outcome", "calls", "share"], rows: rows, numeric: [1, 2])
        )
        .render(into: &out)
    }

    // MARK: Log wait

    func logWait(into out: inout String) {
        out += "<h3>Log wait</h3>\n"
        guard !data.logWaits.isEmpty else {
            note(&out, "The logs file has no log-wait summary: whether every REPORT line was found is unknown.")
            return
        }
        for w in data.logWaits where w.timedOut || w.found < w.expected {
            note(
                &out,
                "\(w.function): the wait for logs \(w.timedOut ? "timed out" : "ended") with \(Fmt.count(w.found)) of \(Fmt.count(w.expected)) expected REPORT lines found; figures for this function are based on the lines found."
            )
        }
        let rows = data.logWaits.map { w in
            [
                w.function, w.logGroup, Fmt.count(w.expected), Fmt.count(w.found),
                w.expected > 0 ? Fmt.percent(Double(w.found) / Double(w.expected)) : "–",
                w.timedOut ? "yes" : "no", Fmt.count(w.unmatched), Fmt.count(w.unparseable), Fmt.fixed(w.waitedS, 1), Fmt.count(w.apiCalls),
            ]
        }
        DataTable(
            headers: [
                "function", "log group", "expected", "found", "found share", "timed out", "unmatched", "unparseable", "waited (s)",
                "API calls",
            ],
            rows: rows, numeric: [2, 3, 4, 6, 7, 8, 9]
        ).render(into: &out, caption: nil, collapsed: false)
    }

    // MARK: Provenance

    func provenance(into out: inout String) {
        out += "<h3>Provenance</h3>\n"
        var rows: [[String]] = [["report", "report " + RightsizeVersion.current]]
        if let h = data.header {
            for t in h.tools { rows.append(["stage", t]) }
            rows.append(["workload sha256", h.workloadSHA256])
        }
        for f in inputs {
            rows.append(["input \(f.role)", "\(f.path) — \(Fmt.count(f.bytes)) bytes — sha256 \(f.sha256)"])
        }
        rows.append(["records read", "\(Fmt.count(data.logRecords)) log, \(Fmt.count(data.invocationRecords)) invocation"])
        DataTable(headers: ["item", "value"], rows: rows).render(into: &out, caption: nil, collapsed: false)
    }

    func rerun(into out: inout String) {
        out += "<h3>How to re-run</h3>\n"
        var steps = ""
        if let h = data.header {
            out += "<p>Save the workload below as <code>workload.json</code>"
            if h.seedGenerated { out += " and set <code>\"random_seed\": \(h.seed)</code> in it (the seed was generated)" }
            out += "; the same seed gives the same schedule. Then run the pipeline:</p>\n"
            out += "<details class=\"data\"><summary>workload.json</summary><pre>\(HTML.escape(h.workload.text))</pre></details>\n"
        }
        steps += "plan workload.json -o schedule.ndjson\n"
        steps += "invoke schedule.ndjson -o invocations.ndjson\n"
        steps += "await-logs invocations.ndjson -o logs.ndjson\n"
        steps += "fit logs.ndjson -o models.json\n"
        steps += "report models.json logs.ndjson invocations.ndjson -o report.html\n"
        out += "<pre>\(HTML.escape(steps))</pre>\n"
        out += "<p>Or let make run every stage (skipping finished ones): <code>make -f pipeline.mk WORKLOAD=workload.json</code>.</p>\n"
        out +=
            "<p class=\"muted\">To redraw this report from the same records: <code>report \(inputs.map { HTML.escape($0.path) }.joined(separator: " ")) -o report.html</code> (byte-identical output).</p>\n"
    }
}

/// One input file as provenance: its role, path as given, size and SHA-256.
public struct InputFile: Sendable {
    public var role: String
    public var path: String
    public var bytes: Int
    public var sha256: String
    public init(role: String, path: String, bytes: Int, sha256: String) {
        self.role = role
        self.path = path
        self.bytes = bytes
        self.sha256 = sha256
    }
}

func note(_ out: inout String, _ text: String) { out += noteHTML(text) }

/// A visible note saying what is missing or doubtful (text is escaped here).
func noteHTML(_ text: String) -> String { "<p class=\"note\">\(HTML.escape(text))</p>\n" }

/// A chart slot whose data is missing: the title stays, with a note saying what is missing.
func emptyFigure(_ out: inout String, _ title: String, _ why: String) {
    out +=
        "<figure class=\"chart missing\"><figcaption>\(HTML.escape(title))</figcaption><p class=\"note\">\(HTML.escape(why))</p></figure>\n"
}
