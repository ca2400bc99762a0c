import Foundation
import TestSupport
import Testing

/// Malformed workloads: one line `plan: file:line: field: problem`, exit 2, no output file.
@Suite struct BadWorkloadTests {
    struct Case: Sendable, CustomTestStringConvertible {
        var name: String
        var text: String
        var line: Int
        var field: String
        /// A word the problem must mention.
        var mentions: String
        var files: [String: String] = [:]
        var arguments: [String] = []
        var testDescription: String { name }
    }

    /// A valid workload; each case replaces one of its lines (numbered from 1).
    static let base = [
        #"{"#,
        #"  "test_name": "bad","#,
        #"  "test_duration_in_seconds": 10,"#,
        #"  "random_seed": 1,"#,
        #"  "memory_sizes": [128, 256],"#,
        #"  "instances": {"#,
        #"    "a": {"application": "f", "distribution": "Poisson", "rate": 2}"#,
        #"  }"#,
        #"}"#,
    ]

    static func with(_ replacements: [Int: String]) -> String {
        base.enumerated().map { replacements[$0.offset + 1] ?? $0.element }.joined(separator: "\n") + "\n"
    }

    static func instance(_ body: String) -> String { with([7: #"    "a": {\#(body)}"#]) }

    static let cases: [Case] = [
        Case(name: "not JSON at all", text: "name = bad\nduration = 10\n", line: 1, field: "workload", mentions: "JSON"),
        Case(name: "text after the object", text: with([:]) + "{}\n", line: 10, field: "workload", mentions: "after"),
        Case(name: "top level is an array", text: "[1, 2]\n", line: 1, field: "workload", mentions: "object"),
        Case(
            name: "duplicate key", text: instance(#""application": "f", "rate": 2, "rate": 3, "distribution": "Poisson""#),
            line: 7, field: "instances.a", mentions: "duplicate"),
        Case(
            name: "duration is a string", text: with([3: #"  "test_duration_in_seconds": "10","#]), line: 3,
            field: "test_duration_in_seconds", mentions: "number"),
        Case(
            name: "negative duration", text: with([3: #"  "test_duration_in_seconds": -5,"#]), line: 3,
            field: "test_duration_in_seconds", mentions: "greater than 0"),
        Case(
            name: "zero duration", text: with([3: #"  "test_duration_in_seconds": 0,"#]), line: 3,
            field: "test_duration_in_seconds", mentions: "greater than 0"),
        Case(name: "missing duration", text: with([3: ""]), line: 1, field: "test_duration_in_seconds", mentions: "missing"),
        Case(
            name: "window not increasing",
            text: instance(#""application": "f", "distribution": "Poisson", "rate": 2, "activity_window": [8, 4]"#),
            line: 7, field: "instances.a.activity_window", mentions: "less than"),
        Case(
            name: "window outside the run",
            text: instance(#""application": "f", "distribution": "Poisson", "rate": 2, "activity_window": [5, 20]"#),
            line: 7, field: "instances.a.activity_window", mentions: "inside the run"),
        Case(
            name: "window of one number",
            text: instance(#""application": "f", "distribution": "Poisson", "rate": 2, "activity_window": [5]"#),
            line: 7, field: "instances.a.activity_window", mentions: "two numbers"),
        Case(
            name: "unknown distribution", text: instance(#""application": "f", "distribution": "Gaussian", "rate": 2"#),
            line: 7, field: "instances.a.distribution", mentions: "Poisson"),
        Case(
            name: "no distribution and no list", text: instance(#""application": "f", "rate": 2"#),
            line: 7, field: "instances.a.distribution", mentions: "missing"),
        Case(
            name: "absurd rate", text: instance(#""application": "f", "distribution": "Poisson", "rate": 1e9"#),
            line: 7, field: "instances.a.rate", mentions: "limit"),
        Case(
            name: "rate is a string", text: instance(#""application": "f", "distribution": "Uniform", "rate": "2""#),
            line: 7, field: "instances.a.rate", mentions: "number"),
        Case(
            name: "negative rate", text: instance(#""application": "f", "distribution": "Uniform", "rate": -1"#),
            line: 7, field: "instances.a.rate", mentions: "0 or more"),
        Case(
            name: "missing payload file",
            text: instance(#""application": "f", "distribution": "Poisson", "rate": 2, "payload": "nope.json""#),
            line: 7, field: "instances.a.payload", mentions: "cannot read"),
        Case(
            name: "payload file not JSON",
            text: instance(#""application": "f", "distribution": "Poisson", "rate": 2, "payload": "p.json""#),
            line: 7, field: "instances.a.payload", mentions: "p.json:2", files: ["p.json": "{\"a\": 1,\n oops}\n"]),
        Case(
            name: "empty payload array", text: instance(#""application": "f", "distribution": "Poisson", "rate": 2, "payload": "p.json""#),
            line: 7, field: "instances.a.payload", mentions: "empty", files: ["p.json": "[]\n"]),
        Case(
            name: "memory size too small", text: with([5: #"  "memory_sizes": [128, 64],"#]), line: 5, field: "memory_sizes[1]",
            mentions: "128"),
        Case(
            name: "memory size too large", text: with([5: #"  "memory_sizes": [20000],"#]), line: 5, field: "memory_sizes[0]",
            mentions: "10240"),
        Case(
            name: "memory size not an integer", text: with([5: #"  "memory_sizes": [128.5],"#]), line: 5, field: "memory_sizes[0]",
            mentions: "integer"),
        Case(name: "no memory sizes", text: with([5: #"  "memory_sizes": [],"#]), line: 5, field: "memory_sizes", mentions: "at least one"),
        Case(
            name: "negative inter-arrival", text: instance(#""application": "f", "interarrivals_list": [1, -0.5]"#),
            line: 7, field: "instances.a.interarrivals_list[1]", mentions: "negative"),
        Case(
            name: "both list spellings", text: instance(#""application": "f", "interarrivals_list": [1], "interarrival_list": [1]"#),
            line: 7, field: "instances.a.interarrival_list", mentions: "not both"),
        Case(name: "no instances", text: with([6: #"  "instances": {"#, 7: ""]), line: 6, field: "instances", mentions: "at least one"),
        Case(
            name: "instances missing", text: "{\"test_name\": \"bad\",\n \"test_duration_in_seconds\": 10}\n", line: 1,
            field: "instances", mentions: "missing"),
        Case(
            name: "application missing", text: instance(#""distribution": "Poisson", "rate": 2"#), line: 7,
            field: "instances.a.application", mentions: "missing"),
        Case(name: "unsafe test name", text: with([2: #"  "test_name": "../etc","#]), line: 2, field: "test_name", mentions: "folder"),
        Case(name: "fractional seed", text: with([4: #"  "random_seed": 1.5,"#]), line: 4, field: "random_seed", mentions: "integer"),
        Case(name: "unknown target", text: with([4: #"  "target": "cloud","#]), line: 4, field: "target", mentions: "local"),
        Case(
            name: "bad invocation type",
            text: instance(#""application": "f", "distribution": "Poisson", "rate": 2, "invocation_type": "Async""#),
            line: 7, field: "instances.a.invocation_type", mentions: "RequestResponse"),
        Case(
            name: "host without stage",
            text: instance(#""application": "f", "distribution": "Poisson", "rate": 2, "host": "h", "resource": "r""#),
            line: 7, field: "instances.a.stage", mentions: "missing"),
        Case(
            name: "compat seed over 32 bits", text: with([4: #"  "random_seed": 4294967296,"#]), line: 4, field: "random_seed",
            mentions: "4294967295", arguments: ["--compat", "faasprofiler"]),
        // The experiments of docs/workload.md.
        Case(
            name: "negative concurrency", text: instance(#""application": "f", "concurrency": -1, "runs": 5"#), line: 7,
            field: "instances.a.concurrency", mentions: "from 1"),
        Case(
            name: "runs below 1", text: instance(#""application": "f", "concurrency": 2, "runs": 0"#), line: 7,
            field: "instances.a.runs", mentions: "from 1"),
        Case(
            name: "concurrency without runs", text: instance(#""application": "f", "concurrency": 2"#), line: 7,
            field: "instances.a.runs", mentions: "missing"),
        Case(
            name: "closed loop with a distribution",
            text: instance(#""application": "f", "concurrency": 2, "runs": 4, "distribution": "Poisson""#), line: 7,
            field: "instances.a.distribution", mentions: "closed loop"),
        Case(
            name: "ramp down", text: instance(#""application": "f", "ramp": {"from": 8, "to": 2, "step": 1, "runs_per_slot": 1}"#),
            line: 7, field: "instances.a.ramp.to", mentions: "at least"),
        Case(
            name: "ramp factor 1", text: instance(#""application": "f", "ramp": {"from": 1, "to": 8, "factor": 1, "runs_per_slot": 1}"#),
            line: 7, field: "instances.a.ramp.factor", mentions: "more than 1"),
        Case(
            name: "idle gap zero", text: instance(#""application": "f", "idle_gaps_s": [1, 0]"#), line: 7,
            field: "instances.a.idle_gaps_s[1]", mentions: "more than 0"),
        Case(
            name: "idle gap negative", text: instance(#""application": "f", "idle_gaps_s": [-3]"#), line: 7,
            field: "instances.a.idle_gaps_s[0]", mentions: "more than 0"),
        Case(
            name: "repeats without gaps", text: instance(#""application": "f", "concurrency": 1, "runs": 2, "repeats": 3"#), line: 7,
            field: "instances.a.repeats", mentions: "idle_gaps_s"),
        Case(
            name: "weight zero",
            text: instance(#""application": "f", "distribution": "Poisson", "rate": 2, "payload": "p.json", "payload_weights": [1, 0]"#),
            line: 7, field: "instances.a.payload_weights[1]", mentions: "more than 0", files: ["p.json": "[{}, {\"a\": 1}]\n"]),
        Case(
            name: "weight negative",
            text: instance(#""application": "f", "distribution": "Poisson", "rate": 2, "payload": "p.json", "payload_weights": [-1, 3]"#),
            line: 7, field: "instances.a.payload_weights[0]", mentions: "more than 0", files: ["p.json": "[{}, {\"a\": 1}]\n"]),
        Case(
            name: "weights not one per payload",
            text: instance(#""application": "f", "distribution": "Poisson", "rate": 2, "payload_weights": [1, 3]"#), line: 7,
            field: "instances.a.payload_weights", mentions: "one per element"),
        Case(
            name: "pointer without slash",
            text: instance(#""application": "f", "distribution": "Poisson", "rate": 2, "response_fields": ["stat/inst_id"]"#), line: 7,
            field: "instances.a.response_fields[0]", mentions: "RFC 6901"),
        Case(
            name: "pointer bad escape",
            text: instance(#""application": "f", "distribution": "Poisson", "rate": 2, "response_fields": ["/a~2b"]"#), line: 7,
            field: "instances.a.response_fields[0]", mentions: "~2"),
        Case(
            name: "cold on an open loop", text: instance(#""application": "f", "distribution": "Poisson", "rate": 2, "cold": true"#),
            line: 7, field: "instances.a.cold", mentions: "closed loop"),
        Case(
            name: "functions on AWS",
            text: with([4: #"  "random_seed": 1, "functions": {"f": {"code": ".", "runtime": "python3.12", "handler": "h.h"}},"#]),
            line: 4, field: "functions", mentions: "local emulator only"),
        Case(
            name: "function code missing",
            text: with([
                4:
                    #"  "random_seed": 1, "target": "local", "functions": {"f": {"code": "nowhere", "runtime": "python3.12", "handler": "h.h"}},"#
            ]), line: 4, field: "functions.f.code", mentions: "not a directory"),
        Case(
            name: "function runtime unknown",
            text: with([4: #"  "random_seed": 1, "target": "local", "functions": {"f": {"code": ".", "runtime": "cobol85"}},"#]),
            line: 4, field: "functions.f.runtime", mentions: "python3.x"),
        Case(
            name: "function timeout too long",
            text: with([
                4:
                    #"  "random_seed": 1, "target": "local", "functions": {"f": {"code": ".", "runtime": "provided.al2023", "timeout_s": 901}},"#
            ]), line: 4, field: "functions.f.timeout_s", mentions: "900"),
        Case(
            name: "python function without handler",
            text: with([4: #"  "random_seed": 1, "target": "local", "functions": {"f": {"code": ".", "runtime": "python3.12"}},"#]),
            line: 4, field: "functions.f.handler", mentions: "missing"),
    ]

    @Test(arguments: cases)
    func rejected(_ c: Case) throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        try dir.write("w.json", c.text)
        for (name, text) in c.files { try dir.write(name, text) }
        let result = try Tools.run("plan", c.arguments + [dir.file("w.json"), "-o", dir.file("out.ndjson")])
        #expect(result.status == 2)
        #expect(result.stdout.isEmpty)
        let lines = result.stderr.split(separator: "\n", omittingEmptySubsequences: false).filter { !$0.isEmpty }
        #expect(lines.count == 1, "\(result.stderr)")
        let prefix = "plan: \(dir.file("w.json")):\(c.line): \(c.field): "
        #expect(result.stderr.hasPrefix(prefix), "expected \(prefix)... got \(result.stderr)")
        #expect(result.stderr.contains(c.mentions), "\(result.stderr)")
        let left = try FileManager.default.contentsOfDirectory(atPath: dir.path).sorted()
        #expect(left == (["w.json"] + c.files.keys).sorted(), "no output or temporary file")
    }

    @Test func manyDistinctCases() {
        #expect(Set(Self.cases.map(\.name)).count >= 15)
    }
}
