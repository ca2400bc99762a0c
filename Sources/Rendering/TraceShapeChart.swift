import RecordSchema

/// "Trace shape": for each instance that replays a trace (the run header's `traces`), calls
/// per trace interval — scheduled, sent, and cold starts — summed over the phases, so bursts,
/// quiet periods and the cold starts after them line up on one time axis.
extension RunSection {
    /// At most this many bins: longer traces are drawn with several intervals per bin.
    static let traceBins = 240

    func traceShapeCharts(into out: inout String) {
        guard let h = data.header else { return }
        let settings = WorkloadView(h.workload).settings
        let duration = settings.first { $0.key == "test_duration_in_seconds" }.flatMap { Double($0.value) } ?? 0
        for trace in h.traces {
            guard let timeline = data.instances[trace.instance] else { continue }
            let span = max(duration, timeline.atS.max() ?? 0)
            let interval = trace.intervalS ?? max(span / 60, 1e-3)
            let perBin = max(1, Int((span / interval / Double(Self.traceBins)).rounded(.up)))
            let width = interval * Double(perBin)
            let count = max(1, Int((span / width).rounded(.up)))
            func histogram(_ ts: [Double]) -> [Double] {
                var bins = [Double](repeating: 0, count: count)
                for t in ts { bins[min(count - 1, max(0, Int(t / width)))] += 1 }
                return bins
            }
            let scheduled = histogram(timeline.atS)
            let sent = histogram(timeline.sentAtS)
            let cold = histogram(data.coldStartAtS[trace.instance] ?? [])
            let xs = (0..<count).map { (Double($0) + 0.5) * width }
            let phases = h.memorySizes.count
            var rows: [[String]] = []
            for b in 0..<count {
                let from = Fmt.fixed(Double(b) * width, 2)
                let to = Fmt.fixed(Double(b + 1) * width, 2)
                let figures: [String] = [scheduled[b], sent[b], cold[b]].map { Fmt.count(Int($0)) }
                rows.append([from + "–" + to] + figures)
            }
            let binText =
                perBin == 1 ? "one trace interval (\(Fmt.sig(interval, 3)) s)" : "\(perBin) trace intervals (\(Fmt.sig(width, 3)) s)"
            Chart(
                id: "run-trace-\(HTML.escape(trace.instance))", title: "Trace shape: \(trace.instance)",
                summary:
                    "Calls of instance \(trace.instance), replayed from \(trace.format) trace \(trace.file) (sha256 \(trace.sha256.prefix(12))…), per bin of \(binText) of each phase, summed over \(phases) phase\(phases == 1 ? "" : "s"): scheduled (wide, pale), sent (solid) and cold starts (bars, from the REPORT lines' Init Duration). \(Fmt.count(timeline.sentAtS.count)) of \(Fmt.count(timeline.atS.count)) sent; \(Fmt.count(Int(cold.reduce(0, +)))) cold starts.",
                x: .init("Time since the phase's start (s)"), y: .init("Calls per bin"),
                series: [
                    .init(
                        "cold starts", color: 3,
                        .bars((0..<count).map { (x0: Double($0) * width, x1: Double($0 + 1) * width, y: cold[$0]) })),
                    .init("scheduled", color: 0, .trace(zip(xs, scheduled).map { Chart.Point($0, $1) })),
                    .init("sent", color: 0, .line(zip(xs, sent).map { Chart.Point($0, $1) })),
                ],
                table: DataTable(headers: ["time in phase (s)", "scheduled", "sent", "cold starts"], rows: rows, numeric: [1, 2, 3])
            )
            .render(into: &out)
        }
    }
}
