import Foundation
import RecordSchema
import TestSupport
import Testing

@testable import Planning

/// Trace-driven arrivals (docs/workload.md, "Traces"), on the shipped excerpts in data/traces/.
@Suite struct TraceTests {
    static let data = PackageRoot.path + "/data"

    static func traceSchedule(_ trace: String, duration: Double, seed: UInt64 = 7, generator: Generator = .rightsize) throws -> Schedule {
        let json = """
            {"test_name": "t", "test_duration_in_seconds": \(duration), "random_seed": \(seed),
             "instances": {"a": {"application": "f", "trace": {\(trace)}}}}
            """
        return try schedule(json, generator: generator, directory: data)
    }

    /// Calls per interval of `length` seconds over [0, n x length).
    static func perInterval(_ times: [Double], length: Double, count n: Int) -> [Int] {
        var bins = [Int](repeating: 0, count: n)
        for t in times { bins[min(n - 1, Int(t / length))] += 1 }
        return bins
    }

    /// The counts per minute of the 24-hour CloudWatch export, read independently (Foundation's JSON).
    static func cloudWatchMinutes() throws -> [Double] {
        let url = URL(fileURLWithPath: data + "/traces/cloudwatch-get-metric-data.synthetic.json")
        let root = try JSONSerialization.jsonObject(with: Data(contentsOf: url)) as! [String: Any]
        let result = (root["MetricDataResults"] as! [[String: Any]])[0]
        let stamps = result["Timestamps"] as! [String]
        let values = result["Values"] as! [Double]
        let formatter = ISO8601DateFormatter()
        let origin = formatter.date(from: "2024-03-01T00:00:00Z")!.timeIntervalSince1970
        var minutes = [Double](repeating: 0, count: 1440)
        for (s, v) in zip(stamps, values) {
            let t = formatter.date(from: s)!.timeIntervalSince1970
            minutes[Int((t - origin) / 60)] = v
        }
        return minutes
    }

    /// Must be shown: 24 h of 1-minute Sums compressed to 10 minutes at 10 %: the calls in each
    /// interval match the trace x 0.1 within Poisson noise (chi-square, alpha = 0.01).
    @Test func cloudWatchDayCompressedToTenMinutesAtTenPercent() throws {
        let trace =
            #""format": "cloudwatch", "file": "traces/cloudwatch-get-metric-data.synthetic.json", "period_s": 60, "time_scale": 144, "rate_scale": 0.1"#
        let s = try Self.traceSchedule(trace, duration: 600, seed: 20240301)
        let minutes = try Self.cloudWatchMinutes()
        // The trace's first datapoint is the origin: the first minute with calls.
        let first = minutes.firstIndex { $0 > 0 }!
        let expected = minutes[first...].map { $0 * 0.1 }
        let observed = Self.perInterval(times(s, instance: "a"), length: 60.0 / 144, count: expected.count)
        // Pool neighbouring intervals until each expects at least 5 calls (the usual rule for chi-square).
        var pooled: [(o: Double, e: Double)] = []
        var o = 0.0
        var e = 0.0
        for (k, x) in expected.enumerated() {
            o += Double(observed[k])
            e += x
            if e >= 5 {
                pooled.append((o, e))
                (o, e) = (0, 0)
            }
        }
        if e > 0 {
            pooled[pooled.count - 1].o += o
            pooled[pooled.count - 1].e += e
        }
        let chiSquare = pooled.reduce(0) { $0 + ($1.o - $1.e) * ($1.o - $1.e) / $1.e }
        let df = Double(pooled.count)
        let critical = Self.chiSquareQuantile(0.99, df: df)
        print(
            "cloudwatch 24 h -> 600 s at 10%: \(observed.reduce(0, +)) calls for \(expected.reduce(0, +)) expected, chi-square \(chiSquare) on \(Int(df)) pooled intervals, critical value \(critical) (alpha 0.01)"
        )
        #expect(chiSquare < critical)
        #expect(observed.reduce(0, +) > 0)
        // Every call lies inside the run, in order.
        let t = times(s, instance: "a")
        #expect(t == t.sorted() && t.allSatisfy { $0 >= 0 && $0 < 600 })
    }

    /// Wilson-Hilferty: the chi-square quantile from the normal one (accurate to < 0.1 % for df > 30).
    static func chiSquareQuantile(_ p: Double, df: Double) -> Double {
        let z = p == 0.99 ? 2.326347874040841 : 1.6448536269514722
        let a = 2 / (9 * df)
        return df * pow(1 - a + z * a.squareRoot(), 3)
    }

