import Foundation
import TestSupport
import Testing

/// Published versions and aliases with the AWS CLI only: a version keeps the memory and code
/// it was published with whatever later happens to $LATEST, runs in environments of its own
/// (its log stream says `[N]`), an alias follows the version it points to, and the deletions
/// and inputs Lambda refuses are refused.
@Suite("AWS CLI publishes versions and aliases", .serialized)
struct VersionsCLITests {
    let cli = AWSCLITests()
    let deploy = DeploymentCLITests()

    func aws(_ emulator: LocalEmulator, _ arguments: [String]) throws -> [String: Any] {
        let r = try cli.aws(emulator, arguments)
        #expect(r.status == 0, "aws \(arguments.joined(separator: " ")): \(r.stderr)")
        return cli.json(r)
    }

    /// The error code the CLI printed for a refused call ("" if it succeeded).
    func refusal(_ emulator: LocalEmulator, _ arguments: [String]) throws -> String {
        let r = try cli.aws(emulator, arguments)
        guard r.status != 0, let open = r.stderr.range(of: "("),
            let close = r.stderr.range(of: ")", range: open.upperBound..<r.stderr.endIndex)
        else { return r.status == 0 ? "" : r.stderr }
        return String(r.stderr[open.upperBound..<close.lowerBound])
    }

    /// Invokes and answers the CLI's output (ExecutedVersion, LogResult) and the function's answer.
    func invoke(
        _ emulator: LocalEmulator, _ dir: TemporaryDirectory, _ arguments: [String], payload: String
    ) throws -> (
        [String: Any], String
    ) {
        let out = "out-\(UUID().uuidString.prefix(8)).json"
        let result = try aws(emulator, ["lambda", "invoke", "--payload", payload, "--log-type", "Tail"] + arguments + [dir.file(out)])
        return (result, try dir.read(out))
    }

    func tail(_ output: [String: Any]) -> String {
        String(decoding: Data(base64Encoded: output["LogResult"] as? String ?? "") ?? Data(), as: UTF8.self)
    }

    func memory(ofAnswer text: String) -> String? {
        ((try? JSONSerialization.jsonObject(with: Data(text.utf8))) as? [String: Any])?["memory"] as? String
    }

    func v2Zip(_ dir: TemporaryDirectory) throws -> String {
        try DeploymentCLITests.zip(
            ["bootstrap": RuntimeFixtures.echo.replacingOccurrences(of: "hello from bootstrap", with: "hello from v2")], in: dir,
            named: "v2.zip")
    }

    /// Creates `fn` (256 MB), publishes it, points `live` at version 1, then changes $LATEST's
    /// memory and code.
    func publishThenChangeLatest(_ emulator: LocalEmulator, _ dir: TemporaryDirectory) throws {
        let zip = try DeploymentCLITests.zip(["bootstrap": RuntimeFixtures.echo], in: dir, named: "f.zip")
        let created = try deploy.create(emulator, "fn", zip: zip)
        #expect(created.status == 0, "\(created.stderr)")
        #expect(cli.json(created)["LastUpdateStatus"] == nil, "no last update while the function is being created")
        _ = try aws(emulator, ["lambda", "wait", "function-active-v2", "--function-name", "fn"])
        #expect(
            try aws(emulator, ["lambda", "get-function-configuration", "--function-name", "fn"])["LastUpdateStatus"] as? String
                == "Successful")

        let published = try aws(emulator, ["lambda", "publish-version", "--function-name", "fn", "--description", "first"])
        #expect(published["Version"] as? String == "1")
        #expect((published["FunctionArn"] as? String)?.hasSuffix(":function:fn:1") == true)
        #expect(published["Description"] as? String == "first")
        #expect(published["MemorySize"] as? Int == 256)
        // Nothing changed since version 1: publishing again answers version 1.
        #expect(try aws(emulator, ["lambda", "publish-version", "--function-name", "fn"])["Version"] as? String == "1")
        let alias = try aws(emulator, ["lambda", "create-alias", "--function-name", "fn", "--name", "live", "--function-version", "1"])
        #expect((alias["AliasArn"] as? String)?.hasSuffix(":function:fn:live") == true)
        #expect(alias["FunctionVersion"] as? String == "1")

