import AWS
import CurlHTTP
import Foundation
import JSON
import NDJSONIO
import RecordSchema
import TestSupport
import Testing
import ToolSupport

/// Schedules written with Records, as plan would write them.
enum ScheduleFile {
    static func header(memorySizes: [Int], scheduled: Int) -> RunHeader {
        RunHeader(
            run: "invoke-test", seed: 7, seedGenerated: false, workloadSHA256: String(repeating: "0", count: 64),
            workload: .emptyObject, memorySizes: memorySizes, scheduled: scheduled, generator: "rightsize",
            tools: ["plan \(RightsizeVersion.current)"])
    }

    static func call(
        seq: Int, phase: Int, memory: Int, at: Double, target: Target, payload: String,
        application: String = "faas_measure"
    ) throws -> ScheduledCall {
        ScheduledCall(
            run: "invoke-test", seq: seq, phase: phase, memoryMB: memory, instance: "instance1",
            application: application, atS: at, target: target, payload: try RawJSON(parsing: payload),
            payloadIndex: 0, seed: 7)
    }

    static func text(memorySizes: [Int], _ calls: [ScheduledCall]) -> String {
        var w = JSONWriter(capacity: 1 << 12)
        Record.run(header(memorySizes: memorySizes, scheduled: calls.count)).write(to: &w)
        for c in calls { Record.schedule(c).write(to: &w) }
        return String(decoding: w.bytes, as: UTF8.self)
    }

    static let lambda = Target.lambda(function: "faas_measure", region: nil, invocationType: "RequestResponse", qualifier: nil)
}

/// invocations.ndjson read back.
struct InvocationsOutput {
    var header: RunHeader?
    var invocations: [Invocation] = []
    var summary: InvokeSummary?
    var kinds: [String] = []

    init(path: String) throws {
        let reader = try NDJSONReader(path: path)
        try reader.forEachRecord { _, record in
            kinds.append(record.kind)
            switch record {
            case .run(let h): header = h
            case .invocation(let i): invocations.append(i)
            case .invokeSummary(let s): summary = s
            default: break
            }
        }
    }
}

@Suite(.serialized)
struct InvokeToolTests {
    func environment(_ emulator: LocalEmulator, home: String) -> [String: String] {
        emulator.environment.merging(["HOME": home, "AWS_PROFILE": "", "AWS_SESSION_TOKEN": ""]) { $1 }
    }

