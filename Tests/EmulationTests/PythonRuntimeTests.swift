import Foundation
import TestSupport
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// A user's Python function, deployed and run with the AWS CLI only, through awslambdaric
/// (the setup script installs it): `print` in the logs, each of Lambda's error shapes with
/// its REPORT line, the deployments refused, a functions file naming a zip, and nothing left
/// running after SIGTERM.
@Suite("Python functions on the emulator", .serialized)
struct PythonRuntimeTests {
    static let toolsPresent = DeploymentCLITests.toolsPresent
    let cli = AWSCLITests()

    /// The test function: answers, fails, sleeps, allocates or spins as its event asks.
    static let app = """
        import time
        print("init: module imported")

        def handler(event, context):
            print("hello from python", event.get("n"))
            if event.get("fail"):
                raise ValueError("asked to fail")
            if event.get("sleep"):
                time.sleep(event["sleep"])
            if event.get("alloc"):
                block = bytearray(event["alloc"] * 1048576)
                for i in range(0, len(block), 4096):
                    block[i] = 1
            return {"n": event.get("n"), "arn": context.invoked_function_arn,
                    "remaining_ms": context.get_remaining_time_in_millis()}
        """

    func create(
        _ emulator: LocalEmulator, _ name: String, zip: String, handler: String = "app.handler", memory: Int = 128,
        timeout: Int = 10
    ) throws -> CLIResult {
        try cli.aws(
            emulator,
            [
                "lambda", "create-function", "--function-name", name, "--zip-file", "fileb://\(zip)", "--runtime", "python3.12",
                "--handler", handler, "--role", "arn:aws:iam::123456789012:role/x", "--memory-size", "\(memory)", "--timeout",
                "\(timeout)",
            ])
    }

    func invoke(_ emulator: LocalEmulator, _ name: String, _ payload: String, out: String) throws -> (CLIResult, String) {
        let r = try cli.aws(
            emulator, ["lambda", "invoke", "--function-name", name, "--payload", payload, "--log-type", "Tail", out])
        let tail = String(decoding: Data(base64Encoded: cli.json(r)["LogResult"] as? String ?? "") ?? Data(), as: UTF8.self)
        return (r, tail)
    }

