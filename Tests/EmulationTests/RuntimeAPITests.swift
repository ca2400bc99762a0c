import Foundation
import TestSupport
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// A user's own function on the emulator: a `provided.al2023` bootstrap (a shell script with
/// curl) served the Lambda Runtime API by its execution environment, with Lambda's error
/// shapes for function errors, crashes, timeouts and failed inits, and nothing left running.
@Suite("Lambda Runtime API: provided.al2023 bootstraps", .serialized)
struct RuntimeAPITests {
    static let curlPresent = FileManager.default.isExecutableFile(atPath: "/usr/bin/curl")

    /// Processes whose command line has `needle` (a marker such as `sleep 47`).
    static func running(_ needle: String) -> [String] { Processes.matching(needle).filter { !$0.contains("lambda-emulator") } }

    @Test(.enabled(if: curlPresent, "curl is not installed"))
    func shellBootstrapAnswersThroughTheRuntimeAPI() throws {
        let dir = try TemporaryDirectory("runtime-api")
        defer { dir.remove() }
        let config = try RuntimeFixtures.functionsFile(in: dir, [("shell", RuntimeFixtures.echo, 5)])
        let emulator = try LocalEmulator.start(["--config", config])
        defer { emulator.stop() }

        let cold = try RawHTTP.invoke("shell", #"{"n":1}"#, port: emulator.port)
        #expect(cold.status == 200, "\(cold.text) \(emulator.errors)")
        #expect(cold.header("X-Amz-Function-Error") == nil)
        #expect(cold.text == #"{"echo":{"n":1}}"#)
        let coldLog = cold.tailLog
        #expect(coldLog.contains("init: shell handler function.handler\n"), "\(coldLog)")
        #expect(coldLog.contains("hello from bootstrap: {\"n\":1}\n"))
        #expect(coldLog.contains("\tInit Duration: "))
        // Lambda's order: init output, START, the invocation's output, END, REPORT.
        let start = coldLog.range(of: "START RequestId: ")?.lowerBound
        #expect(start != nil && coldLog.range(of: "init: shell")!.lowerBound < start!)

        let warm = try RawHTTP.invoke("shell", #"{"n":2}"#, port: emulator.port)
        #expect(warm.text == #"{"echo":{"n":2}}"#)
        #expect(!warm.tailLog.contains("Init Duration"))
        #expect(!warm.tailLog.contains("init: shell"))

        let env = try RawHTTP.invoke("shell", #"{"want":"env"}"#, port: emulator.port)
        let json = env.json
        #expect(json["tz"] as? String == ":UTC", "\(env.text)")
        #expect(json["root"] as? String == dir.file("code-shell"))
        #expect(json["memory"] as? String == "256")
        #expect(json["arn"] as? String == "arn:aws:lambda:us-east-1:000000000000:function:shell")
        #expect(json["endpoint"] as? String == emulator.endpoint)
        let deadline = (json["deadline"] as? Double) ?? 0
        let now = Date().timeIntervalSince1970 * 1000
        #expect(deadline > now && deadline < now + 6000)
    }

    @Test(.enabled(if: curlPresent, "curl is not installed"))
    func functionErrorCrashAndTimeoutHaveLambdasShapes() throws {
        let dir = try TemporaryDirectory("runtime-api")
        defer { dir.remove() }
        let config = try RuntimeFixtures.functionsFile(in: dir, [("shell", RuntimeFixtures.echo, 2)])
        let emulator = try LocalEmulator.start(["--config", config])
        defer { emulator.stop() }

        let failed = try RawHTTP.invoke("shell", #"{"do":"fail"}"#, port: emulator.port)
        #expect(failed.status == 200)
        #expect(failed.header("X-Amz-Function-Error") == "Unhandled")
        #expect(failed.json["errorMessage"] as? String == "asked to fail", "\(failed.text)")
        #expect(failed.json["errorType"] as? String == "AskedToFail")

        // The environment survived its function error: the next call is warm.
        let after = try RawHTTP.invoke("shell", #"{"n":3}"#, port: emulator.port)
        #expect(after.text == #"{"echo":{"n":3}}"#)
        #expect(!after.tailLog.contains("Init Duration"))

        // A runtime that exits after its answer is not handed out again: the next call is a cold start.
        let quit = try RawHTTP.invoke("shell", #"{"do":"quit"}"#, port: emulator.port)
        #expect(quit.text == #""bye""#)
        #expect(Wait.until(timeout: 10) { !Self.running(dir.file("code-shell")).contains { $0.contains("bootstrap") } })
        let fresh = try RawHTTP.invoke("shell", #"{"n":5}"#, port: emulator.port)
        #expect(fresh.text == #"{"echo":{"n":5}}"#, "\(fresh.text)")
        #expect(fresh.tailLog.contains("Init Duration"))

        let crashed = try RawHTTP.invoke("shell", #"{"do":"crash"}"#, port: emulator.port)
        #expect(crashed.header("X-Amz-Function-Error") == "Unhandled")
        #expect(crashed.json["errorType"] as? String == "Runtime.ExitError", "\(crashed.text)")
        #expect((crashed.json["errorMessage"] as? String)?.hasSuffix("Error: Runtime exited with error: exit status 3") == true)
        #expect(crashed.tailLog.contains("crashing\n"))
        #expect(crashed.tailLog.contains("Status: error\tError Type: Runtime.ExitError"))

        let hung = try RawHTTP.invoke("shell", #"{"do":"hang"}"#, port: emulator.port)
        #expect(hung.header("X-Amz-Function-Error") == "Unhandled")
        #expect((hung.json["errorMessage"] as? String)?.hasSuffix("Task timed out after 2.00 seconds") == true, "\(hung.text)")
        #expect(hung.tailLog.contains("\tDuration: 2000.00 ms\t"))
        #expect(hung.tailLog.contains("Status: timeout"))
        // The environment's whole process tree went with it: the hanging child and the background one.
        #expect(Wait.until(timeout: 10) { Self.running("sleep 47").isEmpty && Self.running("sleep 53").isEmpty })

        let big = try RawHTTP.invoke("shell", #"{"do":"big"}"#, port: emulator.port)
        #expect(big.header("X-Amz-Function-Error") == "Unhandled")
        #expect(big.json["errorType"] as? String == "Function.ResponseSizeTooLarge", "\(big.text)")

        // The environment outlived the refused response; what it printed after that is in the next call's log.
        let again = try RawHTTP.invoke("shell", #"{"n":4}"#, port: emulator.port)
        #expect(again.text == #"{"echo":{"n":4}}"#)
        #expect(again.tailLog.contains("big response: 413\n"), "\(again.tailLog)")
    }

    @Test(.enabled(if: curlPresent, "curl is not installed"))
    func failedInitsAnswerTheFirstInvocation() throws {
        let dir = try TemporaryDirectory("runtime-api")
        defer { dir.remove() }
        let config = try RuntimeFixtures.functionsFile(
            in: dir, [("badinit", RuntimeFixtures.initError, 3), ("silent", RuntimeFixtures.silent, 3)])
        let emulator = try LocalEmulator.start(["--config", config, "--init-timeout-s", "1"])
        defer { emulator.stop() }

        let posted = try RawHTTP.invoke("badinit", "{}", port: emulator.port)
        #expect(posted.status == 200)
        #expect(posted.header("X-Amz-Function-Error") == "Unhandled")
        #expect(posted.json["errorType"] as? String == "Runtime.ConfigError", "\(posted.text)")
        #expect(posted.json["errorMessage"] as? String == "no configuration")
        #expect(posted.tailLog.contains("reading configuration\n"))
        #expect(posted.tailLog.contains("INIT_REPORT Init Duration: "))
        #expect(posted.tailLog.contains("Status: error\tError Type: Runtime.ConfigError"))

        let silent = try RawHTTP.invoke("silent", "{}", port: emulator.port)
        #expect(silent.header("X-Amz-Function-Error") == "Unhandled")
        #expect(silent.json["errorType"] as? String == "Runtime.InitError", "\(silent.text)")
        #expect(silent.tailLog.contains("thinking forever\n"))
        #expect(silent.tailLog.contains("Status: error\tError Type: Runtime.InitError"))
        #expect(Wait.until(timeout: 10) { Self.running("sleep 61").isEmpty })
    }

    @Test(.enabled(if: curlPresent, "curl is not installed"))
    func sigtermLeavesNoProcessOfAnyEnvironment() throws {
        let dir = try TemporaryDirectory("runtime-api")
        defer { dir.remove() }
        let config = try RuntimeFixtures.functionsFile(in: dir, [("shell", RuntimeFixtures.echo, 5)])
        let emulator = try LocalEmulator.start(["--config", config])
        let first = try RawHTTP.invoke("shell", #"{"n":1}"#, port: emulator.port)
        #expect(first.status == 200, "\(first.text)")
        #expect(!Self.running("sleep 53").isEmpty)
        #expect(emulator.stop() == 0)
        #expect(Wait.until(timeout: 10) { Self.running("sleep 53").isEmpty && Self.running(dir.path).isEmpty })
    }

    @Test(.enabled(if: curlPresent, "curl is not installed"))
    func outOfOrderCallsAndInvocationHeaders() throws {
        let dir = try TemporaryDirectory("runtime-api")
        defer { dir.remove() }
        let config = try RuntimeFixtures.functionsFile(in: dir, [("probe", RuntimeFixtures.probe, 5)])
        let emulator = try LocalEmulator.start(["--config", config])
        defer { emulator.stop() }
        let context = Data(#"{"custom":{"k":"v"}}"#.utf8).base64EncodedString()
        let reply = try RawHTTP.exchange(
            "POST", "/2015-03-31/functions/probe/invocations", port: emulator.port,
            headers: [("X-Amz-Client-Context", context), ("Content-Type", "application/json")], body: Array("{}".utf8))
        let json = reply.json
        #expect(json["early"] as? Int == 403, "\(reply.text)")  // a response before any invocation
        #expect(json["missing"] as? Int == 404)
        #expect(json["wrong"] as? Int == 400)  // InvalidRequestID
        #expect(json["again"] as? Int == 403)  // next while an invocation is due
        #expect(json["initerror"] as? Int == 403)  // init/error after the init
        #expect(json["method"] as? Int == 405)
        #expect((json["context"] as? [String: Any])?["custom"] as? [String: String] == ["k": "v"])
        #expect((json["trace"] as? String)?.hasPrefix("Root=1-") == true)
    }

    @Test(.enabled(if: curlPresent, "curl is not installed"))
    func aFunctionInvokesAnotherThroughTheEmulator() throws {
        let dir = try TemporaryDirectory("runtime-api")
        defer { dir.remove() }
        let config = try RuntimeFixtures.functionsFile(
            in: dir, [("shell", RuntimeFixtures.echo, 5), ("outer", RuntimeFixtures.nested, 5)])
        let emulator = try LocalEmulator.start(["--config", config])
        defer { emulator.stop() }
        let reply = try RawHTTP.invoke("outer", #"{"n":5}"#, port: emulator.port)
        #expect(reply.text == #"{"inner":{"echo":{"n":5}}}"#, "\(reply.text) \(reply.tailLog)")
    }

    @Test(.enabled(if: curlPresent, "curl is not installed"))
    func theMemoryLimitIsRuntimeOutOfMemory() throws {
        let dir = try TemporaryDirectory("runtime-api")
        defer { dir.remove() }
        let config = try RuntimeFixtures.functionsFile(in: dir, [("shell", RuntimeFixtures.echo, 20)])
        let emulator = try LocalEmulator.start(["--config", config])
        defer { emulator.stop() }
        // Only a cgroup enforces a user runtime's memory (duty-cycle mode has no watchdog for a process tree yet).
        guard emulator.errors.contains("isolation: cgroup") else { return }
        let reply = try RawHTTP.invoke("shell", #"{"do":"oom"}"#, port: emulator.port)
        #expect(reply.header("X-Amz-Function-Error") == "Unhandled")
        #expect(reply.json["errorType"] as? String == "Runtime.OutOfMemory", "\(reply.text) \(reply.tailLog)")
        #expect(reply.tailLog.contains("allocating\n"))
        #expect(reply.tailLog.contains("Max Memory Used: 256 MB\tInit Duration: "))
        #expect(reply.tailLog.contains("Status: error\tError Type: Runtime.OutOfMemory"))
    }

    @Test(.enabled(if: curlPresent, "curl is not installed"))
    func theNextEmulatorEndsWhatAKilledOneLeft() throws {
        let dir = try TemporaryDirectory("runtime-api")
        defer { dir.remove() }
        let config = try RuntimeFixtures.functionsFile(in: dir, [("shell", RuntimeFixtures.echo, 5)])
        let killed = try LocalEmulator.start(["--config", config])
        guard killed.errors.contains("isolation: cgroup") else {
            killed.stop()
            return  // without a cgroup there is no record of what a killed emulator's runtimes left
        }
        #expect(try RawHTTP.invoke("shell", #"{"n":1}"#, port: killed.port).status == 200)
        #expect(!Self.running("sleep 53").isEmpty)
        killed.stop(signal: SIGKILL)
        let next = try LocalEmulator.start()
        defer { next.stop() }
        #expect(Wait.until(timeout: 10) { Self.running("sleep 53").isEmpty })
    }
}