    /// rate_scale 1 and even placement replay exactly the trace's counts, interval by interval.
    @Test func evenPlacementReplaysCountsExactly() throws {
        let trace =
            #""format": "cloudwatch", "file": "traces/cloudwatch-get-metric-data.synthetic.json", "period_s": 60, "time_scale": 60, "placement": "even""#
        let s = try Self.traceSchedule(trace, duration: 1440)
        let minutes = try Self.cloudWatchMinutes()
        let first = minutes.firstIndex { $0 > 0 }!
        let expected = minutes[first...].map { Int($0) }
        let observed = Self.perInterval(times(s, instance: "a"), length: 1, count: expected.count)
        #expect(observed == expected)
    }

    /// get-metric-statistics answers come in no order; they are sorted, and Poisson placement with
    /// rate_scale 1 keeps each interval's count exactly.
    @Test func metricStatisticsAreSortedAndCountsKept() throws {
        let trace = #""format": "cloudwatch", "file": "traces/cloudwatch-get-metric-statistics.synthetic.json""#
        let s = try Self.traceSchedule(trace, duration: 7200)
        let url = URL(fileURLWithPath: Self.data + "/traces/cloudwatch-get-metric-statistics.synthetic.json")
        let root = try JSONSerialization.jsonObject(with: Data(contentsOf: url)) as! [String: Any]
        let formatter = ISO8601DateFormatter()
        let points = (root["Datapoints"] as! [[String: Any]]).map {
            (formatter.date(from: $0["Timestamp"] as! String)!.timeIntervalSince1970, Int($0["Sum"] as! Double))
        }.sorted { $0.0 < $1.0 }
        let origin = points[0].0
        var expected = [Int](repeating: 0, count: Int((points.last!.0 - origin) / 300) + 1)
        for (t, n) in points { expected[Int((t - origin) / 300)] = n }
        guard case .trace(let t) = s.workload.instances[0].arrivals else {
            Issue.record("not a trace")
            return
        }
        #expect(t.periodS == 300)  // the smallest gap between datapoints
        #expect(Self.perInterval(times(s, instance: "a"), length: 300, count: expected.count) == expected)
    }

