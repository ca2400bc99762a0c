import Foundation
import TestSupport
import Testing

/// Malformed traces and trace keys: one line `plan: file:line: field: problem` naming the
/// workload or the trace file, exit 2, no output file.
@Suite struct BadTraceTests {
    struct Case: Sendable, CustomTestStringConvertible {
        var name: String
        /// The instance's `trace` object.
        var trace: String
        /// The file the message names, its line and field.
        var file = "w.json"
        var line = 7
        var field: String
        var mentions: String
        var files: [String: String] = [:]
        var testDescription: String { name }
    }

    static let azure =
        "HashOwner,HashApp,HashFunction,Trigger,1,2,3,4\n"
        + "o1,a1,f1,http,1,0,2,5\n"
        + "o1,a1,f2,timer,1,1,1,1\n"
    static let azureBadCount = "HashOwner,HashApp,HashFunction,Trigger,1,2,3\n" + "o1,a1,f1,http,1,-2,2\n"

    static let cases: [Case] = [
        Case(
            name: "no matching function", trace: #""format": "azure2019", "file": "t.csv", "function": "f9""#,
            field: "instances.a.trace.function", mentions: "no row", files: ["t.csv": azure]),
        Case(
            name: "negative count", trace: #""format": "azure2019", "file": "t.csv", "function": "f1""#, file: "t.csv", line: 2,
            field: "minute 2", mentions: "integer >= 0", files: ["t.csv": azureBadCount]),
        Case(
            name: "minute range outside the trace",
            trace: #""format": "azure2019", "file": "t.csv", "function": "f1", "minutes": [2, 9]"#,
            field: "instances.a.trace.minutes", mentions: "inside the trace's minutes [1, 4]", files: ["t.csv": azure]),
        Case(
            name: "function twice", trace: #""format": "azure2019", "file": "t.csv", "function": "f1""#, file: "t.csv", line: 4,
            field: "HashFunction", mentions: "trace.app", files: ["t.csv": azure + "o2,a2,f1,http,0,0,0,0\n"]),
        Case(
            name: "not the 2019 header", trace: #""format": "azure2019", "file": "t.csv", "function": "f1""#, file: "t.csv", line: 1,
            field: "header", mentions: "HashOwner", files: ["t.csv": "a,b,c\n"]),
        Case(
            name: "unsorted timestamps", trace: #""format": "csv", "file": "t.csv""#, file: "t.csv", line: 4, field: "time",
            mentions: "unsorted", files: ["t.csv": "time\n1\n5\n3\n"]),
        Case(
            name: "negative count in a CSV", trace: #""format": "csv", "file": "t.csv""#, file: "t.csv", line: 2, field: "count",
            mentions: "integer >= 0", files: ["t.csv": "0,4\n60,-1\n"]),
        Case(
            name: "range outside a CSV trace", trace: #""format": "csv", "file": "t.csv", "range_s": [0, 500]"#,
            field: "instances.a.trace.range_s", mentions: "inside the trace [0, 180]", files: ["t.csv": "0,4\n60,1\n120,3\n"]),
        Case(
            name: "zero time scale", trace: #""format": "csv", "file": "t.csv", "time_scale": 0"#,
            field: "instances.a.trace.time_scale", mentions: "greater than 0", files: ["t.csv": "1\n"]),
        Case(
            name: "negative rate scale", trace: #""format": "csv", "file": "t.csv", "rate_scale": -0.5"#,
            field: "instances.a.trace.rate_scale", mentions: "greater than 0", files: ["t.csv": "1\n"]),
        Case(
            name: "rate scale above 1", trace: #""format": "csv", "file": "t.csv", "rate_scale": 2"#,
            field: "instances.a.trace.rate_scale", mentions: "at most 1", files: ["t.csv": "1\n"]),
        Case(
            name: "unknown format", trace: #""format": "excel", "file": "t.csv""#, field: "instances.a.trace.format",
            mentions: "azure2019", files: ["t.csv": "1\n"]),
        Case(
            name: "missing trace file", trace: #""format": "csv", "file": "nope.csv""#, field: "instances.a.trace.file",
            mentions: "cannot read"),
        Case(
            name: "negative CloudWatch sum", trace: #""format": "cloudwatch", "file": "t.json""#, file: "t.json", line: 3,
            field: "Datapoints[1].Sum", mentions: "integer >= 0",
            files: [
                "t.json":
                    "{\"Datapoints\": [{\"Timestamp\": \"2024-03-01T00:01:00Z\", \"Sum\": 3.0},\n"
                    + "{\"Timestamp\": \"2024-03-01T00:00:00Z\",\n\"Sum\": -1.0}]}\n"
            ]),
        Case(
            name: "CloudWatch without Sum", trace: #""format": "cloudwatch", "file": "t.json""#, file: "t.json", line: 1,
            field: "Datapoints[0].Sum", mentions: "--statistics Sum",
            files: ["t.json": "{\"Datapoints\": [{\"Timestamp\": \"2024-03-01T00:01:00Z\", \"Average\": 3.0}]}\n"]),
        Case(
            name: "azure 2021 function not there", trace: #""format": "azure2021", "file": "t.csv", "function": "zz""#,
            field: "instances.a.trace.function", mentions: "no row",
            files: ["t.csv": "app,func,end_timestamp,duration\na,f,10.5,0.5\n"]),
        Case(
            name: "azure 2021 negative duration", trace: #""format": "azure2021", "file": "t.csv", "function": "f""#, file: "t.csv",
            line: 2, field: "duration", mentions: ">= 0", files: ["t.csv": "app,func,end_timestamp,duration\na,f,10.5,-0.5\n"]),
        Case(
            name: "key of another format", trace: #""format": "csv", "file": "t.csv", "minutes": [1, 2]"#,
            field: "instances.a.trace.minutes", mentions: "azure2019", files: ["t.csv": "1\n"]),
    ]

