import Foundation
import NDJSONIO
import RecordSchema
import SeededRandom
import SyntheticData
import TestSupport
import Testing

@testable import Rendering

/// Runs the real `report` executable on synthetic runs generated here.
@Suite struct ReportTests {
    /// Writes a synthetic run into a fresh directory and renders it; returns the directory and HTML.
    func render(
        _ configure: (inout SyntheticRun) -> Void = { _ in }, invocations: Bool = true,
        edit: ((SyntheticRun.Paths) throws -> Void)? = nil
    ) throws -> (TemporaryDirectory, String, Tools.Result) {
        let dir = try TemporaryDirectory("report-test")
        var run = SyntheticRun()
        run.callsPerSize = 60
        configure(&run)
        let paths = try run.write(to: dir.path)
        try edit?(paths)
        var args = [paths.models, paths.logs]
        if invocations { args.append(paths.invocations) }
        args += ["-o", dir.file("report.html")]
        let result = try Tools.run("report", args)
        let html = (try? dir.read("report.html")) ?? ""
        return (dir, html, result)
    }

    @Test func wellFormedSelfContainedAndDeterministic() throws {
        let (dir, html, result) = try render()
        defer { dir.remove() }
        #expect(result.status == 0, "\(result.stderr)")
        #expect(html.hasPrefix("<!DOCTYPE html>"))
        let check = HTMLChecker(html)
        #expect(check.problems.isEmpty, "\(check.problems.prefix(5))")
        // Nothing is fetched: no scripts, no external src/href/url(), only in-page anchors.
        #expect(check.elementCounts["script"] == nil)
        #expect(check.elementCounts["link"] == nil)
        #expect(check.elementCounts["img"] == nil)
        for url in check.urls { #expect(url.hasPrefix("#"), "external reference: \(url)") }
        #expect(!html.contains("@import"))
        #expect(!html.contains("http://") && !html.contains("https://"))
        #expect(html.contains("prefers-color-scheme:dark") && html.contains("@media print"))

        // Same inputs, same bytes (and the reader can be stdin too).
        let again = dir.file("again.html")
        let second = try Tools.run(
            "report", [dir.file("models.json"), dir.file("logs.ndjson"), dir.file("invocations.ndjson"), "-o", again])
        #expect(second.status == 0)
        #expect(try Data(contentsOf: URL(fileURLWithPath: again)) == Data(contentsOf: URL(fileURLWithPath: dir.file("report.html"))))
        let toStdout = try Tools.run("report", [dir.file("models.json"), dir.file("logs.ndjson"), dir.file("invocations.ndjson")])
        #expect(toStdout.stdout == html)
        // Logs streamed from stdin (not mapped): the same page but for the path shown.
        let fromStdin = try Tools.run(
            "report", [dir.file("models.json"), "-", dir.file("invocations.ndjson")],
            stdin: try dir.read("logs.ndjson"))
        #expect(fromStdin.status == 0, "\(fromStdin.stderr)")
        #expect(
            fromStdin.stdout.replacingOccurrences(of: "<td>- — ", with: "<td>\(dir.file("logs.ndjson")) — ")
                .replacingOccurrences(
                    of: "\(dir.file("models.json")) - \(dir.file("invocations.ndjson"))",
                    with: "\(dir.file("models.json")) \(dir.file("logs.ndjson")) \(dir.file("invocations.ndjson"))") == html)
    }

