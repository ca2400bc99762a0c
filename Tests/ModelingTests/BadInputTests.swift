import Foundation
import Modeling
import TestSupport
import Testing

/// Bad input: one clear line and exit 2, or a documented partial model (exit 0 + warnings).
@Suite struct BadInputTests {
    static let good = FitRun.lines([.cpuBound()], sizes: [128, 256], perSize: 4)

    func expectRejected(_ lines: [String], _ fragment: String, sourceLocation: SourceLocation = #_sourceLocation) throws {
        let run = try FitRun.run(lines: lines)
        defer { run.dir.remove() }
        #expect(run.result.status == 2, sourceLocation: sourceLocation)
        let errLines = run.result.stderr.split(separator: "\n")
        #expect(errLines.count == 1, "\(run.result.stderr)", sourceLocation: sourceLocation)
        #expect(run.result.stderr.hasPrefix("fit: "), sourceLocation: sourceLocation)
        #expect(run.result.stderr.contains(fragment), "\(run.result.stderr)", sourceLocation: sourceLocation)
        #expect(run.modelsText == nil, "nothing half-written", sourceLocation: sourceLocation)
    }

    @Test func emptyFile() throws { try expectRejected([], "no log records") }

    @Test func recordWithoutDuration() throws {
        var lines = Self.good
        lines[2] = lines[2].replacingOccurrences(of: #""duration_ms":"#, with: #""duration":"#)
        try expectRejected(lines, ":3: duration_ms: missing")
    }

    @Test func notANumber() throws {
        var lines = Self.good
        let r = try #require(lines[1].range(of: #""duration_ms":[0-9.]+"#, options: .regularExpression))
        lines[1].replaceSubrange(r, with: #""duration_ms":NaN"#)
        try expectRejected(lines, ":2: duration_ms:")
    }

    @Test func negativeDuration() throws {
        var lines = Self.good
        let r = try #require(lines[4].range(of: #""duration_ms":[0-9.]+"#, options: .regularExpression))
        lines[4].replaceSubrange(r, with: #""duration_ms":-12.5"#)
        try expectRejected(lines, ":5: duration_ms: missing or negative")
    }

    /// 1e400 is valid JSON but no Double: one line naming it, exit 2 (it once crashed fit).
    @Test(arguments: ["duration_ms", "billed_ms"])
    func numberOutOfRange(field: String) throws {
        var lines = Self.good
        let r = try #require(lines[4].range(of: "\"\(field)\":[0-9.]+", options: .regularExpression))
        lines[4].replaceSubrange(r, with: "\"\(field)\":1e400")
        try expectRejected(lines, ":5: \(field): number out of range")
    }

    @Test func negativeMaxMemory() throws {
        var lines = Self.good
        let r = try #require(lines[3].range(of: #""max_memory_mb":[0-9]+"#, options: .regularExpression))
        lines[3].replaceSubrange(r, with: #""max_memory_mb":-1"#)
        try expectRejected(lines, ":4: max_memory_mb: negative")
    }

    @Test func invocationsInsteadOfLogs() throws {
        let line =
            #"{"record":"invoke_summary","scheduled":1,"sent":1,"not_sent":0,"interrupted":false,"started_unix_ms":0,"ended_unix_ms":1,"outcomes":{}}"#
        try expectRejected([Self.good[0], line], ":2: record: \"invoke_summary\" line")
    }

    @Test func notJSON() throws { try expectRejected([Self.good[0], "REPORT RequestId: x"], ":2:") }

    @Test func missingFileAndBadOptions() throws {
        let missing = try Tools.run("fit", ["/nonexistent/logs.ndjson"])
        #expect(missing.status == 2)
        #expect(missing.stderr.contains("cannot open"))
        let weight = try Tools.run("fit", ["--balanced-weight", "3", "/nonexistent"])
        #expect(weight.status == 2)
        #expect(weight.stderr == "fit: --balanced-weight must be within 0...1 (see fit --help)\n")
        let unknown = try Tools.run("fit", ["--bogus"])
        #expect(unknown.status == 2 && unknown.stderr.hasPrefix("fit: ") && unknown.stderr.split(separator: "\n").count == 1)
        let arch = try Tools.run("fit", ["--architecture", "sparc"])
        #expect(arch.status == 2)
        let dir = try TemporaryDirectory("fit-test")
        defer { dir.remove() }
        try dir.write("prices.json", #"{"format":"x"}"#)
        try dir.write("logs.ndjson", Self.good.joined(separator: "\n"))
        let prices = try Tools.run("fit", [dir.file("logs.ndjson"), "--prices", dir.file("prices.json")])
        #expect(prices.status == 2)
        #expect(prices.stderr.contains("prices.json"))
        let region = try Tools.run("fit", [dir.file("logs.ndjson"), "--region", "mars-1"])
        #expect(region.status == 2)
        #expect(region.stderr.contains("mars-1"))
    }

    @Test func oneMemorySizeGivesAPartialModel() throws {
        let run = try FitRun.run(lines: FitRun.lines([.cpuBound()], sizes: [512], perSize: 10))
        defer { run.dir.remove() }
        #expect(run.result.status == 0)
        #expect(run.result.stderr.contains("needs at least 2 memory sizes"))
        let m = try #require(run.models?.model("cpu-bound"))
        #expect(m.runtime == nil && m.recommendations == nil && m.costCurve.isEmpty)
        #expect(m.observations.count == 1 && m.observations[0].n == 10)
        #expect(m.memory != nil)
        #expect(m.warnings.contains { $0.contains("needs at least 2 memory sizes") })
    }

    @Test func twoSizesCannotBeCrossValidated() throws {
        let run = try FitRun.run(lines: FitRun.lines([.cpuBound()], sizes: [256, 1024], perSize: 10))
        defer { run.dir.remove() }
        #expect(run.result.status == 0)
        let runtime = try #require(run.models?.model("cpu-bound")?.runtime)
        #expect(runtime.form == "cpu_share" && runtime.looMape == nil)
        #expect(run.result.stderr.contains("cannot be cross-validated"))
    }

    @Test func tooFewInvocationsAtASize() throws {
        var lines = FitRun.lines([.cpuBound()], sizes: [128, 512, 1024], perSize: 10)
        lines = lines.enumerated().filter { i, l in !(l.contains(#""memory_mb":1024"#) && i % 10 != 1) }.map(\.1)
        let run = try FitRun.run(lines: lines)
        defer { run.dir.remove() }
        #expect(run.result.status == 0)
        let m = try #require(run.models?.model("cpu-bound"))
        #expect(m.runtime?.sizes == 2)
        #expect(m.warnings.contains { $0.contains("left out of the runtime fit") })
    }
}
