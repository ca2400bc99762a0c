import OrderStatistics
import RecordSchema

/// The experiments of the run (docs/report.md, "Experiments"): closed loops and ramps step by
/// step, cold-start lifetime sweeps, and the response fields the functions reported.
struct ExperimentsSection {
    let experiments: Experiments
    let responseFields: [ResponseFieldSummary]

    var isEmpty: Bool { experiments.isEmpty && responseFields.isEmpty }

    func render(into out: inout String) {
        guard !isEmpty else { return }
        out += "<section class=\"experiments\" id=\"experiments\">\n<h2>Experiments</h2>\n"
        let byInstance = Dictionary(grouping: experiments.ordered, by: \.instance)
        for instance in byInstance.keys.sorted() {
            let loops = byInstance[instance]!
            out += "<h3>Instance \(HTML.escape(instance))</h3>\n"
            stepTable(instance, loops, into: &out)
            if loops.contains(where: { $0.steps.count > 1 }) { rampCharts(instance, loops, into: &out) }
            if loops.contains(where: { !$0.gaps.isEmpty }) { idleChart(instance, loops, into: &out) }
        }
        responseFieldTables(into: &out)
        out += "</section>\n"
    }

    static func percentile(_ values: [Double], _ q: Double) -> String {
        values.isEmpty ? "–" : Fmt.ms(Quantiles(values)(q))
    }

    func stepTable(_ instance: String, _ loops: [Experiments.Loop], into out: inout String) {
        let headers = [
            "Memory (MB)", "Step", "Concurrency", "Calls", "OK", "Throttled (429)", "Errors", "Cold starts", "Environments",
            "Throughput (OK calls/s)", "Latency p50", "p95", "p99",
        ]
        var rows: [[String]] = []
        for loop in loops {
            for step in loop.steps.keys.sorted() {
                let s = loop.steps[step]!
                rows.append([
                    String(loop.memoryMB), String(step), String(s.concurrency), Fmt.count(s.calls), Fmt.count(s.ok),
                    Fmt.count(s.throttled), Fmt.count(s.errors), Fmt.count(s.cold), Fmt.count(s.logStreams.count),
                    s.throughput.map { Fmt.sig($0, 3) } ?? "–", Self.percentile(s.latenciesMs, 0.5),
                    Self.percentile(s.latenciesMs, 0.95), Self.percentile(s.latenciesMs, 0.99),
                ])
            }
        }
        out += "<p>A closed loop: each step keeps its concurrency in flight, a slot sending its next call when the previous one ended. "
        out += "Environments are the distinct log streams of the step's calls (one per execution environment).</p>\n"
        DataTable(headers: headers, rows: rows, numeric: Set(0..<headers.count)).render(
            into: &out, caption: "Closed loop of \(instance), step by step", collapsed: false)
    }

    func rampCharts(_ instance: String, _ loops: [Experiments.Loop], into out: inout String) {
        let levels = Set(loops.flatMap { $0.steps.values.map { Double($0.concurrency) } }).sorted()
        func series(_ value: (Experiments.StepStats) -> Double?) -> [Chart.Series] {
            loops.enumerated().map { k, loop in
                let points = loop.steps.keys.sorted().compactMap { step -> Chart.Point? in
                    let s = loop.steps[step]!
                    return value(s).map { Chart.Point(Double(s.concurrency), $0) }
                }
                return Chart.Series("\(loop.memoryMB) MB", color: k % 6, .line(points))
            }
        }
        let x = Chart.Axis(
            "Concurrency (calls in flight)", scale: levels.count > 2 && levels.last! / levels.first! >= 4 ? .log2 : .linear, ticks: levels)
        let rows = loops.flatMap { loop in
            loop.steps.keys.sorted().map { step -> [String] in
                let s = loop.steps[step]!
                return [
                    String(loop.memoryMB), String(s.concurrency), s.throughput.map { Fmt.sig($0, 3) } ?? "–",
                    Fmt.count(s.logStreams.count), Fmt.count(s.throttled), Fmt.count(s.cold),
                ]
            }
        }
        let table = DataTable(
            headers: ["Memory (MB)", "Concurrency", "Throughput (OK calls/s)", "Environments", "Throttled", "Cold starts"], rows: rows,
            numeric: Set(0..<6))
        Chart(
            id: HTML.anchor("ramp-throughput", instance), title: "Scale-up of \(instance): throughput by concurrency",
            summary: "Calls answered OK per second at each step of the ramp, per memory size (throttled calls do not count).", x: x,
            y: .init("OK calls per second"),
            series: series { $0.throughput }, table: table
        ).render(into: &out)
        var environments = series { Double($0.logStreams.count) }
        environments += loops.enumerated().map { k, loop in
            Chart.Series(
                "\(loop.memoryMB) MB throttled", color: k % 6,
                .line(
                    loop.steps.keys.sorted().map { Chart.Point(Double(loop.steps[$0]!.concurrency), Double(loop.steps[$0]!.throttled)) },
                    dashed: true))
        }
        Chart(
            id: HTML.anchor("ramp-environments", instance), title: "Scale-up of \(instance): environments and throttles",
            summary: "Execution environments in use (distinct log streams, solid) and throttled calls (dashed) at each step.",
            x: x, y: .init("Count"), series: environments, table: table
        ).render(into: &out)
    }