    @Test func everySectionHasAChartWithItsDataAndAText() throws {
        let (dir, html, result) = try render()
        defer { dir.remove() }
        #expect(result.status == 0, "\(result.stderr)")
        let check = HTMLChecker(html)
        let svgs = check.tags.filter { $0.name == "svg" }
        for fn in ["cpu-bound", "sleep-bound"] {
            for part in ["runtime", "cost", "dist", "cold", "memory", "errors"] {
                let id = HTML.anchor("fn", fn) + "-" + part
                #expect(html.contains("<figure class=\"chart\" id=\"\(id)\">"), "missing chart \(id)")
                #expect(html.contains("<title id=\"\(id)-t\">"), "chart \(id) has no SVG title")
            }
        }
        for id in ["run-adherence", "run-lag", "run-latency", "run-outcomes"] {
            #expect(html.contains("<figure class=\"chart\" id=\"\(id)\">"), "missing chart \(id)")
        }
        #expect(svgs.count == 16)
        for svg in svgs {
            #expect(Int(svg.attributes["data-points"] ?? "") ?? 0 > 0, "empty chart \(svg.attributes["aria-labelledby"] ?? "")")
            #expect(svg.attributes["role"] == "img")
        }
        // Axis labels carry units; every chart has a table equivalent.
        #expect(html.contains(">Memory (MB, log scale)</text>") && html.contains(">Duration (ms)</text>"))
        #expect(html.components(separatedBy: "<details class=\"data\"><summary>Data: ").count - 1 >= 16)

        // The data points the charts claim are in their tables: recompute warm p50 per size from the logs.
        var warm: [Int: [Double]] = [:]
        var inits = 0
        try NDJSONReader(path: dir.file("logs.ndjson")).forEachRecord { _, r in
            guard case .log(let l) = r, l.invocation.call.target.label == "sleep-bound", l.report.status == .success else { return }
            if l.report.initMs == nil { warm[l.invocation.call.memoryMB, default: []].append(l.report.durationMs) } else { inits += 1 }
        }
        #expect(inits > 0)
        for (m, values) in warm {
            let s = values.sorted()
            let pos = 0.5 * Double(s.count - 1)
            let p50 = s[Int(pos)] + (pos - pos.rounded(.down)) * ((Int(pos) + 1 < s.count ? s[Int(pos) + 1] : s[Int(pos)]) - s[Int(pos)])
            #expect(html.contains("<tr><td class=\"n\">\(m)</td><td class=\"n\">\(s.count)</td><td class=\"n\">"), "no row for \(m) MB")
            #expect(html.contains("<td class=\"n\">\(Fmt.ms(p50))</td>"), "p50 \(Fmt.ms(p50)) at \(m) MB not in a table")
        }
        // The answer comes first, with the model's numbers.
        let models = try JSONDecoder().decode(ModelsFile.self, from: Data(contentsOf: URL(fileURLWithPath: dir.file("models.json"))))
        let balanced = try #require(models.functions.first { $0.function == "sleep-bound" }?.recommendations?.balanced)
        let section = try #require(html.range(of: "<section class=\"function\" id=\"\(HTML.anchor("fn", "sleep-bound"))\">"))
        let answer = html[section.upperBound...].prefix(3000)
        #expect(answer.contains("Recommended memory: <span class=\"big\">\(balanced.memoryMB) MB</span>"))
        #expect(answer.contains(Fmt.dollars(balanced.costPerMillionUSD)))
        #expect(answer.contains(Fmt.ms(balanced.durationMs)))
    }

    @Test func stringsFromInputStayText() throws {
        let evil = "<script>alert(\"x\")</script>"
        let (dir, html, result) = try render { $0.functions = [evil, "a&b 'quoted' <img src=x>"] }
        defer { dir.remove() }
        #expect(result.status == 0, "\(result.stderr)")
        #expect(!html.contains("<script"))
        #expect(!html.contains("<img"))
        #expect(html.contains("&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;"))
        #expect(html.contains("a&amp;b &#39;quoted&#39; &lt;img src=x&gt;"))
        let check = HTMLChecker(html)
        #expect(check.problems.isEmpty, "\(check.problems.prefix(5))")
        #expect(check.elementCounts["script"] == nil)
    }

