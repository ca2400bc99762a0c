import Foundation
import RecordSchema
import TestSupport
import Testing

/// The experiments of docs/workload.md on the real emulator, with the real tools: closed
/// loops, ramps past the concurrency limit, cold-start lifetime, cold starts on demand, and
/// SAAF's example through pipeline.mk. What is asserted holds whatever the machine's load:
/// counts the emulator keeps, the loop's own order, and the emulator's exact idle timeout.
@Suite("experiments end to end", .serialized)
struct ExperimentTests {
    struct Run {
        let invocations: [Invocation]
        let logs: [LogRecord]
        let report: String
        let models: ModelsFile
    }

    static func workload(_ name: String, _ instance: String, sizes: String = "[128]") -> String {
        #"{"test_name": "\#(name)", "test_duration_in_seconds": 1, "random_seed": 9, "target": "local", "memory_sizes": \#(sizes), "instances": {"x": {\#(instance)}}}"#
    }

    /// plan → invoke → await-logs → fit → report against `emulator`, in `dir`.
    static func run(_ workload: String, in dir: TemporaryDirectory, emulator: LocalEmulator, files: [String: String] = [:]) throws -> Run {
        try dir.write("w.json", workload)
        for (name, text) in files { try dir.write(name, text) }
        let env = emulator.environment.merging(["AWS_CONFIG_FILE": "/dev/null", "AWS_SHARED_CREDENTIALS_FILE": "/dev/null"]) { _, b in b }
        let steps: [(String, [String])] = [
            ("plan", [dir.file("w.json"), "-o", dir.file("s.ndjson")]),
            ("invoke", [dir.file("s.ndjson"), "-o", dir.file("i.ndjson")]),
            ("await-logs", [dir.file("i.ndjson"), "-o", dir.file("l.ndjson"), "--poll-interval", "0.5", "--timeout", "120"]),
            ("fit", [dir.file("l.ndjson"), "-o", dir.file("m.json")]),
            ("report", [dir.file("m.json"), dir.file("l.ndjson"), dir.file("i.ndjson"), "-o", dir.file("r.html")]),
        ]
        for (tool, args) in steps {
            let r = try Tools.run(tool, args, environment: env)
            #expect(r.status == 0, "\(tool) failed: \(r.stderr)")
            if r.status != 0 { throw Failure(description: "\(tool): \(r.stderr)") }
        }
        let invocations = try PipelineFixture.records(dir.file("i.ndjson")).compactMap {
            if case .invocation(let i) = $0 { i } else { nil }
        }
        let logs = try PipelineFixture.records(dir.file("l.ndjson")).compactMap { if case .log(let l) = $0 { l } else { nil } }
        let models = try JSONDecoder().decode(ModelsFile.self, from: Data(contentsOf: URL(fileURLWithPath: dir.file("m.json"))))
        return Run(invocations: invocations, logs: logs, report: try dir.read("r.html"), models: models)
    }

    struct Failure: Error, CustomStringConvertible { var description: String }

    /// The emulator's own counts for `function` (docs/lambda-emulator.md, "Statistics").
    static func stats(_ emulator: LocalEmulator, _ function: String) throws -> [String: Int] {
        let r = try Tools.run("/usr/bin/curl", ["-sf", emulator.endpoint + "/rightsize/2026-12-01/stats"])
        let json = try JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as? [String: Any]
        let functions = json?["functions"] as? [String: Any]
        return (functions?[function] as? [String: Any])?.compactMapValues { $0 as? Int } ?? [:]
    }