        _ = try aws(emulator, ["lambda", "update-function-configuration", "--function-name", "fn", "--memory-size", "512"])
        _ = try aws(emulator, ["lambda", "wait", "function-updated-v2", "--function-name", "fn"])
        _ = try aws(emulator, ["lambda", "update-function-code", "--function-name", "fn", "--zip-file", "fileb://\(try v2Zip(dir))"])
        _ = try aws(emulator, ["lambda", "wait", "function-updated-v2", "--function-name", "fn"])
    }

    @Test(.enabled(if: DeploymentCLITests.toolsPresent, "the aws CLI, zip or curl is not installed"))
    func aVersionKeepsItsMemoryAndCodeAndAnAliasFollowsIt() throws {
        let emulator = try LocalEmulator.start(["--log-delay-ms", "100"])
        defer { emulator.stop() }
        let dir = try TemporaryDirectory("versions-cli")
        defer { dir.remove() }
        try publishThenChangeLatest(emulator, dir)

        let (viaAlias, answer) = try invoke(emulator, dir, ["--function-name", "fn", "--qualifier", "live"], payload: #"{"env":1}"#)
        #expect(viaAlias["ExecutedVersion"] as? String == "1")
        #expect(memory(ofAnswer: answer) == "256", "\(answer)")
        // The runtime sees the ARN it was invoked by: the alias's (Lambda-Runtime-Invoked-Function-Arn).
        #expect(answer.contains(#""arn":"arn:aws:lambda:us-east-1:000000000000:function:fn:live""#), "\(answer)")
        let (again, _) = try invoke(emulator, dir, ["--function-name", "fn:live"], payload: "{}")
        #expect(tail(again).contains("hello from bootstrap: {}"), "\(tail(again))")
        #expect(tail(again).contains("Version: 1") && tail(again).contains("Memory Size: 256 MB"), "\(tail(again))")
        let (latest, latestAnswer) = try invoke(emulator, dir, ["--function-name", "fn"], payload: #"{"env":1}"#)
        #expect(latest["ExecutedVersion"] as? String == "$LATEST")
        #expect(memory(ofAnswer: latestAnswer) == "512")
        let (latestTail, _) = try invoke(emulator, dir, ["--function-name", "fn"], payload: "{}")
        #expect(tail(latestTail).contains("hello from v2: {}") && tail(latestTail).contains("Version: $LATEST"))

        let viaQualifier = try aws(emulator, ["lambda", "get-function-configuration", "--function-name", "fn", "--qualifier", "live"])
        #expect(viaQualifier["MemorySize"] as? Int == 256 && viaQualifier["Version"] as? String == "1")
        let got = try aws(emulator, ["lambda", "get-function", "--function-name", "fn:1"])
        #expect((got["Configuration"] as? [String: Any])?["MemorySize"] as? Int == 256)
        #expect(try aws(emulator, ["lambda", "get-function-configuration", "--function-name", "fn"])["Version"] as? String == "$LATEST")

        let second = try aws(emulator, ["lambda", "publish-version", "--function-name", "fn"])
        #expect(second["Version"] as? String == "2" && second["MemorySize"] as? Int == 512)
        let versions = try aws(emulator, ["lambda", "list-versions-by-function", "--function-name", "fn"])["Versions"] as? [[String: Any]]
        #expect(versions?.map { $0["Version"] as? String } == ["$LATEST", "1", "2"])
        #expect(versions?.map { $0["MemorySize"] as? Int } == [512, 256, 512])
        let aliases = try aws(emulator, ["lambda", "list-aliases", "--function-name", "fn"])["Aliases"] as? [[String: Any]]
        #expect(aliases?.map { $0["Name"] as? String } == ["live"])

        // The version's environment logged to the function's group, in a stream of its own.
        var streams: [String] = []
        try Wait.until(timeout: 60, poll: 0.2) {
            let listed = try aws(emulator, ["logs", "describe-log-streams", "--log-group-name", "/aws/lambda/fn"])
            streams = (listed["logStreams"] as? [[String: Any]] ?? []).compactMap { $0["logStreamName"] as? String }
            return streams.contains { $0.contains("[1]") } && streams.contains { $0.contains("[$LATEST]") }
        }
        #expect(
            streams.contains { $0.range(of: #"^\d{4}/\d{2}/\d{2}/\[1\][0-9a-f]{32}$"#, options: .regularExpression) != nil }, "\(streams)")

        // A version an alias points to stays; moved, the alias runs the other version.
        #expect(
            try refusal(emulator, ["lambda", "delete-function", "--function-name", "fn", "--qualifier", "1"]) == "ResourceConflictException"
        )
        _ = try aws(emulator, ["lambda", "update-alias", "--function-name", "fn", "--name", "live", "--function-version", "2"])
        _ = try aws(emulator, ["lambda", "delete-function", "--function-name", "fn", "--qualifier", "1"])
        #expect(try refusal(emulator, ["lambda", "get-function-configuration", "--function-name", "fn:1"]) == "ResourceNotFoundException")
        let (moved, movedAnswer) = try invoke(emulator, dir, ["--function-name", "fn", "--qualifier", "live"], payload: #"{"env":1}"#)
        #expect(moved["ExecutedVersion"] as? String == "2" && memory(ofAnswer: movedAnswer) == "512")
        let third = try aws(emulator, ["lambda", "publish-version", "--function-name", "fn"])
        #expect(third["Version"] as? String == "2", "nothing changed since version 2")

        _ = try aws(emulator, ["lambda", "delete-alias", "--function-name", "fn", "--name", "live"])
        #expect((try aws(emulator, ["lambda", "list-aliases", "--function-name", "fn"])["Aliases"] as? [Any])?.isEmpty == true)
        _ = try aws(emulator, ["lambda", "delete-function", "--function-name", "fn"])
        #expect(try refusal(emulator, ["lambda", "list-versions-by-function", "--function-name", "fn"]) == "ResourceNotFoundException")
    }

    @Test(.enabled(if: AWSCLITests.awsPath != nil, "the aws CLI is not installed"))
    func refusedInputs() throws {
        // Updates take long enough for a PublishVersion to come while one is in progress.
        let emulator = try LocalEmulator.start(["--update-delay-ms", "4000"])
        defer { emulator.stop() }
        // A built-in handler is published like any function.
        let published = try aws(emulator, ["lambda", "publish-version", "--function-name", "faas_sleep"])
        #expect(published["Version"] as? String == "1" && published["Handler"] as? String == "sleep")
        let alias = ["lambda", "create-alias", "--function-name", "faas_sleep", "--function-version", "1", "--name"]
        #expect(try refusal(emulator, alias + ["123"]) == "InvalidParameterValueException")
        #expect(try refusal(emulator, alias + ["$LATEST"]) == "InvalidParameterValueException")
        #expect(try refusal(emulator, alias + ["a.b"]) == "InvalidParameterValueException")
        _ = try aws(emulator, alias + ["live"])
        #expect(try refusal(emulator, alias + ["live"]) == "ResourceConflictException")
        #expect(
            try refusal(emulator, ["lambda", "create-alias", "--function-name", "faas_sleep", "--name", "x", "--function-version", "9"])
                == "ResourceNotFoundException")
        #expect(
            try refusal(
                emulator,
                alias + ["weighted", "--routing-config", #"{"AdditionalVersionWeights": {"1": 0.5}}"#]) == "InvalidParameterValueException")
        #expect(
            try refusal(emulator, ["lambda", "get-alias", "--function-name", "faas_sleep", "--name", "gone"]) == "ResourceNotFoundException"
        )
        #expect(
            try refusal(emulator, ["lambda", "invoke", "--function-name", "faas_sleep", "--qualifier", "gone", "/dev/null"])
                == "ResourceNotFoundException")
        #expect(
            try refusal(emulator, ["lambda", "invoke", "--function-name", "faas_sleep:1", "--qualifier", "live", "/dev/null"])
                == "InvalidParameterValueException")
        #expect(
            try refusal(emulator, ["lambda", "update-function-configuration", "--function-name", "faas_sleep:1", "--memory-size", "512"])
                == "InvalidParameterValueException")
        #expect(
            try refusal(emulator, ["lambda", "update-function-configuration", "--function-name", "faas_sleep:live", "--timeout", "9"])
                == "InvalidParameterValueException")
        #expect(
            try refusal(emulator, ["lambda", "publish-version", "--function-name", "faas_sleep", "--code-sha256", "abc"])
                == "InvalidParameterValueException")
        #expect(
            try refusal(emulator, ["lambda", "publish-version", "--function-name", "faas_sleep", "--revision-id", "stale"])
                == "PreconditionFailedException")
        #expect(
            try refusal(emulator, ["lambda", "update-alias", "--function-name", "faas_sleep", "--name", "live", "--revision-id", "stale"])
                == "PreconditionFailedException")
        #expect(
            try refusal(emulator, ["lambda", "delete-function", "--function-name", "faas_sleep", "--qualifier", "live"])
                == "InvalidParameterValueException")
        // A publish while an update is in progress conflicts.
        _ = try aws(emulator, ["lambda", "update-function-configuration", "--function-name", "faas_sleep", "--memory-size", "256"])
        #expect(try refusal(emulator, ["lambda", "publish-version", "--function-name", "faas_sleep"]) == "ResourceConflictException")
        _ = try aws(emulator, ["lambda", "wait", "function-updated-v2", "--function-name", "faas_sleep"])
        let out = try TemporaryDirectory("versions-cli")
        defer { out.remove() }
        let invoked = try aws(
            emulator,
            ["lambda", "invoke", "--function-name", "faas_sleep", "--qualifier", "live", "--payload", #"{"ms":1}"#, out.file("o")])
        #expect(invoked["ExecutedVersion"] as? String == "1")
    }

    @Test(.enabled(if: DeploymentCLITests.toolsPresent, "the aws CLI, zip or curl is not installed"))
    func versionsAndAliasesSurviveARestart() throws {
        let dir = try TemporaryDirectory("versions-cli")
        defer { dir.remove() }
        let state = dir.file("state")
        let first = try LocalEmulator.start(stateDirectory: state)
        try publishThenChangeLatest(first, dir)
        _ = try aws(first, ["lambda", "publish-version", "--function-name", "faas_sleep"])
        _ = try aws(first, ["lambda", "create-alias", "--function-name", "faas_sleep", "--name", "kept", "--function-version", "1"])
        #expect(first.stop() == 0)

        let second = try LocalEmulator.start(stateDirectory: state)
        defer { second.stop() }
        let (viaAlias, answer) = try invoke(second, dir, ["--function-name", "fn", "--qualifier", "live"], payload: #"{"env":1}"#)
        #expect(viaAlias["ExecutedVersion"] as? String == "1" && memory(ofAnswer: answer) == "256", "\(answer)")
        let (old, _) = try invoke(second, dir, ["--function-name", "fn:1"], payload: "{}")
        #expect(tail(old).contains("hello from bootstrap: {}"), "version 1 runs its own code: \(tail(old))")
        let (latest, _) = try invoke(second, dir, ["--function-name", "fn"], payload: "{}")
        #expect(tail(latest).contains("hello from v2: {}"))
        let versions = try aws(second, ["lambda", "list-versions-by-function", "--function-name", "fn"])["Versions"] as? [[String: Any]]
        #expect(versions?.map { $0["Version"] as? String } == ["$LATEST", "1"])
        #expect(try aws(second, ["lambda", "publish-version", "--function-name", "fn"])["Version"] as? String == "2")
        let kept = try aws(second, ["lambda", "get-alias", "--function-name", "faas_sleep", "--name", "kept"])
        #expect(kept["FunctionVersion"] as? String == "1")
    }
}
