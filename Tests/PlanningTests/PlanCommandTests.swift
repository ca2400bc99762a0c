import Foundation
import RecordSchema
import TestSupport
import Testing

/// The real `plan` binary: files, streams, flags, and the shipped example workloads.
@Suite struct PlanCommandTests {
    static let data = PackageRoot.path + "/data"

    /// Both FaaSProfiler-derived examples from the seed documents, exactly as written
    /// (one has a trailing comma and `interarrivals_list`), and data/example.json.
    @Test func shippedWorkloadsAreAccepted() throws {
        let chameleon = try Tools.run("plan", [Self.data + "/faasprofiler-chameleon.json"])
        #expect(chameleon.status == 0, "\(chameleon.stderr)")
        #expect(chameleon.stderr.isEmpty)
        let calls = try scheduledCalls(chameleon.stdout)
        // instance2 replays its list: 5, 5.13, 5.28, ... (all nine gaps fit in 15 s).
        #expect(calls.filter { $0.instance == "instance2" }.count == 9)
        #expect(calls.filter { $0.instance == "instance1" }.allSatisfy { $0.atS > 5 && $0.atS < 10 })
        #expect(
            calls.first { $0.instance == "instance1" }?.target
                == .http(url: "https://ng11cbhnw7.execute-api.us-west-1.zonaws.com/default/chameleon", method: "POST", signed: false))
        #expect(calls.first { $0.instance == "instance1" }?.payload.text == #"{"num_of_rows":50,"num_of_cols":50}"#)