    @Test func missingPartsAreSaidNotFatal() throws {
        // No cold starts.
        do {
            let (dir, html, result) = try render { $0.coldStarts = false }
            defer { dir.remove() }
            #expect(result.status == 0, "\(result.stderr)")
            #expect(html.contains("No cold starts were observed"))
        }
        // One memory size: no curve, no recommendation.
        do {
            let (dir, html, result) = try render { $0.memorySizes = [512] }
            defer { dir.remove() }
            #expect(result.status == 0, "\(result.stderr)")
            #expect(html.contains("Only one memory size was measured"))
            #expect(html.contains("No recommendation"))
            #expect(HTMLChecker(html).problems.isEmpty)
        }
        // A timed-out log wait with lines missing, and no invocations file.
        do {
            let (dir, html, result) = try render(
                {
                    $0.logWaitTimedOut = true
                    $0.missingReportShare = 0.3
                }, invocations: false)
            defer { dir.remove() }
            #expect(result.status == 0, "\(result.stderr)")
            #expect(html.contains("the wait for logs timed out"))
            #expect(html.contains("Incomplete logs: the log wait timed out"))
            #expect(html.contains("No invocations file was given"))
        }
        // A function with calls but no REPORT line at all: measurements missing, client view kept.
        do {
            let (dir, html, result) = try render(edit: { paths in
                let kept = try String(contentsOfFile: paths.logs, encoding: .utf8).split(separator: "\n")
                    .filter { !($0.contains("\"record\":\"log\"") && $0.contains("\"function\":\"sleep-bound\"")) }
                try (kept.joined(separator: "\n") + "\n").write(toFile: paths.logs, atomically: true, encoding: .utf8)
            })
            defer { dir.remove() }
            #expect(result.status == 0, "\(result.stderr)")
            #expect(html.contains("No REPORT lines were found for this function."))
            #expect(html.contains("<figure class=\"chart\" id=\"\(HTML.anchor("fn", "sleep-bound"))-errors\">"))
            #expect(HTMLChecker(html).problems.isEmpty)
        }
        // An empty models file: the measurements only.
        do {
            let (dir, html, result) = try render(edit: { paths in try "".write(toFile: paths.models, atomically: true, encoding: .utf8) })
            defer { dir.remove() }
            #expect(result.status == 0, "\(result.stderr)")
            #expect(html.contains("The models file is empty"))
            #expect(html.contains("models.json has no model for this function"))
            #expect(html.contains("<figure class=\"chart\" id=\"\(HTML.anchor("fn", "cpu-bound"))-runtime\">"))
        }
        // Models for no function, and logs with nothing but a header.
        do {
            let (dir, html, result) = try render(edit: { paths in
                let header = try String(contentsOfFile: paths.logs, encoding: .utf8).split(separator: "\n")[0]
                try (header + "\n").write(toFile: paths.logs, atomically: true, encoding: .utf8)
                var models = try JSONDecoder().decode(ModelsFile.self, from: Data(contentsOf: URL(fileURLWithPath: paths.models)))
                models.functions = []
                try JSONEncoder().encode(models).write(to: URL(fileURLWithPath: paths.models))
            })
            defer { dir.remove() }
            #expect(result.status == 0, "\(result.stderr)")
            #expect(html.contains("has no log records"))
            #expect(html.contains("has no function models"))
            #expect(html.contains("No call has a recorded send lag") == false)  // invocations still give lags
            #expect(HTMLChecker(html).problems.isEmpty)
        }
    }

    @Test func badInputIsOneLineAndExit2() throws {
        let (dir, _, _) = try render()
        defer { dir.remove() }
        try dir.write("bad-models.json", "{\"format\": \"rightsize.models/1\", \"functions\": 3}")
        let out = dir.file("never.html")
        let r = try Tools.run("report", [dir.file("bad-models.json"), dir.file("logs.ndjson"), "-o", out])
        #expect(r.status == 2)
        #expect(r.stderr.hasPrefix("report: \(dir.file("bad-models.json")):1: "))
        #expect(r.stderr.split(separator: "\n").count == 1)
        #expect(!dir.exists("never.html"))
        let usage = try Tools.run("report", [dir.file("models.json")])
        #expect(usage.status == 2)
        #expect(usage.stderr.hasPrefix("report: "))
        try dir.write("bad-logs.ndjson", "{\"record\":\"log\",\"seq\":1}\n")
        let r2 = try Tools.run("report", [dir.file("models.json"), dir.file("bad-logs.ndjson"), "-o", out])
        #expect(r2.status == 2)
        #expect(r2.stderr.hasPrefix("report: \(dir.file("bad-logs.ndjson")):1: "), "\(r2.stderr)")
        #expect(!dir.exists("never.html"))
    }
}