    /// Azure 2019: the selected row's minutes [first, last], each minute one interval.
    @Test func azure2019MinuteRange() throws {
        let file = Self.data + "/traces/invocations_per_function_md.anon.d01.synthetic.csv"
        let rows = try String(contentsOfFile: file, encoding: .utf8).split(separator: "\n").map { $0.split(separator: ",") }
        let row = rows[1]
        let function = String(row[2])
        let counts = row[4...].map { Int($0)! }
        let trace =
            #""format": "azure2019", "file": "traces/invocations_per_function_md.anon.d01.synthetic.csv", "function": "\#(function)", "minutes": [61, 180], "time_scale": 60"#
        let s = try Self.traceSchedule(trace, duration: 120)
        #expect(Self.perInterval(times(s, instance: "a"), length: 1, count: 120) == Array(counts[60..<180]))
        // The same row chosen with its app gives the same times.
        let withApp = try Self.traceSchedule(
            trace + #", "app": "\#(row[1])""#, duration: 120)
        #expect(times(withApp, instance: "a") == times(s, instance: "a"))
    }

    /// Azure 2021: arrivals are end_timestamp - duration, sorted; range_s and time_scale apply.
    @Test func azure2021ArrivalsAreEndMinusDuration() throws {
        let file = Self.data + "/traces/AzureFunctionsInvocationTrace2021.synthetic.csv"
        let rows = try String(contentsOfFile: file, encoding: .utf8).split(separator: "\n").dropFirst().map { $0.split(separator: ",") }
        let function = String(rows[0][1])
        let arrivals = rows.filter { $0[1] == function }.map { Double($0[2])! - Double($0[3])! }.sorted()
        let trace =
            #""format": "azure2021", "file": "traces/AzureFunctionsInvocationTrace2021.synthetic.csv", "function": "\#(function)", "range_s": [100, 700], "time_scale": 2"#
        let s = try Self.traceSchedule(trace, duration: 300)
        let expected = arrivals.filter { $0 >= 100 && $0 < 700 }.map { ($0 - 100) / 2 }
        #expect(times(s, instance: "a") == expected)
        #expect(!expected.isEmpty)
    }

    /// Plain CSV of timestamps: the first row is the origin; thinning keeps a seeded subset.
    @Test func timestampsAndThinning() throws {
        let file = Self.data + "/traces/timestamps.synthetic.csv"
        let stamps = try String(contentsOfFile: file, encoding: .utf8).split(separator: "\n").dropFirst().map { Double($0)! }
        let all = try Self.traceSchedule(#""format": "csv", "file": "traces/timestamps.synthetic.csv""#, duration: 10_000)
        #expect(times(all, instance: "a") == stamps.map { $0 - stamps[0] })
        let half = try Self.traceSchedule(
            #""format": "csv", "file": "traces/timestamps.synthetic.csv", "rate_scale": 0.5"#, duration: 10_000)
        let kept = times(half, instance: "a")
        #expect(Set(kept).isSubset(of: Set(times(all, instance: "a"))))
        let n = Double(stamps.count)
        #expect(abs(Double(kept.count) - n / 2) < 4 * (n / 4).squareRoot())  // binomial, 4 standard deviations
        #expect(
            kept
                == times(
                    try Self.traceSchedule(
                        #""format": "csv", "file": "traces/timestamps.synthetic.csv", "rate_scale": 0.5"#, duration: 10_000), instance: "a")
        )
        let otherSeed = try Self.traceSchedule(
            #""format": "csv", "file": "traces/timestamps.synthetic.csv", "rate_scale": 0.5"#, duration: 10_000, seed: 8)
        #expect(times(otherSeed, instance: "a") != kept)
    }

    /// (time, count) rows with ISO times; even placement puts call j of k at (j + 0.5) / k of the interval.
    @Test func csvCountsEvenPlacement() throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        try dir.write("c.csv", "time,count\n2024-03-01T10:00:00Z,2\n2024-03-01T10:01:00Z,0\n2024-03-01T10:03:00Z,4\n")
        let json =
            #"{"test_name": "t", "test_duration_in_seconds": 200, "random_seed": 1, "instances": {"a": {"application": "f", "trace": {"format": "csv", "file": "c.csv", "placement": "even", "time_scale": 2}}}}"#
        let s = try schedule(json, directory: dir.path)
        // period = the smallest gap, 60 s; in run time 30 s per interval.
        let expected: [Double] = [7.5, 22.5, 93.75, 101.25, 108.75, 116.25]
        #expect(times(s, instance: "a") == expected)
    }

    /// Poisson placement: every call inside its interval, k per interval, and the same times in
    /// every phase and under --compat faasprofiler (a trace is replayed, not generated).
    @Test func poissonPlacementStaysInsideItsInterval() throws {
        let trace = #""format": "csv", "file": "traces/counts.synthetic.csv", "time_scale": 60"#
        let s = try Self.traceSchedule(trace, duration: 60)
        let rows = try String(contentsOfFile: Self.data + "/traces/counts.synthetic.csv", encoding: .utf8)
            .split(separator: "\n").dropFirst().map { Int($0.split(separator: ",")[1])! }
        #expect(Self.perInterval(times(s, instance: "a"), length: 1, count: 60) == rows)
        let compat = try Self.traceSchedule(trace, duration: 60, generator: .faasprofiler)
        #expect(times(compat, instance: "a") == times(s, instance: "a"))
        var cursor = s.makeCursor()
        while let c = cursor.next() { #expect(c.phase == 0) }
    }

    /// The run header names each trace file with its SHA-256 and interval; it reads back.
    @Test func headerRecordsTheTrace() throws {
        let result = try Tools.run("plan", [Self.data + "/trace-csv.json"])
        #expect(result.status == 0, "\(result.stderr)")
        let header = try #require(try runHeader(result.stdout))
        #expect(header.traces.map(\.instance) == ["counts", "timestamps"])
        let counts = header.traces[0]
        #expect(counts.format == "csv" && counts.file == "traces/counts.synthetic.csv" && counts.intervalS == 1)
        let bytes = try Data(contentsOf: URL(fileURLWithPath: Self.data + "/traces/counts.synthetic.csv"))
        #expect(counts.sha256 == PlanCommandTests.sha256Hex(bytes))
        #expect(header.traces[1].intervalS == nil)
        #expect(header.scheduled == (try scheduledCalls(result.stdout)).count)
        // A warning says the timestamps trace is longer than the run.
        #expect(result.stderr.contains("instances.timestamps.trace") && result.stderr.contains("cut"))
    }

    /// Every shipped trace workload plans.
    @Test(arguments: ["trace-azure2019.json", "trace-azure2021.json", "trace-cloudwatch.json", "trace-csv.json"])
    func shippedTraceWorkloadsPlan(_ name: String) throws {
        let result = try Tools.run("plan", [Self.data + "/" + name])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(try scheduledCalls(result.stdout).count > 100)
    }
}