        let pyaes = try Tools.run("plan", [Self.data + "/faasprofiler-pyaes.json"])
        #expect(pyaes.status == 0, "\(pyaes.stderr)")
        let pyaesCalls = try scheduledCalls(pyaes.stdout)
        #expect(
            pyaesCalls.first?.target
                == .http(
                    url: "https://x8siu0es68.execute-api.us-east-2.amazonaws.com/default/pyaes?format=json", method: "POST", signed: false))
        #expect(pyaesCalls.map(\.payloadIndex).prefix(4) == [0, 1, 2, 0])
        let header = try #require(try runHeader(pyaes.stdout))
        #expect(header.run == "IntegrationTest1" && header.memorySizes == [128] && header.scheduled == pyaesCalls.count)

        let example = try Tools.run("plan", [Self.data + "/example.json"])
        #expect(example.status == 0, "\(example.stderr)")
        let exampleHeader = try #require(try runHeader(example.stdout))
        #expect(exampleHeader.memorySizes.count >= 4)
        let exampleCalls = try scheduledCalls(example.stdout)
        #expect(Set(exampleCalls.map(\.application)) == ["faas_measure", "faas_sleep"])
        #expect(exampleCalls.allSatisfy { if case .lambda = $0.target { true } else { false } })
        #expect(try Tools.run("plan", ["--print-target", Self.data + "/example.json"]).stdout == "local\n")
        #expect(try Tools.run("plan", ["--print-target", Self.data + "/faasprofiler-pyaes.json"]).stdout == "aws\n")
        #expect(try Tools.run("plan", ["--print-name", Self.data + "/example.json"]).stdout == "example\n")
    }

    /// Same workload and seed: the same bytes, to stdout or to a file, from a file or stdin.
    @Test func outputIsByteIdenticalAcrossRunsAndStreams() throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let workload = Self.data + "/example.json"
        let first = try Tools.run("plan", [workload])
        let second = try Tools.run("plan", [workload, "-o", dir.file("s.ndjson")])
        #expect(first.status == 0 && second.status == 0)
        #expect(second.stdout.isEmpty)
        #expect(try dir.read("s.ndjson") == first.stdout)
        // From stdin, payload paths are relative to the current directory.
        let text = try String(contentsOfFile: workload, encoding: .utf8)
        let piped = try Tools.run("plan", ["-"], stdin: text, currentDirectory: Self.data)
        #expect(piped.status == 0, "\(piped.stderr)")
        #expect(piped.stdout == first.stdout)
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir.path) == ["s.ndjson"])  // no temporaries left
    }

    /// random_seed null: plan picks a seed, records it, and that seed reproduces the schedule.
    @Test func nullSeedIsPickedAndRecorded() throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        func workload(_ seed: String) -> String {
            #"{"test_name": "n", "test_duration_in_seconds": 20, "random_seed": \#(seed), "instances": {"a": {"application": "f", "distribution": "Poisson", "rate": 4}}}"#
        }
        try dir.write("null.json", workload("null"))
        let result = try Tools.run("plan", [dir.file("null.json")])
        #expect(result.status == 0)
        let header = try #require(try runHeader(result.stdout))
        #expect(header.seedGenerated)
        #expect(result.stderr.contains("\(header.seed)"))
        try dir.write("fixed.json", workload("\(header.seed)"))
        let again = try Tools.run("plan", [dir.file("fixed.json")])
        #expect(try scheduledCalls(again.stdout).map(\.atS) == scheduledCalls(result.stdout).map(\.atS))
        #expect(try runHeader(again.stdout)?.seedGenerated == false)
    }

    /// The header: run, seed, hash of the file's bytes, the workload itself, sizes, count, tool.
    @Test func headerDescribesTheRun() throws {
        let path = Self.data + "/faasprofiler-chameleon.json"
        let result = try Tools.run("plan", [path])
        let header = try #require(try runHeader(result.stdout))
        let bytes = try Data(contentsOf: URL(fileURLWithPath: path))
        #expect(header.workloadSHA256 == Self.sha256Hex(bytes))
        #expect(header.run == "test" && header.seed == 100 && !header.seedGenerated)
        #expect(header.generator == "rightsize")
        #expect(header.tools == ["plan \(RightsizeVersion.current)"])
        #expect(header.scheduled == (try scheduledCalls(result.stdout)).count)
        #expect(header.workload.text.hasPrefix(#"{"test_name":"test","test_duration_in_seconds":15"#))
        #expect(!header.workload.text.contains(",}"))  // the trailing comma is gone: valid JSON
        #expect(result.stdout.split(separator: "\n").first!.hasPrefix(#"{"record":"run""#))
    }

    /// Lambda and HTTP target keys, and a warning (not an error) for keys plan does not know.
    @Test func targetsAndWarnings() throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        try dir.write(
            "w.json",
            """
            {"test_name": "t", "test_duration_in_seconds": 3, "random_seed": 5, "blocking_cli": true, "perf_monitoring": null,
             "instances": {
               "l": {"application": "app", "interarrivals_list": [1], "function_name": "fn", "region": "eu-west-1",
                     "invocation_type": "Event", "qualifier": "prod"},
               "d": {"application": "app", "interarrivals_list": [1]},
               "h": {"application": "app", "interarrivals_list": [1], "host": "127.0.0.1:9000", "stage": "local",
                     "resource": "fn", "scheme": "http", "colour": "blue"}}}
            """)
        let result = try Tools.run("plan", [dir.file("w.json")])
        #expect(result.status == 0, "\(result.stderr)")
        let calls = Dictionary(uniqueKeysWithValues: try scheduledCalls(result.stdout).map { ($0.instance, $0.target) })
        #expect(calls["l"] == .lambda(function: "fn", region: "eu-west-1", invocationType: "Event", qualifier: "prod"))
        #expect(calls["d"] == .lambda(function: "app", region: nil, invocationType: "RequestResponse", qualifier: nil))
        #expect(calls["h"] == .http(url: "http://127.0.0.1:9000/local/fn", method: "POST", signed: false))
        let warnings = result.stderr.split(separator: "\n")
        #expect(warnings.count == 2)
        #expect(warnings.contains { $0.contains("instances.h.colour: unknown key, ignored") })
        #expect(warnings.contains { $0.contains(":1: perf_monitoring:") })
    }

    /// FaaSProfiler's own sample (its workload_configs.json, OpenWhisk-era keys included) runs:
    /// param_file becomes the payload, perf_monitoring and the list's window are ignored with warnings.
    @Test func faasProfilersSampleWorkloadRuns() throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        try dir.write("param_file.json", #"{"n": 3}"#)
        try dir.write(
            "w.json",
            """
            {
                "test_name": "example_test",
                "test_duration_in_seconds": 15,
                "random_seed": 100,
                "blocking_cli": false,
                "instances":{
                    "instance1":{ "application": "example_app1", "distribution": "Poisson", "rate": 25, "activity_window": [5, 10] },
                    "instance2":{ "application": "example_app1", "distribution": "Uniform", "rate": 10, "activity_window": [5, 10] },
                    "instance3":{ "application": "example_app2", "interarrivals_list": [5,0.13,0.15,0.8,0.1,0.13,0.13,0.1,0.4], "activity_window": [5, 10] },
                    "instance4":{ "application": "example_app3", "param_file": "param_file.json", "distribution": "Poisson", "rate": 55, "activity_window": [5, 10] }
                },
                "perf_monitoring":{ "runtime_script": "monitoring/RuntimeMonitoring.sh", "post_script": null }
            }
            """)
        let result = try Tools.run("plan", [dir.file("w.json")])
        #expect(result.status == 0, "\(result.stderr)")
        let warnings = result.stderr.split(separator: "\n")
        #expect(warnings.count == 2)
        #expect(warnings.contains { $0.contains(":9: instances.instance3.activity_window: ignored") })
        #expect(warnings.contains { $0.contains(":12: perf_monitoring:") })
        let calls = try scheduledCalls(result.stdout)
        #expect(calls.filter { $0.instance == "instance4" }.allSatisfy { $0.payload.text == #"{"n":3}"# })
        #expect(calls.filter { $0.instance == "instance2" }.count == 50)  // 10/s strictly inside (5, 10)
        #expect(calls.filter { $0.instance != "instance3" }.allSatisfy { $0.atS > 5 && $0.atS < 10 })
    }

    /// Files that cannot be read or written: one line, exit 2, nothing left behind.
    @Test func unreadableInputAndUnwritableOutput() throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let missing = try Tools.run("plan", [dir.file("nope.json")])
        #expect(missing.status == 2 && missing.stdout.isEmpty)
        #expect(missing.stderr == "plan: \(dir.file("nope.json")): cannot read: No such file or directory\n")
        let unwritable = try Tools.run("plan", [Self.data + "/example.json", "-o", dir.file("no/such/dir/s.ndjson")])
        #expect(unwritable.status == 2)
        #expect(unwritable.stderr.hasPrefix("plan: \(dir.file("no/such/dir/s.ndjson")): cannot write"))
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir.path).isEmpty)
    }

    @Test func usageErrorsExitWith2() throws {
        let r = try Tools.run("plan", ["--no-such-flag"])
        #expect(r.status == 2)
        #expect(r.stderr.split(separator: "\n").count == 1)
        #expect(try Tools.run("plan", ["--compat", "numpy", Self.data + "/example.json"]).status == 2)
        #expect(try Tools.run("plan", ["--help"]).status == 0)
    }

    static func sha256Hex(_ data: Data) -> String {
        // Computed by the system's sha256sum, independently of the Hashing module.
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        p.arguments = ["sha256sum"]
        let inPipe = Pipe()
        let outPipe = Pipe()
        p.standardInput = inPipe
        p.standardOutput = outPipe
        try? p.run()
        inPipe.fileHandleForWriting.write(data)
        try? inPipe.fileHandleForWriting.close()
        p.waitUntilExit()
        let out = String(decoding: outPipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        return String(out.prefix(64))
    }
}