    @Test(arguments: cases)
    func rejected(_ c: Case) throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let workload = """
            {
              "test_name": "bad",
              "test_duration_in_seconds": 10,
              "random_seed": 1,
              "memory_sizes": [128],
              "instances": {
                "a": {"application": "f", "trace": {\(c.trace)}}
              }
            }

            """
        try dir.write("w.json", workload)
        for (name, text) in c.files { try dir.write(name, text) }
        let result = try Tools.run("plan", [dir.file("w.json"), "-o", dir.file("out.ndjson")])
        #expect(result.status == 2)
        #expect(result.stdout.isEmpty)
        let lines = result.stderr.split(separator: "\n").filter { !$0.isEmpty }
        #expect(lines.count == 1, "\(result.stderr)")
        let prefix = "plan: \(dir.file(c.file)):\(c.line): \(c.field): "
        #expect(result.stderr.hasPrefix(prefix), "expected \(prefix)... got \(result.stderr)")
        #expect(result.stderr.contains(c.mentions), "\(result.stderr)")
        let left = try FileManager.default.contentsOfDirectory(atPath: dir.path).sorted()
        #expect(left == (["w.json"] + c.files.keys).sorted(), "no output or temporary file")
    }

    /// A trace cannot be combined with a distribution, a list or an activity window.
    @Test func traceExcludesOtherArrivals() throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        try dir.write("t.csv", "1\n2\n")
        for extra in [#""distribution": "Poisson", "rate": 1"#, #""interarrivals_list": [1]"#, #""activity_window": [1, 2]"#] {
            try dir.write(
                "w.json",
                #"{"test_name": "x", "test_duration_in_seconds": 5, "instances": {"a": {"application": "f", \#(extra), "trace": {"format": "csv", "file": "t.csv"}}}}"#
            )
            let r = try Tools.run("plan", [dir.file("w.json")])
            #expect(r.status == 2 && r.stdout.isEmpty, "\(extra): \(r.stderr)")
        }
    }
}