    func idleChart(_ instance: String, _ loops: [Experiments.Loop], into out: inout String) {
        var series: [Chart.Series] = []
        var rows: [[String]] = []
        for (k, loop) in loops.enumerated() where !loop.gaps.isEmpty {
            let gaps = loop.gaps.keys.sorted()
            var lower: [Chart.Point] = []
            var upper: [Chart.Point] = []
            var shares: [Chart.Point] = []
            for gap in gaps {
                let g = loop.gaps[gap]!
                guard let ci = BinomialInterval.wilson(g.cold, of: g.calls) else { continue }
                let p = Double(g.cold) / Double(g.calls)
                lower.append(.init(gap, ci.lower))
                upper.append(.init(gap, ci.upper))
                shares.append(.init(gap, p))
                rows.append([
                    String(loop.memoryMB), Fmt.sig(gap, 4), Fmt.count(g.calls), Fmt.count(g.cold), Fmt.percent(p, 0),
                    "\(Fmt.percent(ci.lower, 0)) – \(Fmt.percent(ci.upper, 0))",
                ])
            }
            series.append(Chart.Series("\(loop.memoryMB) MB, 95% interval", color: k % 6, .band(lower: lower, upper: upper)))
            series.append(Chart.Series("\(loop.memoryMB) MB", color: k % 6, .line(shares)))
        }
        Chart(
            id: HTML.anchor("idle", instance), title: "Cold-start lifetime of \(instance): P(cold) by idle time",
            summary: "The share of calls that were cold starts after each idle gap, with a 95% Wilson interval.",
            x: .init("Idle time before the call (s)"), y: .init("P(cold start)", format: .percent), series: series,
            table: DataTable(
                headers: ["Memory (MB)", "Idle (s)", "Calls", "Cold", "P(cold)", "95% interval"], rows: rows, numeric: Set(0..<4))
        ).render(into: &out)
    }

    func responseFieldTables(into out: inout String) {
        guard !responseFields.isEmpty else { return }
        out +=
            "<h3>Response fields</h3>\n<p>Fields of the functions' own responses (the workload's <code>response_fields</code>), per memory size. "
        out += "Distinct values of an identity field count the environments (or hosts) that served.</p>\n"
        let byFunction = Dictionary(grouping: responseFields, by: \.function)
        for function in byFunction.keys.sorted() {
            let fields = byFunction[function]!
            let rows = fields.map { f -> [String] in
                [
                    f.pointer, String(f.memoryMB), Fmt.count(f.n), Fmt.count(f.missing), Fmt.count(f.distinct),
                    f.mean.map { Fmt.sig($0, 4) } ?? "–", f.p50.map { Fmt.sig($0, 4) } ?? "–", f.p95.map { Fmt.sig($0, 4) } ?? "–",
                ]
            }
            DataTable(
                headers: ["Field", "Memory (MB)", "Values", "Missing", "Distinct", "Mean", "p50", "p95"], rows: rows, numeric: Set(1..<8)
            ).render(into: &out, caption: "Response fields of \(function)", collapsed: false)
            for pointer in Set(fields.map(\.pointer)).sorted() {
                let numeric = fields.filter { $0.pointer == pointer && $0.mean != nil }.sorted { $0.memoryMB < $1.memoryMB }
                guard numeric.count > 1 else { continue }
                let sizes = numeric.map { Double($0.memoryMB) }
                Chart(
                    id: HTML.anchor("field-\(function)", pointer), title: "\(function) \(pointer) by memory size",
                    summary: "Mean of the function's reported \(pointer) at each memory size, with the p50 dashed.",
                    x: .init("Memory (MB)", scale: .log2, ticks: sizes, format: .memory), y: .init(pointer),
                    series: [
                        .init("mean", color: 0, .line(numeric.map { .init(Double($0.memoryMB), $0.mean!) })),
                        .init(
                            "p50", color: 1, .line(numeric.compactMap { f in f.p50.map { .init(Double(f.memoryMB), $0) } }, dashed: true)),
                    ],
                    table: DataTable(
                        headers: ["Memory (MB)", "Mean", "p50", "p95"],
                        rows: numeric.map {
                            [
                                String($0.memoryMB), Fmt.sig($0.mean!, 4), $0.p50.map { Fmt.sig($0, 4) } ?? "–",
                                $0.p95.map { Fmt.sig($0, 4) } ?? "–",
                            ]
                        },
                        numeric: Set(0..<4))
                ).render(into: &out)
            }
        }
    }
}
