import Foundation
import RecordSchema
import TestSupport
import Testing

/// invoke against an alias of a published version (docs/invoke.md, "qualifier"): the version's
/// memory cannot change, so a phase runs only when the version has the phase's memory; one
/// whose version has another stops with one line, exit status 2, before any call.
@Suite("invoke with a qualifier against the emulator's versions", .serialized)
struct QualifiedInvokeTests {
    struct Failure: Error, CustomStringConvertible { var description: String }

    /// One Lambda API call, signed by curl itself (`--aws-sigv4`).
    static func lambda(_ emulator: LocalEmulator, _ method: String, _ path: String, _ body: String? = nil) throws -> [String: Any] {
        var arguments = [
            "-sS", "--fail-with-body", "--aws-sigv4", "aws:amz:\(emulator.region):lambda", "--user",
            "\(emulator.accessKeyId):\(emulator.secretAccessKey)", "-X", method,
        ]
        if let body { arguments += ["-H", "Content-Type: application/json", "--data", body] }
        let r = try Tools.run("/usr/bin/curl", arguments + [emulator.endpoint + path])
        guard r.status == 0 else { throw Failure(description: "\(method) \(path): \(r.stdout) \(r.stderr)") }
        return (try? JSONSerialization.jsonObject(with: Data(r.stdout.utf8))) as? [String: Any] ?? [:]
    }

    /// faas_sleep version 1 at 128 MB behind alias `small`, version 2 at 256 MB behind `big`.
    static func twoAliases(_ emulator: LocalEmulator) throws {
        let base = "/2015-03-31/functions/faas_sleep"
        #expect(try lambda(emulator, "POST", base + "/versions", "{}")["Version"] as? String == "1")
        _ = try lambda(emulator, "POST", base + "/aliases", #"{"Name": "small", "FunctionVersion": "1"}"#)
        _ = try lambda(emulator, "PUT", base + "/configuration", #"{"MemorySize": 256}"#)
        try Wait.until(timeout: 60, poll: 0.1) {
            try lambda(emulator, "GET", base + "/configuration")["LastUpdateStatus"] as? String == "Successful"
        }
        #expect(try lambda(emulator, "POST", base + "/versions", "{}")["MemorySize"] as? Int == 256)
        _ = try lambda(emulator, "POST", base + "/aliases", #"{"Name": "big", "FunctionVersion": "2"}"#)
    }

    static func invoke(qualifier: String, in dir: TemporaryDirectory, _ emulator: LocalEmulator) throws -> Tools.Result {
        let name = "w-\(qualifier)"
        try dir.write(
            name + ".json",
            #"{"test_name": "q", "test_duration_in_seconds": 1, "random_seed": 3, "target": "local", "memory_sizes": [128], "#
                + #""instances": {"x": {"application": "faas_sleep", "function_name": "faas_sleep", "qualifier": "\#(qualifier)", "#
                + #""interarrivals_list": [0.25]}}}"#)
        let env = emulator.environment.merging(["AWS_CONFIG_FILE": "/dev/null", "AWS_SHARED_CREDENTIALS_FILE": "/dev/null"]) { _, b in b }
        let plan = try Tools.run("plan", [dir.file(name + ".json"), "-o", dir.file(name + ".ndjson")], environment: env)
        #expect(plan.status == 0, "\(plan.stderr)")
        return try Tools.run("invoke", [dir.file(name + ".ndjson"), "-o", dir.file(name + ".out.ndjson")], environment: env)
    }

    @Test func anAliasWhoseVersionHasThePhasesMemoryRuns() throws {
        let emulator = try LocalEmulator.start()
        defer { emulator.stop() }
        let dir = try TemporaryDirectory("e2e-qualifier")
        defer { dir.remove() }
        try Self.twoAliases(emulator)
        let run = try Self.invoke(qualifier: "small", in: dir, emulator)
        #expect(run.status == 0, "\(run.stderr)")
        let invocations = try PipelineFixture.records(dir.file("w-small.out.ndjson")).compactMap {
            if case .invocation(let i) = $0 { i } else { nil }
        }
        #expect(!invocations.isEmpty && invocations.allSatisfy { $0.error == nil })
        // Version 1 ran them, in its own environments: their log stream is `[1]`.
        var streams: [String] = []
        try Wait.until(timeout: 60, poll: 0.2) {
            let r = try Tools.run(
                "/usr/bin/curl",
                [
                    "-sS", "--aws-sigv4", "aws:amz:\(emulator.region):logs", "--user",
                    "\(emulator.accessKeyId):\(emulator.secretAccessKey)",
                    "-H", "X-Amz-Target: Logs_20140328.DescribeLogStreams", "-H", "Content-Type: application/x-amz-json-1.1",
                    "--data", #"{"logGroupName": "/aws/lambda/faas_sleep"}"#, emulator.endpoint + "/",
                ])
            let json = (try? JSONSerialization.jsonObject(with: Data(r.stdout.utf8))) as? [String: Any]
            streams = (json?["logStreams"] as? [[String: Any]] ?? []).compactMap { $0["logStreamName"] as? String }
            return !streams.isEmpty
        }
        #expect(!streams.isEmpty && streams.allSatisfy { $0.contains("/[1]") }, "\(streams)")
        // $LATEST (256 MB) was not set back to the phase's size: a qualified target is only checked.
        #expect(
            try Self.lambda(emulator, "GET", "/2015-03-31/functions/faas_sleep/configuration")["MemorySize"] as? Int == 256)
    }

    @Test func anAliasWhoseVersionHasOtherMemoryStopsWithOneLine() throws {
        let emulator = try LocalEmulator.start()
        defer { emulator.stop() }
        let dir = try TemporaryDirectory("e2e-qualifier")
        defer { dir.remove() }
        try Self.twoAliases(emulator)
        let run = try Self.invoke(qualifier: "big", in: dir, emulator)
        #expect(run.status == 2)
        let lines = run.stderr.split(separator: "\n")
        #expect(lines.count == 1, "\(run.stderr)")
        #expect(run.stderr.contains("faas_sleep:big runs at 256 MB"), "\(run.stderr)")
    }
}