    @Test func closedLoopKeepsEightInFlightForFourHundredCalls() throws {
        let emulator = try LocalEmulator.start()
        defer { emulator.stop() }
        let dir = try TemporaryDirectory("e2e-loop")
        defer { dir.remove() }
        let run = try Self.run(
            Self.workload(
                "loop",
                #""application": "faas_measure", "concurrency": 8, "runs": 400, "payload": "p.json", "response_fields": ["/stat/inst_id"]"#),
            in: dir, emulator: emulator, files: ["p.json": #"{"cmds": {"sleep": 20, "stat": {}}}"#])
        let stats = try Self.stats(emulator, "faas_measure")
        #expect(stats["invocations"] == 400)
        #expect((1...8).contains(stats["peak_in_flight"] ?? 0), "the emulator saw \(stats["peak_in_flight"] ?? -1) in flight")
        #expect(run.invocations.count == 400 && run.invocations.allSatisfy { $0.error == nil })
        #expect(run.invocations.allSatisfy { $0.lagMs == nil && (0..<8).contains($0.slot ?? -1) })
        // Each slot sends its next call only after the previous one was answered.
        for slot in 0..<8 {
            let mine = run.invocations.filter { $0.slot == slot }.sorted { $0.sentUnixMs! < $1.sentUnixMs! }
            for (a, b) in zip(mine, mine.dropFirst()) { #expect(a.sentUnixMs! + a.latencyMs! <= b.sentUnixMs! + 1) }
        }
        // The environments the function reported are the log streams its REPORT lines came in.
        let ids = Set(run.logs.compactMap { $0.invocation.responseValues.first?.value.text })
        #expect(ids.count == Set(run.logs.map(\.logStream)).count && ids.count <= 8)
        let field = try #require(run.models.responseFields?.first { $0.pointer == "/stat/inst_id" })
        #expect(field.n == 400 && field.distinct == ids.count)
        #expect(run.report.contains("id=\"experiments\""))
    }

    @Test func rampPastTheConcurrencyLimitIsThrottled() throws {
        let emulator = try LocalEmulator.start(["--concurrency-limit", "8"])
        defer { emulator.stop() }
        let dir = try TemporaryDirectory("e2e-ramp")
        defer { dir.remove() }
        let run = try Self.run(
            Self.workload(
                "ramp", #""application": "faas_sleep", "ramp": {"from": 1, "to": 32, "factor": 2, "runs_per_slot": 1}, "payload": "p.json""#
            ),
            in: dir, emulator: emulator, files: ["p.json": #"{"ms": 2000}"#])
        let streams = Dictionary(grouping: run.logs, by: { $0.invocation.call.loop!.step }).mapValues { Set($0.map(\.logStream)).count }
        let byStep = Dictionary(grouping: run.invocations, by: { $0.call.loop!.concurrency })
        #expect(byStep.keys.sorted() == [1, 2, 4, 8, 16, 32])
        for (concurrency, calls) in byStep {
            let throttled = calls.filter { $0.error == .throttled }.count
            // Up to the limit a loop never exceeds it; past it, 2 s calls started together must overlap.
            if concurrency <= 8 { #expect(throttled == 0, "\(concurrency): \(throttled) throttled") } else { #expect(throttled > 0) }
        }
        let environments = (0..<6).map { streams[$0] ?? 0 }
        #expect(environments == environments.sorted(), "environments per step grow with concurrency: \(environments)")
        #expect(zip(environments, [1, 2, 4, 8, 16, 32]).allSatisfy { $0 <= min($1, 8) })
        #expect(environments.last! > environments.first!)
        #expect(run.report.contains("Scale-up of x"))
    }

    @Test func idleGapsPastTheTimeoutAreColdAndShorterOnesWarm() throws {
        let emulator = try LocalEmulator.start(["--idle-timeout-s", "5"])
        defer { emulator.stop() }
        let dir = try TemporaryDirectory("e2e-idle")
        defer { dir.remove() }
        let run = try Self.run(
            Self.workload("idle", #""application": "faas_measure", "idle_gaps_s": [1, 3, 7, 10], "payload": "p.json""#),
            in: dir, emulator: emulator, files: ["p.json": #"{"cmds": {"stat": {}}}"#])
        #expect(run.logs.count == 5)
        for log in run.logs {
            guard let gap = log.invocation.call.loop?.idleS else {
                #expect(log.report.initMs != nil, "the first call starts the environment")
                continue
            }
            #expect((log.report.initMs != nil) == (gap > 5), "after \(gap) s idle")
        }
        #expect(run.report.contains("P(cold) by idle time"))
    }

    @Test func coldCallsAllStartAnEnvironmentAndTheDescriptionIsRestored() throws {
        let emulator = try LocalEmulator.start()
        defer { emulator.stop() }
        let dir = try TemporaryDirectory("e2e-cold")
        defer { dir.remove() }
        let run = try Self.run(
            Self.workload("cold", #""application": "faas_sleep", "concurrency": 1, "runs": 6, "cold": true"#, sizes: "[128, 256]"),
            in: dir, emulator: emulator)
        #expect(run.logs.count == 12)
        #expect(run.logs.allSatisfy { $0.report.initMs != nil }, "every cold call has an Init Duration")
        let env = emulator.environment.merging(["AWS_CONFIG_FILE": "/dev/null"]) { _, b in b }
        let r = try Tools.run(
            "/usr/bin/env",
            ["aws", "lambda", "get-function-configuration", "--function-name", "faas_sleep", "--query", "Description", "--output", "text"],
            environment: env)
        #expect(r.stdout.hasPrefix("Sleep-bound"), "the function's own description is back: \(r.stdout) \(r.stderr)")
    }

    @Test func saafExampleRunsThroughPipelineMake() throws {
        let dir = try TemporaryDirectory("e2e-saaf")
        defer { dir.remove() }
        let run = dir.file("run")
        let r = try PipelineFixture.make(["stages"], runDirectory: run, workload: PackageRoot.path + "/data/saaf-hello.json")
        #expect(r.status == 0, "\(r.stdout)\n\(r.stderr)")
        let invocations = try PipelineFixture.records(run + "/invocations.ndjson").compactMap {
            if case .invocation(let i) = $0 { i } else { nil }
        }
        #expect(invocations.count == 60 && invocations.allSatisfy { $0.error == nil && $0.functionError == nil })
        #expect(Set(invocations.map(\.call.memoryMB)) == [256, 512, 1024])
        #expect(invocations.allSatisfy { ($0.slot ?? -1) < 5 })
        let models = try JSONDecoder().decode(ModelsFile.self, from: Data(contentsOf: URL(fileURLWithPath: run + "/models.json")))
        let newContainer = try #require(models.responseFields?.filter { $0.pointer == "/newcontainer" })
        #expect(newContainer.count == 3 && newContainer.allSatisfy { $0.n == 20 && ($0.mean ?? -1) > 0 })
        #expect(try dir.read("run/report.html").contains("/cpuUserDelta"))
    }
}