    @Test func lambdaPhasesSetMemoryAndRecordEveryCall() async throws {
        let emulator = try LocalEmulator.start()
        defer { emulator.stop() }
        let dir = try TemporaryDirectory("invoke")
        defer { dir.remove() }
        var calls: [ScheduledCall] = []
        for (phase, memory) in [128, 256].enumerated() {
            for k in 0..<5 {
                let payload = k == 4 ? #"{"cmds":{"net":{}}}"# : #"{"cmds":{"sleep":5}}"#
                calls.append(
                    try ScheduleFile.call(
                        seq: calls.count, phase: phase, memory: memory, at: Double(k) * 0.1,
                        target: ScheduleFile.lambda, payload: payload))
            }
        }
        try dir.write("schedule.ndjson", ScheduleFile.text(memorySizes: [128, 256], calls))
        let result = try Tools.run(
            "invoke", [dir.file("schedule.ndjson"), "-o", dir.file("out.ndjson")],
            environment: environment(emulator, home: dir.path))
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout.isEmpty)
        #expect(result.stderr.contains("10 scheduled, 10 sent"))
        let out = try InvocationsOutput(path: dir.file("out.ndjson"))
        #expect(out.kinds == ["run"] + Array(repeating: "invocation", count: 10) + ["invoke_summary"])
        #expect(out.header?.tools == ["plan \(RightsizeVersion.current)", "invoke \(RightsizeVersion.current)"])
        #expect(out.invocations.map(\.call) == calls)
        for i in out.invocations {
            #expect(i.httpStatus == 200)
            #expect(i.requestId != nil)
            #expect(i.attempts == 1)
            #expect(i.error == nil)
            #expect(i.functionError == (i.call.payload.text.contains("net") ? "Unhandled" : nil))
            // How late the send was depends on this machine's load: AcceptanceTests bounds it.
            let lag = try #require(i.lagMs)
            #expect(lag >= 0)
            #expect(abs(i.sentUnixMs! - (i.phaseStartUnixMs + 1000 * i.call.atS + lag)) < 0.01)
            #expect(i.scheduledLatencyMs! >= i.latencyMs!)
        }
        // Phase 1 ran after phase 0 ended, at its own start.
        let lastOfPhase0 = out.invocations.filter { $0.call.phase == 0 }.map { $0.sentUnixMs! + $0.latencyMs! }.max()!
        #expect(out.invocations.filter { $0.call.phase == 1 }.allSatisfy { $0.phaseStartUnixMs > lastOfPhase0 })
        #expect(out.summary?.outcomes == ["ok": 8, "function_error": 2])
        #expect(out.summary?.interrupted == false)
        // The last phase's memory size is live.
        let lambda = try LambdaClient(http: HTTPClient(), configuration: .resolve(environment: emulator.environment, home: dir.path))
        #expect(try await lambda.getFunctionConfiguration("faas_measure").memorySize == 256)
    }

    @Test func throttlesAreRecordedAndOptionallyRetried() throws {
        let emulator = try LocalEmulator.start(["--concurrency-limit", "1"])
        defer { emulator.stop() }
        let dir = try TemporaryDirectory("invoke")
        defer { dir.remove() }
        let calls = try (0..<3).map {
            try ScheduleFile.call(seq: $0, phase: 0, memory: 128, at: 0, target: ScheduleFile.lambda, payload: #"{"cmds":{"sleep":300}}"#)
        }
        try dir.write("schedule.ndjson", ScheduleFile.text(memorySizes: [128], calls))
        let plain = try Tools.run(
            "invoke", [dir.file("schedule.ndjson"), "-o", dir.file("a.ndjson")],
            environment: environment(emulator, home: dir.path))
        #expect(plain.status == 0, "\(plain.stderr)")
        let a = try InvocationsOutput(path: dir.file("a.ndjson"))
        #expect(a.invocations.count == 3)
        #expect(a.invocations.filter { $0.error == nil }.count == 1)
        for t in a.invocations where t.error != nil {
            #expect(t.error == .throttled && t.httpStatus == 429 && t.attempts == 1)
            #expect(t.errorMessage?.contains("TooManyRequestsException") == true)
        }
        #expect(a.summary?.outcomes == ["ok": 1, "throttled": 2])

        let retried = try Tools.run(
            "invoke", [dir.file("schedule.ndjson"), "-o", dir.file("b.ndjson"), "--retry-throttled", "6"],
            environment: environment(emulator, home: dir.path))
        #expect(retried.status == 0, "\(retried.stderr)")
        let b = try InvocationsOutput(path: dir.file("b.ndjson"))
        #expect(b.invocations.allSatisfy { $0.error == nil && $0.httpStatus == 200 })
        #expect(b.invocations.map(\.attempts).max()! > 1)
        // Latency counts from the first send, so retries' waiting is included.
        #expect(b.invocations.map(\.latencyMs!).max()! > 1000)
    }

    @Test func httpTargetsThroughTheGatewaySetTheApplicationsMemory() throws {
        let emulator = try LocalEmulator.start()
        defer { emulator.stop() }
        let dir = try TemporaryDirectory("invoke")
        defer { dir.remove() }
        let target = Target.http(url: emulator.endpoint + "/default/faas_measure", method: "POST", signed: false)
        let calls = try [(0, 128), (1, 512)].flatMap { phase, memory in
            try (0..<3).map { k in
                try ScheduleFile.call(
                    seq: phase * 3 + k, phase: phase, memory: memory, at: Double(k) * 0.05, target: target,
                    payload: #"{"cmds":{"stat":{}}}"#)
            }
        }
        try dir.write("schedule.ndjson", ScheduleFile.text(memorySizes: [128, 512], calls))
        let result = try Tools.run("invoke", [dir.file("schedule.ndjson")], environment: environment(emulator, home: dir.path))
        #expect(result.status == 0, "\(result.stderr)")
        try dir.write("out.ndjson", result.stdout)
        let out = try InvocationsOutput(path: dir.file("out.ndjson"))
        #expect(out.invocations.count == 6)
        #expect(out.invocations.allSatisfy { $0.httpStatus == 200 && $0.requestId != nil && $0.responseBytes > 0 })
        // --no-set-memory needs no credentials for unsigned HTTP targets.
        let bare = try Tools.run(
            "invoke", [dir.file("schedule.ndjson"), "--no-set-memory", "-o", dir.file("bare.ndjson")],
            environment: [
                "HOME": dir.path, "AWS_ACCESS_KEY_ID": "", "AWS_SECRET_ACCESS_KEY": "",
                "AWS_PROFILE": "", "AWS_REGION": "", "AWS_DEFAULT_REGION": "",
            ])
        #expect(bare.status == 0, "\(bare.stderr)")
    }

    @Test func interruptStillWritesACompleteFile() async throws {
        let emulator = try LocalEmulator.start()
        defer { emulator.stop() }
        let dir = try TemporaryDirectory("invoke")
        defer { dir.remove() }
        let calls = try (0..<60).map {
            try ScheduleFile.call(
                seq: $0, phase: 0, memory: 128, at: Double($0) * 0.1, target: ScheduleFile.lambda,
                payload: #"{"cmds":{"sleep":20}}"#)
        }
        try dir.write("schedule.ndjson", ScheduleFile.text(memorySizes: [128], calls))
        let process = Process()
        process.executableURL = URL(fileURLWithPath: Tools.path("invoke"))
        process.arguments = [dir.file("schedule.ndjson"), "-o", dir.file("out.ndjson"), "--grace", "1"]
        process.environment = ProcessInfo.processInfo.environment.merging(environment(emulator, home: dir.path)) { $1 }
        process.standardError = FileHandle.nullDevice
        try process.run()
        // Interrupt once invoke has really sent calls and one has come back (its REPORT line is in
        // the emulator's logs), so calls are behind and ahead of the interrupt and the ones in
        // flight are warm ones that end within the grace period.
        let logs = try LogsClient(http: HTTPClient(), configuration: .resolve(environment: emulator.environment, home: dir.path))
        let oneDone = await Wait.until(timeout: 30, poll: 0.25) {
            guard let page = try? await logs.filterLogEvents(.init(logGroupName: "/aws/lambda/faas_measure", filterPattern: "REPORT"))
            else { return false }
            return String(decoding: page, as: UTF8.self).contains("REPORT RequestId")
        }
        try #require(oneDone, "no call of invoke completed within 30 s")
        kill(process.processIdentifier, SIGINT)
        #expect(await Wait.until(timeout: 20) { !process.isRunning })
        #expect(process.terminationStatus == ExitStatus.failure)
        let out = try InvocationsOutput(path: dir.file("out.ndjson"))
        #expect(out.invocations.count == 60)
        #expect(out.invocations.map(\.call.seq) == Array(0..<60))
        let summary = try #require(out.summary)
        #expect(summary.interrupted)
        #expect(summary.sent > 0 && summary.notSent > 0 && summary.sent + summary.notSent == 60)
        for i in out.invocations {
            if i.error == .notSent { #expect(i.sentUnixMs == nil && i.attempts == 0) } else { #expect(i.httpStatus == 200) }
        }
        #expect(try !FileManager.default.contentsOfDirectory(atPath: dir.path).contains { $0.hasPrefix(".out.ndjson.tmp") })
    }

    @Test func badInputIsOneLineAndExit2BeforeAnythingIsSent() throws {
        let dir = try TemporaryDirectory("invoke")
        defer { dir.remove() }
        let good = try ScheduleFile.call(
            seq: 0, phase: 0, memory: 128, at: 0,
            target: .http(url: "http://127.0.0.1:1/", method: "POST", signed: false), payload: "{}")
        var lines = ScheduleFile.text(memorySizes: [128], [good, good]).split(separator: "\n").map(String.init)
        lines[2] = lines[2].replacingOccurrences(of: #""memory_mb":128"#, with: #""memory_mb":64"#)
        try dir.write("bad.ndjson", lines.joined(separator: "\n") + "\n")
        let result = try Tools.run("invoke", [dir.file("bad.ndjson"), "-o", dir.file("out.ndjson"), "--no-set-memory"])
        #expect(result.status == 2)
        #expect(result.stderr == "invoke: \(dir.file("bad.ndjson")):3: memory_mb: missing or outside 128..10240\n")
        #expect(!dir.exists("out.ndjson"))
        try dir.write("noheader.ndjson", lines[1] + "\n")
        let noHeader = try Tools.run("invoke", [dir.file("noheader.ndjson"), "--no-set-memory"])
        #expect(noHeader.status == 2)
        #expect(noHeader.stderr.hasPrefix("invoke: \(dir.file("noheader.ndjson")):1: record: the first line must be the run header"))
        try dir.write("dup.ndjson", [lines[0], lines[1], lines[1]].joined(separator: "\n"))
        let dup = try Tools.run("invoke", [dir.file("dup.ndjson"), "--no-set-memory"])
        #expect(dup.status == 2 && dup.stderr.contains(":3: seq: 0 repeats line 2"))
    }

    @Test func missingCredentialsNameWhatToSet() throws {
        let dir = try TemporaryDirectory("invoke")
        defer { dir.remove() }
        let call = try ScheduleFile.call(seq: 0, phase: 0, memory: 128, at: 0, target: ScheduleFile.lambda, payload: "{}")
        try dir.write("s.ndjson", ScheduleFile.text(memorySizes: [128], [call]))
        let empty = [
            "HOME": dir.path, "AWS_ACCESS_KEY_ID": "", "AWS_SECRET_ACCESS_KEY": "", "AWS_PROFILE": "",
            "AWS_SESSION_TOKEN": "", "AWS_REGION": "us-east-1", "AWS_DEFAULT_REGION": "",
            "AWS_EC2_METADATA_DISABLED": "true",
        ]
        let result = try Tools.run("invoke", [dir.file("s.ndjson"), "-o", dir.file("out.ndjson")], environment: empty)
        #expect(result.status == 2)
        #expect(result.stderr.hasPrefix("invoke: no AWS credentials: set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY"))
        #expect(result.stderr.split(separator: "\n").count == 1)
        #expect(!dir.exists("out.ndjson"))
        var noRegion = empty
        noRegion["AWS_ACCESS_KEY_ID"] = "AKIDX"
        noRegion["AWS_SECRET_ACCESS_KEY"] = "s"
        noRegion["AWS_REGION"] = ""
        let r2 = try Tools.run("invoke", [dir.file("s.ndjson")], environment: noRegion)
        #expect(r2.status == 2 && r2.stderr.hasPrefix("invoke: no AWS region: set AWS_REGION"))
    }

    /// A qualifier names an alias or version, whose memory cannot change: phases at several
    /// sizes would all run at one. Refused before anything is sent (no credentials needed).
    @Test func qualifiedTargetWithSeveralMemorySizesIsRefused() throws {
        let dir = try TemporaryDirectory("invoke")
        defer { dir.remove() }
        let live = Target.lambda(function: "faas_measure", region: nil, invocationType: "RequestResponse", qualifier: "live")
        let calls = try [128, 256].enumerated().map { phase, memory in
            try ScheduleFile.call(seq: phase, phase: phase, memory: memory, at: 0, target: live, payload: "{}")
        }
        try dir.write("s.ndjson", ScheduleFile.text(memorySizes: [128, 256], calls))
        let env = [
            "HOME": dir.path, "AWS_ACCESS_KEY_ID": "", "AWS_SECRET_ACCESS_KEY": "", "AWS_PROFILE": "",
            "AWS_ENDPOINT_URL": "http://127.0.0.1:9", "AWS_REGION": "us-east-1", "AWS_EC2_METADATA_DISABLED": "true",
        ]
        let result = try Tools.run("invoke", [dir.file("s.ndjson"), "-o", dir.file("out.ndjson")], environment: env)
        #expect(result.status == 2)
        #expect(
            result.stderr
                == "invoke: \(dir.file("s.ndjson")):2: qualifier: faas_measure:live is an alias or version, whose memory cannot "
                + "change (only $LATEST's can), but the schedule has memory phases 128, 256 MB: drop qualifier to measure "
                + "$LATEST, or plan one memory size per qualified run\n")
        #expect(!dir.exists("out.ndjson"))
        // With --no-set-memory nothing is changed, so nothing is refused (the run then fails on the closed port).
        let unchanged = try Tools.run("invoke", [dir.file("s.ndjson"), "--no-set-memory", "-o", dir.file("out.ndjson")], environment: env)
        #expect(!unchanged.stderr.contains("qualifier"))
    }

    /// Credentials from a profile's credential_process sign every call; a failing provider is
    /// one line naming it, exit 2, and no secret in it.
    @Test func credentialProcessProfileSignsTheRunAndFailuresNameIt() throws {
        let emulator = try LocalEmulator.start()
        defer { emulator.stop() }
        let dir = try TemporaryDirectory("invoke")
        defer { dir.remove() }
        let script = dir.file("creds.sh")
        try dir.write(
            "creds.sh",
            "#!/bin/sh\necho '{\"Version\": 1, \"AccessKeyId\": \"\(emulator.accessKeyId)\", \"SecretAccessKey\": \"\(emulator.secretAccessKey)\"}'\n"
        )
        let failing = dir.file("fail.sh")
        try dir.write("fail.sh", "#!/bin/sh\necho '{\"Version\": 9, \"AccessKeyId\": \"AKIDX\", \"SecretAccessKey\": \"TOPSECRETPROC\"}'\n")
        chmod(script, 0o755)
        chmod(failing, 0o755)
        try FileManager.default.createDirectory(atPath: dir.file(".aws"), withIntermediateDirectories: true)
        try dir.write(".aws/config", "[profile proc]\ncredential_process = \(script)\n[profile bad]\ncredential_process = \(failing)\n")
        let calls = try (0..<3).map {
            try ScheduleFile.call(seq: $0, phase: 0, memory: 128, at: Double($0) * 0.05, target: ScheduleFile.lambda, payload: "{}")
        }
        try dir.write("s.ndjson", ScheduleFile.text(memorySizes: [128], calls))
        var env = environment(emulator, home: dir.path)
        env["AWS_ACCESS_KEY_ID"] = ""
        env["AWS_SECRET_ACCESS_KEY"] = ""
        env["AWS_EC2_METADATA_DISABLED"] = "true"
        env["AWS_PROFILE"] = "proc"
        let result = try Tools.run("invoke", [dir.file("s.ndjson"), "-o", dir.file("out.ndjson"), "-q"], environment: env)
        #expect(result.status == 0, "\(result.stderr)")
        #expect(try InvocationsOutput(path: dir.file("out.ndjson")).invocations.allSatisfy { $0.httpStatus == 200 })
        env["AWS_PROFILE"] = "bad"
        let bad = try Tools.run("invoke", [dir.file("s.ndjson"), "-o", dir.file("bad.ndjson")], environment: env)
        #expect(bad.status == 2)
        #expect(bad.stderr == "invoke: AWS credentials from credential_process of profile [bad] failed: its output has Version 9, not 1\n")
        #expect(!bad.stderr.contains("TOPSECRETPROC"))
    }
}