    @Test(.enabled(if: toolsPresent, "the aws CLI or zip is not installed"))
    func printReachesTheLogsThroughTheAWSCLI() throws {
        let emulator = try LocalEmulator.start(["--log-delay-ms", "100"])
        defer { emulator.stop() }
        let dir = try TemporaryDirectory("python-runtime")
        defer { dir.remove() }
        let zip = try DeploymentCLITests.zip(["app.py": Self.app], in: dir, named: "app.zip")
        let created = try create(emulator, "pyhello", zip: zip)
        #expect(created.status == 0, "\(created.stderr)")
        #expect(cli.json(created)["Runtime"] as? String == "python3.12")
        #expect(cli.json(created)["Handler"] as? String == "app.handler")
        #expect(try cli.aws(emulator, ["lambda", "wait", "function-active-v2", "--function-name", "pyhello"]).status == 0)

        let (r, tail) = try invoke(emulator, "pyhello", #"{"n":7}"#, out: dir.file("out.json"))
        #expect(r.status == 0, "\(r.stderr)")
        let answer = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: dir.file("out.json")))) as? [String: Any]
        #expect(answer?["n"] as? Int == 7)
        #expect(answer?["arn"] as? String == "arn:aws:lambda:us-east-1:000000000000:function:pyhello")
        #expect((answer?["remaining_ms"] as? Int).map { $0 > 0 && $0 <= 10_000 } == true)
        #expect(tail.contains("INIT_START Runtime Version: python:3.12.v1"), "\(tail)")
        #expect(tail.contains("init: module imported\n"))
        #expect(tail.contains("hello from python 7\n"))
        #expect(tail.contains("Memory Size: 128 MB") && tail.contains("Init Duration: "), "\(tail)")

        var events: [[String: Any]] = []
        try Wait.until(timeout: 60, poll: 0.2) {
            let filter = try cli.aws(
                emulator,
                ["logs", "filter-log-events", "--log-group-name", "/aws/lambda/pyhello", "--filter-pattern", "\"hello from python\""])
            events = cli.json(filter)["events"] as? [[String: Any]] ?? []
            return filter.status != 0 || !events.isEmpty
        }
        #expect(events.map { $0["message"] as? String } == ["hello from python 7"])

        // Through an alias the function sees the ARN it was invoked by, as on Lambda.
        #expect(try cli.aws(emulator, ["lambda", "publish-version", "--function-name", "pyhello"]).status == 0)
        let alias = try cli.aws(
            emulator, ["lambda", "create-alias", "--function-name", "pyhello", "--name", "live", "--function-version", "1"])
        #expect(alias.status == 0, "\(alias.stderr)")
        for (qualifier, arn) in [("live", "pyhello:live"), ("1", "pyhello:1")] {
            let r = try cli.aws(
                emulator,
                ["lambda", "invoke", "--function-name", "pyhello", "--qualifier", qualifier, "--payload", "{}", dir.file("q.json")])
            #expect(r.status == 0 && cli.json(r)["ExecutedVersion"] as? String == "1", "\(r.stdout) \(r.stderr)")
            let a = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: dir.file("q.json")))) as? [String: Any]
            #expect(a?["arn"] as? String == "arn:aws:lambda:us-east-1:000000000000:function:\(arn)")
        }
    }

    @Test(.enabled(if: toolsPresent, "the aws CLI or zip is not installed"))
    func errorsTimeoutsAndTheMemoryLimitHaveLambdasShapes() throws {
        let emulator = try LocalEmulator.start()
        defer { emulator.stop() }
        let dir = try TemporaryDirectory("python-runtime")
        defer { dir.remove() }
        let zip = try DeploymentCLITests.zip(["app.py": Self.app], in: dir, named: "app.zip")
        #expect(try create(emulator, "py", zip: zip, timeout: 1).status == 0)
        // The memory limit on a function of its own, with time to reach it on a loaded machine.
        #expect(try create(emulator, "pyoom", zip: zip, timeout: 60).status == 0)
        let broken = try DeploymentCLITests.zip(
            ["broken.py": "import module_that_is_not_there\ndef handler(e, c):\n    return 1\n"], in: dir, named: "broken.zip")
        #expect(try create(emulator, "pybroken", zip: broken, handler: "broken.handler").status == 0)
        #expect(try cli.aws(emulator, ["lambda", "wait", "function-active-v2", "--function-name", "pybroken"]).status == 0)

        let (failed, failedTail) = try invoke(emulator, "py", #"{"fail":true}"#, out: dir.file("fail.json"))
        #expect(cli.json(failed)["FunctionError"] as? String == "Unhandled")
        let error = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: dir.file("fail.json")))) as? [String: Any]
        #expect(error?["errorType"] as? String == "ValueError")
        #expect(error?["errorMessage"] as? String == "asked to fail")
        #expect((error?["stackTrace"] as? [String])?.contains { $0.contains("raise ValueError") } == true)
        #expect(failedTail.contains("[ERROR] ValueError: asked to fail"), "\(failedTail)")
        #expect(failedTail.contains("REPORT RequestId: "))

        let (_, timeoutTail) = try invoke(emulator, "py", #"{"sleep":30}"#, out: dir.file("timeout.json"))
        #expect(try dir.read("timeout.json").contains("Task timed out after 1.00 seconds"))
        #expect(timeoutTail.contains("REPORT RequestId: ") && timeoutTail.contains("Status: timeout"), "\(timeoutTail)")

        // Only a cgroup enforces a user runtime's memory (docs/lambda-emulator.md).
        if emulator.errors.contains("isolation: cgroup") {
            let (_, oomTail) = try invoke(emulator, "pyoom", #"{"alloc":400}"#, out: dir.file("oom.json"))
            let oom = try dir.read("oom.json")
            #expect(oom.contains("\"errorType\":\"Runtime.OutOfMemory\""), "\(oom)")
            #expect(oomTail.contains("Max Memory Used: 128 MB") && oomTail.contains("Error Type: Runtime.OutOfMemory"), "\(oomTail)")
        }

        let (_, initTail) = try invoke(emulator, "pybroken", "{}", out: dir.file("init.json"))
        let initError = try dir.read("init.json")
        #expect(initError.contains("Runtime.ImportModuleError") && initError.contains("module_that_is_not_there"), "\(initError)")
        #expect(initTail.contains("Phase: init\tStatus: error\tError Type: Runtime.ImportModuleError"), "\(initTail)")
        #expect(initTail.contains("REPORT RequestId: ") && initTail.contains("Init Duration: "))

        // After SIGTERM no environment's process is left, a warm one included.
        let (warm, _) = try invoke(emulator, "py", #"{"n":1}"#, out: dir.file("warm.json"))
        #expect(warm.status == 0 && cli.json(warm)["FunctionError"] == nil)
        let environments = emulator.workerPids
        #expect(!environments.isEmpty)
        #expect(emulator.stop() == 0)
        #expect(Wait.until(timeout: 10) { environments.allSatisfy { kill($0, 0) != 0 } })
    }

    /// faas-benchmarker's lab functions call other functions: boto3 (in Lambda's Python
    /// runtimes, and here the host's) reaches the emulator through AWS_ENDPOINT_URL with the
    /// credentials the environment was given.
    @Test(.enabled(if: toolsPresent, "the aws CLI or zip is not installed"))
    func aPythonFunctionInvokesAnotherWithBoto3() throws {
        let emulator = try LocalEmulator.start()
        defer { emulator.stop() }
        let dir = try TemporaryDirectory("python-runtime")
        defer { dir.remove() }
        let inner = try DeploymentCLITests.zip(["app.py": Self.app], in: dir, named: "inner.zip")
        let outer = try DeploymentCLITests.zip(
            [
                "outer.py": """
                import json
                import boto3

                lambda_client = boto3.client("lambda")

                def handler(event, context):
                    answer = lambda_client.invoke(FunctionName="pyinner", Payload=json.dumps(event))
                    return {"inner": json.loads(answer["Payload"].read()), "status": answer["StatusCode"]}
                """
            ], in: dir, named: "outer.zip")
        #expect(try create(emulator, "pyinner", zip: inner).status == 0)
        #expect(try create(emulator, "pyouter", zip: outer, handler: "outer.handler", memory: 1769, timeout: 30).status == 0)
        #expect(try cli.aws(emulator, ["lambda", "wait", "function-active-v2", "--function-name", "pyouter"]).status == 0)
        let (r, tail) = try invoke(emulator, "pyouter", #"{"n":11}"#, out: dir.file("out.json"))
        #expect(r.status == 0 && cli.json(r)["FunctionError"] == nil, "\(r.stderr) \(tail)")
        let answer = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: dir.file("out.json")))) as? [String: Any]
        #expect(answer?["status"] as? Int == 200, "\(answer ?? [:]) \(tail)")
        #expect((answer?["inner"] as? [String: Any])?["n"] as? Int == 11)
        #expect((answer?["inner"] as? [String: Any])?["arn"] as? String == "arn:aws:lambda:us-east-1:000000000000:function:pyinner")
    }

    @Test(.enabled(if: toolsPresent, "the aws CLI or zip is not installed"))
    func aPackageWithoutTheHandlersModuleIsRefused() throws {
        let emulator = try LocalEmulator.start()
        defer { emulator.stop() }
        let dir = try TemporaryDirectory("python-runtime")
        defer { dir.remove() }
        let zip = try DeploymentCLITests.zip(["app.py": Self.app], in: dir, named: "app.zip")
        let missing = try create(emulator, "py1", zip: zip, handler: "main.handler")
        #expect(missing.stderr.contains("InvalidParameterValueException") && missing.stderr.contains("main.py"), "\(missing.stderr)")
        let notDotted = try create(emulator, "py2", zip: zip, handler: "handler")
        #expect(notDotted.stderr.contains("InvalidParameterValueException") && notDotted.stderr.contains("module.function"))
        let packaged = try DeploymentCLITests.zip(["__init__.py": "", "app.py": Self.app], in: dir, named: "pkg.zip")
        #expect(try create(emulator, "py3", zip: packaged).status == 0)
    }

    @Test(.enabled(if: toolsPresent, "the aws CLI or zip is not installed"))
    func aFunctionsFileCanNameAZip() throws {
        let dir = try TemporaryDirectory("python-runtime")
        defer { dir.remove() }
        _ = try DeploymentCLITests.zip(["app.py": Self.app], in: dir, named: "app.zip")
        let config = dir.file("functions.json")
        try #"""
        {"functions": [{"name": "zipped", "runtime": "python3.12", "handler": "app.handler", "code": "app.zip", "memory_mb": 256, "timeout_s": 5}]}
        """#.write(toFile: config, atomically: true, encoding: .utf8)
        let emulator = try LocalEmulator.start(["--config", config])
        defer { emulator.stop() }
        let reply = try RawHTTP.invoke("zipped", #"{"n":3}"#, port: emulator.port)
        #expect(reply.json["n"] as? Int == 3, "\(reply.text) \(reply.tailLog)")
        #expect(reply.tailLog.contains("Memory Size: 256 MB"))

        try #"{"functions": [{"name": "z", "runtime": "python3.12", "handler": "other.handler", "code": "app.zip"}]}"#
            .write(toFile: config, atomically: true, encoding: .utf8)
        var refused = ""
        do {
            let started = try LocalEmulator.start(["--config", config])
            started.stop()
        } catch let failure as LocalEmulator.StartFailure {
            refused = failure.description
        }
        #expect(refused.contains("functions[0].code") && refused.contains("other.py"), "\(refused)")
    }
}
