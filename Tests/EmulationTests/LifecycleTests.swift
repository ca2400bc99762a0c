import Emulation
import Foundation
import TestSupport
import Testing

#if canImport(Glibc)
import Glibc
#endif

@Suite("Start, stop, configuration")
struct LifecycleTests {
    @Test(arguments: [SIGTERM, SIGINT])
    func stopsCleanlyWithNoOrphanWorkers(signal: Int32) throws {
        let emulator = try LocalEmulator.start()
        #expect(emulator.output.contains("listening on http://127.0.0.1:\(emulator.port)"))
        #expect(emulator.output.contains("AWS_ACCESS_KEY_ID=AKIDLOCALEMULATOR"))
        #expect(emulator.output.contains("AWS_SECRET_ACCESS_KEY=local-emulator-secret-key"))
        // Two environments: one idle, one busy in a long sleep when the signal arrives.
        _ = try RawHTTP.invoke("faas_measure", #"{"cmds":{"sleep":1}}"#, port: emulator.port)
        let busy = Thread { _ = try? RawHTTP.invoke("faas_sleep", #"{"ms": 20000}"#, port: emulator.port) }
        busy.start()
        var workers: [Int32] = []
        for _ in 0..<500 where workers.count < 2 {
            usleep(20_000)
            workers = emulator.workerPids
        }
        #expect(workers.count == 2)
        #expect(emulator.stop(signal: signal) == 0)
        for pid in workers { #expect(kill(pid, 0) != 0, "worker \(pid) survived the emulator") }
        let cgroups = (try? FileManager.default.contentsOfDirectory(atPath: "/sys/fs/cgroup/cpu")) ?? []
        #expect(!cgroups.contains("lambda-emulator-\(emulator.pid)"))
    }

    @Test func nonDefaultSecretIsNeverEchoed() throws {
        let dir = try TemporaryDirectory("emulator-secret")
        defer { dir.remove() }
        try dir.write("secret", "a-very-private-secret\n")
        let emulator = try LocalEmulator.start(["--access-key-id", "AKIDOTHER", "--secret-access-key-file", dir.file("secret")])
        defer { emulator.stop() }
        #expect(emulator.output.contains("AWS_ACCESS_KEY_ID=AKIDOTHER"))
        #expect(!emulator.output.contains("a-very-private-secret") && !emulator.errors.contains("a-very-private-secret"))
    }

    @Test func defaultConfigFileMatchesTheBuiltInCopy() throws {
        let path = PackageRoot.path + "/data/emulator/functions.json"
        let data = try #require(FileManager.default.contents(atPath: path))
        let file = try EmulatorConfig.parse(Array(data), file: path)
        #expect(file == EmulatorConfig.defaultConfig())
        #expect(file.functions.map(\.name) == ["faas_measure", "faas_sleep", "saaf_hello"])
        #expect(file.routes.first == GatewayRoute(stage: "default", resource: "faas_measure", function: "faas_measure"))
    }

    @Test func badConfigIsOneLineAndExit2() throws {
        let dir = try TemporaryDirectory("emulator-config")
        defer { dir.remove() }
        try dir.write("bad.json", #"{"functions":[{"name":"f","handler":"nope"}]}"#)
        let r = try Tools.run("lambda-emulator", ["--config", dir.file("bad.json"), "--port", "0"])
        #expect(r.status == 2)
        #expect(
            r.stderr
                == "lambda-emulator: \(dir.file("bad.json")):1: functions[0].handler: unknown handler \"nope\" (known: faas_measure, sleep, saaf_hello)\n"
        )
    }
}
