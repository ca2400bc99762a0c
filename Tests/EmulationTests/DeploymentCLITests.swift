import Foundation
import TestSupport
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// A user's own function deployed and run with the AWS CLI only: create-function from a zip
/// of a `bootstrap` shell script (the Runtime API loop with curl), invoke, its printed line in
/// filter-log-events; update-function-code, delete-function; and the deployments Lambda refuses.
@Suite("AWS CLI deploys a provided.al2023 function", .serialized)
struct DeploymentCLITests {
    static let toolsPresent =
        AWSCLITests.awsPath != nil && FileManager.default.isExecutableFile(atPath: "/usr/bin/zip")
        && FileManager.default.isExecutableFile(atPath: "/usr/bin/curl")
    let cli = AWSCLITests()
    static let hostArchitecture: String = {
        var u = utsname()
        uname(&u)
        let machine = withUnsafeBytes(of: &u.machine) { String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self) }
        return machine == "aarch64" ? "arm64" : "x86_64"
    }()

    /// A zip of `files` (name → text; `bootstrap` executable), made with Info-ZIP's `zip`.
    static func zip(_ files: [String: String], in dir: TemporaryDirectory, named name: String) throws -> String {
        let source = dir.file(name + ".d")
        try FileManager.default.createDirectory(atPath: source, withIntermediateDirectories: true)
        for (file, text) in files {
            try text.write(toFile: source + "/" + file, atomically: true, encoding: .utf8)
            chmod(source + "/" + file, 0o755)
        }
        let zip = dir.file(name)
        let result = try CLIResult.run("/usr/bin/zip", ["-j", "-q", zip] + files.keys.sorted().map { source + "/" + $0 }, environment: [:])
        guard result.status == 0 else { throw RawHTTP.Failure(description: "zip failed: \(result.stderr)") }
        return zip
    }

    func create(_ emulator: LocalEmulator, _ name: String, zip: String, runtime: String = "provided.al2023") throws -> CLIResult {
        try cli.aws(
            emulator,
            [
                "lambda", "create-function", "--function-name", name, "--zip-file", "fileb://\(zip)", "--runtime", runtime,
                "--handler", "x", "--role", "arn:aws:iam::123456789012:role/x", "--memory-size", "256", "--timeout", "5",
            ])
    }

    @Test(.enabled(if: toolsPresent, "the aws CLI, zip or curl is not installed"))
    func createInvokeReadLogsUpdateDelete() throws {
        let emulator = try LocalEmulator.start(["--log-delay-ms", "100"])
        defer { emulator.stop() }
        let dir = try TemporaryDirectory("deploy-cli")
        defer { dir.remove() }
        let zip = try Self.zip(["bootstrap": RuntimeFixtures.echo], in: dir, named: "f.zip")

        let created = try create(emulator, "hello", zip: zip)
        #expect(created.status == 0, "\(created.stderr)")
        #expect(cli.json(created)["State"] as? String == "Pending")
        #expect(cli.json(created)["Runtime"] as? String == "provided.al2023")
        #expect(cli.json(created)["Role"] as? String == "arn:aws:iam::123456789012:role/x")
        #expect((cli.json(created)["CodeSha256"] as? String)?.isEmpty == false)
        #expect(cli.json(created)["Architectures"] as? [String] == [Self.hostArchitecture])
        let active = try cli.aws(emulator, ["lambda", "wait", "function-active-v2", "--function-name", "hello"])
        #expect(active.status == 0, "\(active.stderr)")

        let invoke = try cli.aws(
            emulator, ["lambda", "invoke", "--function-name", "hello", "--payload", #"{"n":7}"#, dir.file("out.json")])
        #expect(invoke.status == 0, "\(invoke.stderr)")
        #expect(try dir.read("out.json") == #"{"echo":{"n":7}}"#)

        var events: [[String: Any]] = []
        try Wait.until(timeout: 60, poll: 0.2) {
            let filter = try cli.aws(
                emulator,
                ["logs", "filter-log-events", "--log-group-name", "/aws/lambda/hello", "--filter-pattern", "\"hello from bootstrap\""])
            events = cli.json(filter)["events"] as? [[String: Any]] ?? []
            return filter.status != 0 || !events.isEmpty
        }
        #expect(events.map { $0["message"] as? String } == [#"hello from bootstrap: {"n":7}"#])

        let v2 = try Self.zip(
            ["bootstrap": RuntimeFixtures.echo.replacingOccurrences(of: "hello from bootstrap", with: "hello from v2")], in: dir,
            named: "v2.zip")
        let updated = try cli.aws(emulator, ["lambda", "update-function-code", "--function-name", "hello", "--zip-file", "fileb://\(v2)"])
        #expect(updated.status == 0, "\(updated.stderr)")
        #expect(cli.json(updated)["LastUpdateStatus"] as? String == "InProgress")
        let done = try cli.aws(emulator, ["lambda", "wait", "function-updated-v2", "--function-name", "hello"])
        #expect(done.status == 0, "\(done.stderr)")
        let second = try cli.aws(
            emulator, ["lambda", "invoke", "--function-name", "hello", "--payload", "{}", "--log-type", "Tail", dir.file("out2.json")])
        let tail = String(decoding: Data(base64Encoded: cli.json(second)["LogResult"] as? String ?? "") ?? Data(), as: UTF8.self)
        #expect(tail.contains("hello from v2: {}"), "\(tail)")

        let deleted = try cli.aws(emulator, ["lambda", "delete-function", "--function-name", "hello"])
        #expect(deleted.status == 0, "\(deleted.stderr)")
        let gone = try cli.aws(emulator, ["lambda", "get-function", "--function-name", "hello"])
        #expect(gone.status != 0)
        #expect(gone.stderr.contains("ResourceNotFoundException"))
    }

    @Test(.enabled(if: toolsPresent, "the aws CLI, zip or curl is not installed"))
    func refusedDeployments() throws {
        let emulator = try LocalEmulator.start()
        defer { emulator.stop() }
        let dir = try TemporaryDirectory("deploy-cli")
        defer { dir.remove() }
        let good = try Self.zip(["bootstrap": RuntimeFixtures.echo], in: dir, named: "good.zip")
        let noBootstrap = try Self.zip(["main.sh": RuntimeFixtures.echo], in: dir, named: "nobootstrap.zip")
        // A zip the AWS CLI takes (its directory is whole) whose file data is damaged.
        var damaged = try Data(contentsOf: URL(fileURLWithPath: good))
        for i in 120..<140 { damaged[i] ^= 0x5A }
        try damaged.write(to: URL(fileURLWithPath: dir.file("junk.zip")))

        let runtime = try create(emulator, "f1", zip: good, runtime: "cobol85")
        #expect(runtime.status != 0)
        #expect(runtime.stderr.contains("InvalidParameterValueException"), "\(runtime.stderr)")
        let missing = try create(emulator, "f2", zip: noBootstrap)
        #expect(missing.status != 0)
        #expect(missing.stderr.contains("InvalidParameterValueException") && missing.stderr.contains("bootstrap"), "\(missing.stderr)")
        let junk = try create(emulator, "f3", zip: dir.file("junk.zip"))
        #expect(junk.stderr.contains("Could not unzip uploaded file"), "\(junk.stderr)")
        let foreign = try cli.aws(
            emulator,
            [
                "lambda", "create-function", "--function-name", "f5", "--zip-file", "fileb://\(good)", "--runtime", "provided.al2023",
                "--handler", "x", "--role", "arn:aws:iam::123456789012:role/x", "--architectures",
                Self.hostArchitecture == "arm64" ? "x86_64" : "arm64",
            ])
        #expect(foreign.stderr.contains("InvalidParameterValueException"), "\(foreign.stderr)")
        let first = try create(emulator, "f4", zip: good)
        #expect(first.status == 0, "\(first.stderr)")
        let again = try create(emulator, "f4", zip: good)
        #expect(again.stderr.contains("ResourceConflictException"), "\(again.stderr)")
        let list = try cli.aws(emulator, ["lambda", "list-functions"])
        let names = (cli.json(list)["Functions"] as? [[String: Any]] ?? []).compactMap { $0["FunctionName"] as? String }
        #expect(names.contains("f4") && !names.contains("f1") && !names.contains("f2") && !names.contains("f3") && !names.contains("f5"))
    }

    @Test(.enabled(if: toolsPresent, "the aws CLI, zip or curl is not installed"))
    func aZipOverFiftyMegabytesIsTooLarge() throws {
        let emulator = try LocalEmulator.start()
        defer { emulator.stop() }
        let dir = try TemporaryDirectory("deploy-cli")
        defer { dir.remove() }
        // 51 MB that do not compress, stored: the zip is over Lambda's 50 MB direct-upload limit.
        var random = SystemRandomNumberGenerator()
        let filler = (0..<(51 * 1_048_576 / 8)).map { _ in random.next() as UInt64 }
        try filler.withUnsafeBytes { try Data($0).write(to: URL(fileURLWithPath: dir.file("filler.bin"))) }
        try RuntimeFixtures.echo.write(toFile: dir.file("bootstrap"), atomically: true, encoding: .utf8)
        let zipped = try CLIResult.run(
            "/usr/bin/zip", ["-j", "-q", "-0", dir.file("big.zip"), dir.file("bootstrap"), dir.file("filler.bin")], environment: [:])
        #expect(zipped.status == 0, "\(zipped.stderr)")
        let big = try create(emulator, "big", zip: dir.file("big.zip"))
        #expect(big.status != 0)
        #expect(big.stderr.contains("RequestEntityTooLargeException"), "\(big.stderr)")
        let list = try cli.aws(emulator, ["lambda", "get-function", "--function-name", "big"])
        #expect(list.stderr.contains("ResourceNotFoundException"))
    }

    @Test(.enabled(if: toolsPresent, "the aws CLI, zip or curl is not installed"))
    func aDeployedFunctionSurvivesARestart() throws {
        let dir = try TemporaryDirectory("deploy-cli")
        defer { dir.remove() }
        let state = dir.file("state")
        let zip = try Self.zip(["bootstrap": RuntimeFixtures.echo], in: dir, named: "f.zip")
        let first = try LocalEmulator.start(stateDirectory: state)
        let created = try create(first, "kept", zip: zip)
        #expect(created.status == 0, "\(created.stderr)")
        #expect(try cli.aws(first, ["lambda", "wait", "function-active-v2", "--function-name", "kept"]).status == 0)
        #expect(first.stop() == 0)

        let second = try LocalEmulator.start(stateDirectory: state)
        defer { second.stop() }
        let get = try cli.aws(second, ["lambda", "get-function", "--function-name", "kept"])
        #expect(get.status == 0, "\(get.stderr)")
        let configuration = cli.json(get)["Configuration"] as? [String: Any] ?? [:]
        #expect(configuration["CodeSha256"] as? String == cli.json(created)["CodeSha256"] as? String)
        #expect(configuration["MemorySize"] as? Int == 256)
        #expect(configuration["Role"] as? String == "arn:aws:iam::123456789012:role/x")
        let invoke = try cli.aws(second, ["lambda", "invoke", "--function-name", "kept", "--payload", #"{"n":8}"#, dir.file("out.json")])
        #expect(invoke.status == 0, "\(invoke.stderr)")
        #expect(try dir.read("out.json") == #"{"echo":{"n":8}}"#)
    }
}