@Suite struct PrimitiveTests {
    @Test func escaping() {
        #expect(HTML.escape("<a href=\"x\">'&'</a>") == "&lt;a href=&quot;x&quot;&gt;&#39;&amp;&#39;&lt;/a&gt;")
        #expect(HTML.escape("plain") == "plain")
        #expect(HTML.anchor("fn", "my func/1") == "fn-my_20func_2f1")
    }

    @Test func numberFormatting() {
        #expect(Fmt.fixed(1.005, 2) == "1.01" || Fmt.fixed(1.005, 2) == "1.00")
        #expect(Fmt.fixed(-0.0001, 2) == "0.00")
        #expect(Fmt.fixed(12.5, 0) == "13")
        #expect(Fmt.fixed(-3.25, 1) == "-3.3" || Fmt.fixed(-3.25, 1) == "-3.2")
        #expect(Fmt.sig(0.000123456, 3) == "0.000123")
        #expect(Fmt.count(1234567) == "1,234,567")
        #expect(Fmt.dollars(0.4417) == "$0.442")
        #expect(Fmt.dollars(-0.231) == "−$0.231")
        #expect(Fmt.ms(1520.4) == "1520 ms")
        #expect(Fmt.ms(f(9.876)) == "9.88 ms")
    }
    func f(_ x: Double) -> Double { x }

    @Test func chartHasTitleAxesLegendAndTable() {
        let chart = Chart(
            id: "t", title: "Duration <vs> memory", summary: "s",
            x: .init("Memory (MB)", scale: .log2, ticks: [128, 1024], format: .memory),
            y: .init("Duration (ms)"),
            series: [
                .init("p50", color: 0, .line([.init(128, 100), .init(1024, 20)])),
                .init("points", color: 1, .points([.init(128, 90), .init(1024, 25), .init(512, 50)])),
            ],
            table: DataTable(headers: ["memory"], rows: [["128"], ["1024"]]))
        var out = ""
        chart.render(into: &out)
        #expect(out.contains("data-points=\"5\""))
        #expect(out.contains("<title id=\"t-t\">Duration &lt;vs&gt; memory</title>"))
        #expect(out.contains(">Memory (MB)</text>") && out.contains(">Duration (ms)</text>"))
        #expect(out.contains("<ul class=\"legend\">"))
        #expect(out.contains(">128</text>") && out.contains(">1024</text>"))
        #expect(HTMLChecker(out).problems.isEmpty)
    }

    @Test func niceTicks() {
        #expect(Chart.niceStep(7.3) == 10)
        #expect(Chart.niceStep(0.031) == 0.05)
        #expect(Chart.niceStep(180) == 200)
        let d = Chart.domain([3, 97], axis: .init("y"))
        #expect(d.lo == 0 && d.hi == 100 && d.ticks == [0, 20, 40, 60, 80, 100])
    }
}

@Suite struct CheckerTests {
    /// The checker the report tests rely on does catch what it must.
    @Test func checkerCatchesBrokenMarkupAndExternalReferences() {
        #expect(!HTMLChecker("<div><p>text</div>").problems.isEmpty)
        #expect(!HTMLChecker("<div class=x>").problems.isEmpty)
        let c = HTMLChecker(
            "<p><img src=\"https://example.com/a.png\"><a href=\"#ok\">a</a></p><style>b{background:url(http://x/y)}</style>")
        #expect(c.problems.isEmpty)
        #expect(c.urls.contains("https://example.com/a.png") && c.urls.contains("http://x/y") && c.urls.contains("#ok"))
    }
}
