import Foundation
import TestSupport
import Testing

/// A version's execution environments are its own: reused warm across its calls, untouched by
/// an update of $LATEST (which retires only $LATEST's). And boto3's paginators walk versions
/// and aliases page by page (NextMarker).
@Suite("versions run in environments of their own", .serialized)
struct VersionEnvironmentsTests {
    let cli = AWSCLITests()

    func tail(_ emulator: LocalEmulator, _ function: String) throws -> String {
        let r = try cli.aws(
            emulator, ["lambda", "invoke", "--function-name", function, "--payload", #"{"ms":1}"#, "--log-type", "Tail", "/dev/null"])
        #expect(r.status == 0, "\(r.stderr)")
        return String(decoding: Data(base64Encoded: cli.json(r)["LogResult"] as? String ?? "") ?? Data(), as: UTF8.self)
    }

    @Test(.enabled(if: AWSCLITests.awsPath != nil, "the aws CLI is not installed"))
    func aVersionsEnvironmentsOutliveAnUpdateOfLatest() throws {
        let emulator = try LocalEmulator.start()
        defer { emulator.stop() }
        let published = try cli.aws(emulator, ["lambda", "publish-version", "--function-name", "faas_sleep"])
        #expect(cli.json(published)["Version"] as? String == "1")

        #expect(try tail(emulator, "faas_sleep:1").contains("Init Duration"), "the first call of version 1 starts an environment")
        let warm = try tail(emulator, "faas_sleep:1")
        #expect(!warm.contains("Init Duration") && warm.contains("Version: 1"), "\(warm)")

        let update = try cli.aws(
            emulator, ["lambda", "update-function-configuration", "--function-name", "faas_sleep", "--memory-size", "256"])
        #expect(update.status == 0, "\(update.stderr)")
        #expect(try cli.aws(emulator, ["lambda", "wait", "function-updated-v2", "--function-name", "faas_sleep"]).status == 0)
        let still = try tail(emulator, "faas_sleep:1")
        #expect(!still.contains("Init Duration") && still.contains("Memory Size: 128 MB"), "\(still)")
        let latest = try tail(emulator, "faas_sleep")
        #expect(latest.contains("Init Duration") && latest.contains("Memory Size: 256 MB") && latest.contains("Version: $LATEST"))
    }

    static let python: String? = {
        guard let r = try? Tools.run("/usr/bin/env", ["python3", "-c", "import boto3, sys; print(sys.executable)"]), r.status == 0 else {
            return nil
        }
        return r.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
    }()

    @Test(.enabled(if: python != nil, "python3 with boto3 is not installed"))
    func boto3PaginatesVersionsAndAliases() throws {
        let emulator = try LocalEmulator.start(["--update-delay-ms", "50"])
        defer { emulator.stop() }
        let script = """
            import json, time, boto3
            lam = boto3.client("lambda")
            for size in (256, 512):
                lam.publish_version(FunctionName="faas_measure")
                lam.update_function_configuration(FunctionName="faas_measure", MemorySize=size)
                lam.get_waiter("function_updated_v2").wait(FunctionName="faas_measure", WaiterConfig={"Delay": 1})
            lam.publish_version(FunctionName="faas_measure")
            for name, version in (("a", "1"), ("b", "2"), ("c", "3")):
                lam.create_alias(FunctionName="faas_measure", Name=name, FunctionVersion=version)
            pages = lam.get_paginator("list_versions_by_function").paginate(
                FunctionName="faas_measure", PaginationConfig={"PageSize": 1})
            versions = [(v["Version"], v["MemorySize"]) for page in pages for v in page["Versions"]]
            pages = lam.get_paginator("list_aliases").paginate(FunctionName="faas_measure", PaginationConfig={"PageSize": 2})
            aliases = [a["Name"] + "=" + a["FunctionVersion"] for page in pages for a in page["Aliases"]]
            answer = lam.invoke(FunctionName="faas_measure", Qualifier="b", Payload=b'{"cmds": {"sleep": 1}}')
            print(json.dumps({"versions": versions, "aliases": aliases, "executed": answer["ExecutedVersion"]}))
            """
        var env = emulator.environment
        env["AWS_CONFIG_FILE"] = "/dev/null"
        env["AWS_SHARED_CREDENTIALS_FILE"] = "/dev/null"
        let r = try Tools.run(Self.python!, ["-c", script], environment: env)
        #expect(r.status == 0, "\(r.stderr)")
        let json = (try? JSONSerialization.jsonObject(with: Data(r.stdout.utf8))) as? [String: Any] ?? [:]
        let versions = (json["versions"] as? [[Any]])?.map { "\($0[0]):\($0[1])" }
        #expect(versions == ["$LATEST:512", "1:128", "2:256", "3:512"], "\(r.stdout)")
        #expect(json["aliases"] as? [String] == ["a=1", "b=2", "c=3"])
        #expect(json["executed"] as? String == "2")
    }
}
