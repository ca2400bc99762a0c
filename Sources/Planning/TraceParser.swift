import Hashing
import JSON
import NDJSONIO
import ToolSupport

/// The `trace` key of an instance (docs/workload.md, "Traces"): read, check and scan the file.
extension WorkloadParser {
    static let traceKeys: Set<String> = [
        "format", "file", "function", "app", "metric_id", "minutes", "range_s", "period_s", "time_scale", "rate_scale",
        "placement",
    ]

    func trace(_ node: JSONNode, path instancePath: String, duration: Double, warnings: inout [String]) throws -> Trace {
        let path = "\(instancePath).trace"
        let fields = try object(node, path)
        warnUnknown(fields, known: Self.traceKeys, ignored: [], into: &warnings)
        let formatNode = try fields.required("format", self)
        guard case .string(let f) = formatNode.value, let format = Trace.Format(rawValue: f) else {
            let names = Trace.Format.allCases.map { "\"\($0.rawValue)\"" }.joined(separator: ", ")
            throw fail(formatNode, "\(path).format", "must be one of \(names), got \(formatNode.text)")
        }
        let fileNode = try fields.required("file", self)
        let traceFile = try string(fileNode, "\(path).file")
        let resolved =
            traceFile.hasPrefix("/") ? traceFile : (baseDirectory.isEmpty ? traceFile : baseDirectory + "/" + traceFile)

        func scale(_ key: String, atMost limit: Double?) throws -> Double {
            guard let n = fields.member(key), !n.isNull else { return 1 }
            let v = try number(n, "\(path).\(key)")
            guard v > 0, v.isFinite else { throw fail(n, "\(path).\(key)", "must be greater than 0, got \(n.text)") }
            if let limit, v > limit {
                throw fail(n, "\(path).\(key)", "is the fraction of calls kept, so at most 1, got \(n.text)")
            }
            return v
        }
        let timeScale = try scale("time_scale", atMost: nil)
        let rateScale = try scale("rate_scale", atMost: 1)
        var placement = Trace.Placement.poisson
        if let n = fields.member("placement"), !n.isNull {
            guard case .string(let s) = n.value, let p = Trace.Placement(rawValue: s) else {
                throw fail(n, "\(path).placement", "must be \"poisson\" or \"even\", got \(n.text)")
            }
            placement = p
        }
        var periodNode = fields.member("period_s")
        if periodNode?.isNull == true { periodNode = nil }
        var period: Double? = nil
        if let n = periodNode {
            let v = try number(n, "\(path).period_s")
            guard v > 0, v.isFinite else { throw fail(n, "\(path).period_s", "must be greater than 0, got \(n.text)") }
            period = v
        }
        let functionNode = fields.member("function").flatMap { $0.isNull ? nil : $0 }
        let app = try fields.member("app").flatMap { $0.isNull ? nil : try string($0, "\(path).app") }
        for (key, formats) in [
            ("function", [Trace.Format.azure2019, .azure2021]), ("app", [.azure2019, .azure2021]),
            ("metric_id", [.cloudwatch]), ("minutes", [.azure2019]), ("period_s", [.cloudwatch, .csv]),
            ("range_s", [.cloudwatch, .azure2021, .csv]),
        ]
        where !formats.contains(format) {
            if let n = fields.member(key), !n.isNull {
                throw fail(n, "\(path).\(key)", "applies to format \(formats.map(\.rawValue).joined(separator: " or ")) only")
            }
        }

        let mapped: MappedFile
        do {
            mapped = try MappedFile(path: resolved)
        } catch let e as InputError {
            throw fail(fileNode, "\(path).file", "cannot read trace file \(resolved): \(e.problem)")
        }
        let sha = SHA256.Incremental()
        mapped.forEachPiece { sha.update($0) }

        // Read the whole trace once: its content, its period and where it ends.
        var content: Trace.Content
        var end: Double
        do {
            switch format {
            case .cloudwatch:
                let series = try CloudWatchTrace.read(
                    Array(mapped.bytes), name: resolved,
                    metricID: try fields.member("metric_id").map { try string($0, "\(path).metric_id") })
                if period == nil {
                    let gaps = zip(series.times.dropFirst(), series.times).map { $0 - $1 }
                    guard let smallest = gaps.min() else {
                        throw fail(fileNode, "\(path).period_s", "missing: one datapoint does not tell the period; give period_s (e.g. 60)")
                    }
                    period = smallest
                }
                try checkSpacing(series.times, period!, periodNode ?? fileNode, "\(path).period_s")
                content = .counts(times: series.times, counts: series.counts)
                end = series.times.last! + period!
            case .azure2019:
                let function = try string(
                    try fields.required("function", self, hint: "the HashFunction of the row to replay"), "\(path).function")
                let lines = TraceLines(file: mapped, name: resolved)
                guard let row = try Azure2019Trace.locate(lines, function: function, app: app) else {
                    throw fail(
                        functionNode!, "\(path).function",
                        "no row of \(resolved) has HashFunction \(function)" + (app.map { " in app \($0)" } ?? ""))
                }
                content = .azureRow(path: resolved, offset: row.offset, line: row.line)
                period = 60
                end = Double(row.minutes) * 60
            case .azure2021:
                let function = try string(try fields.required("function", self, hint: "the func id to replay"), "\(path).function")
                let times = try Azure2021Trace.arrivals(TraceLines(file: mapped, name: resolved), function: function, app: app)
                guard let last = times.last else {
                    throw fail(
                        functionNode!, "\(path).function",
                        "no row of \(resolved) has func \(function)" + (app.map { " in app \($0)" } ?? ""))
                }
                content = .timestamps(times)
                period = nil
                end = last.nextUp  // the window's end is exclusive; the last call is in
            case .csv:
                guard let shape = try CSVTrace.scan(TraceLines(file: mapped, name: resolved)) else {
                    throw fail(fileNode, "\(path).file", "trace file \(resolved) has no rows")
                }
                content = .csvRows(path: resolved, offset: shape.offset, line: shape.line, originS: shape.originS)
                if shape.columns == 2 {
                    if period == nil {
                        guard let gap = shape.smallestGapS else {
                            throw fail(fileNode, "\(path).period_s", "missing: one row does not tell the period; give period_s")
                        }
                        period = gap
                    } else if let gap = shape.smallestGapS, gap < period! {
                        throw fail(
                            periodNode!, "\(path).period_s",
                            "is longer than the smallest gap between rows (\(Self.format(gap)) s): intervals would overlap")
                    }
                    end = shape.lastS + period!
                } else {
                    if let n = periodNode { throw fail(n, "\(path).period_s", "applies to rows of time and count only") }
                    period = nil
                    end = shape.lastS.nextUp
                }
            }
        } catch let e as TraceError {
            throw InputError(file: e.file, line: e.line, field: e.field, problem: e.problem)
        }

        // The part replayed, in trace seconds from the origin.
        var window = Arrivals.Window(start: 0, end: end)
        if format == .azure2019 {
            if let n = fields.member("minutes"), !n.isNull {
                let (a, b) = try pair(n, "\(path).minutes", "[first, last] minute columns")
                guard a == a.rounded(), b == b.rounded(), a <= b else {
                    throw fail(n, "\(path).minutes", "must be whole minutes [first, last] with first <= last, got \(n.text)")
                }
                guard a >= 1, b * 60 <= end else {
                    throw fail(n, "\(path).minutes", "must lie inside the trace's minutes [1, \(Self.format(end / 60))], got \(n.text)")
                }
                window = Arrivals.Window(start: (a - 1) * 60, end: b * 60)
            }
        } else if let n = fields.member("range_s"), !n.isNull {
            let (a, b) = try pair(n, "\(path).range_s", "[start, end] in seconds from the trace's start")
            guard a < b else { throw fail(n, "\(path).range_s", "start must be less than end, got \(n.text)") }
            guard a >= 0, b <= end else {
                throw fail(n, "\(path).range_s", "must lie inside the trace [0, \(Self.format(end))], got \(n.text)")
            }
            window = Arrivals.Window(start: a, end: b)
        }
        let playedS = (window.end - window.start) / timeScale
        if playedS > duration * (1 + 1e-9) {
            warnings.append(
                "\(location(fileNode)): \(path): the trace's \(Self.format(window.end - window.start)) s last \(Self.format(playedS)) s at time_scale \(Self.format(timeScale)), longer than the run's \(Self.format(duration)) s: later calls are cut"
            )
        }
        return Trace(
            format: format, file: traceFile, sha256: sha.finalizeHex(), timeScale: timeScale, rateScale: rateScale,
            placement: placement, window: window, periodS: period, content: content)
    }

    /// Counting intervals must not overlap (datapoints at least a period apart).
    func checkSpacing(_ times: [Double], _ period: Double, _ node: JSONNode, _ field: String) throws {
        for (a, b) in zip(times, times.dropFirst()) where b - a < period * (1 - 1e-9) {
            throw fail(node, field, "datapoints \(Self.format(b - a)) s apart are closer than the period \(Self.format(period)) s")
        }
    }

    func pair(_ node: JSONNode, _ field: String, _ what: String) throws -> (Double, Double) {
        guard case .array(let e) = node.value, e.count == 2, case .number(let a, _) = e[0].value, case .number(let b, _) = e[1].value else {
            throw fail(node, field, "must be two numbers \(what), got \(node.text)")
        }
        return (a, b)
    }

    func location(_ node: JSONNode) -> String { "\(file):\(node.line)" }
}
