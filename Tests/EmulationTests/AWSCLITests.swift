import Foundation
import TestSupport
import Testing

/// The protocol's acceptance test: the AWS CLI on the machine works against the
/// emulator unchanged, with only --endpoint-url and the local credentials.
@Suite("AWS CLI against the emulator")
struct AWSCLITests {
    /// The `aws` on PATH, if any.
    static let awsPath: String? = (ProcessInfo.processInfo.environment["PATH"] ?? "/usr/local/bin:/usr/bin")
        .split(separator: ":").map { "\($0)/aws" }.first { FileManager.default.isExecutableFile(atPath: $0) }

    func aws(_ emulator: LocalEmulator, _ arguments: [String]) throws -> CLIResult {
        var env = emulator.environment
        env["AWS_ENDPOINT_URL"] = nil
        env["AWS_CONFIG_FILE"] = "/dev/null"
        env["AWS_SHARED_CREDENTIALS_FILE"] = "/dev/null"
        var clean = ProcessInfo.processInfo.environment.filter { !$0.key.hasPrefix("AWS_") }
        clean.merge(env) { _, new in new }
        clean["AWS_PROFILE"] = nil
        clean["PYTHONWARNINGS"] = "ignore"
        clean["AWS_SESSION_TOKEN"] = nil
        return try CLIResult.run(Self.awsPath!, ["--endpoint-url", emulator.endpoint, "--output", "json"] + arguments, environment: clean)
    }

    func json(_ r: CLIResult) -> [String: Any] {
        (try? JSONSerialization.jsonObject(with: Data(r.stdout.utf8))) as? [String: Any] ?? [:]
    }

    @Test(.enabled(if: awsPath != nil, "the aws CLI is not installed"))
    func invokeUpdateGetFilterDescribe() throws {
        let emulator = try LocalEmulator.start(["--log-delay-ms", "100"])
        defer { emulator.stop() }
        let dir = try TemporaryDirectory("emulator-cli")
        defer { dir.remove() }

        let invoke = try aws(
            emulator,
            [
                "lambda", "invoke", "--function-name", "faas_measure",
                "--payload", #"{"cmds":{"sleep":5,"cpu":{"n":1}}}"#, "--log-type", "Tail", dir.file("out.json"),
            ])
        #expect(invoke.status == 0, "\(invoke.stderr)")
        #expect(json(invoke)["StatusCode"] as? Int == 200)
        let tail = String(decoding: Data(base64Encoded: json(invoke)["LogResult"] as? String ?? "") ?? Data(), as: UTF8.self)
        #expect(tail.contains("REPORT RequestId: "))
        #expect(try dir.read("out.json").contains("\"elapsed_time\""))

        let update = try aws(
            emulator, ["lambda", "update-function-configuration", "--function-name", "faas_measure", "--memory-size", "256"])
        #expect(update.status == 0, "\(update.stderr)")
        #expect(json(update)["LastUpdateStatus"] as? String == "InProgress")
        var status = ""
        for _ in 0..<20 where status != "Successful" {
            let get = try aws(emulator, ["lambda", "get-function-configuration", "--function-name", "faas_measure"])
            #expect(get.status == 0, "\(get.stderr)")
            status = json(get)["LastUpdateStatus"] as? String ?? ""
            #expect(json(get)["MemorySize"] as? Int == 256)
        }
        #expect(status == "Successful")

        // The REPORT line appears once the log propagation delay has passed: poll the CLI for it.
        var filter = CLIResult(status: -1, stdout: "", stderr: "")
        var events: [[String: Any]] = []
        try Wait.until(timeout: 60, poll: 0.1) {
            filter = try aws(
                emulator, ["logs", "filter-log-events", "--log-group-name", "/aws/lambda/faas_measure", "--filter-pattern", "REPORT"])
            events = json(filter)["events"] as? [[String: Any]] ?? []
            return filter.status != 0 || !events.isEmpty
        }
        #expect(filter.status == 0, "\(filter.stderr)")
        #expect(events.count == 1)
        #expect((events.first?["message"] as? String)?.contains("\tBilled Duration: ") == true)

        let streams = try aws(emulator, ["logs", "describe-log-streams", "--log-group-name", "/aws/lambda/faas_measure"])
        #expect(streams.status == 0, "\(streams.stderr)")
        #expect((json(streams)["logStreams"] as? [[String: Any]])?.count == 1)

        let wrong = try aws(emulator, ["lambda", "get-function-configuration", "--function-name", "missing"])
        #expect(wrong.status != 0)
        #expect(wrong.stderr.contains("ResourceNotFoundException"))
    }
}

/// A program's exit status and output.
struct CLIResult {
    var status: Int32
    var stdout: String
    var stderr: String

    /// Runs a program with exactly `environment` (no inherited variables); output goes
    /// through files so a chatty program never blocks on a full pipe.
    static func run(_ program: String, _ arguments: [String], environment: [String: String]) throws -> CLIResult {
        let dir = try TemporaryDirectory("cli")
        defer { dir.remove() }
        _ = FileManager.default.createFile(atPath: dir.file("out"), contents: nil)
        _ = FileManager.default.createFile(atPath: dir.file("err"), contents: nil)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: program)
        process.arguments = arguments
        process.environment = environment
        process.standardOutput = FileHandle(forWritingAtPath: dir.file("out"))
        process.standardError = FileHandle(forWritingAtPath: dir.file("err"))
        process.standardInput = FileHandle.nullDevice
        try process.run()
        process.waitUntilExit()
        return CLIResult(status: process.terminationStatus, stdout: (try? dir.read("out")) ?? "", stderr: (try? dir.read("err")) ?? "")
    }
}
