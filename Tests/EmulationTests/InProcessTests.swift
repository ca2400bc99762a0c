import Emulation
import Foundation
import TestSupport
import Testing

/// `Emulator.start` returns a handle instead of exiting: an emulator can live inside a test
/// process, serve, and be stopped, leaving no listener and no worker behind.
@Suite("In-process emulator")
struct InProcessTests {
    @Test func startsServesAndStopsWithoutExiting() async throws {
        let dir = try TemporaryDirectory("in-process-emulator")
        defer { dir.remove() }
        var options = EmulatorOptions()
        options.port = 0
        options.stateDirectory = dir.path
        options.logDelayMeanMs = 0
        // Workers are started from the built tool, not from this test runner.
        options.workerExecutable = Tools.path("lambda-emulator")
        let emulator = try await Emulator.start(options)
        #expect(emulator.url == "http://127.0.0.1:\(emulator.port)")

        let response = try RawHTTP.invoke("faas_sleep", #"{"ms": 1}"#, port: emulator.port)
        #expect(response.status == 200)
        #expect(FileManager.default.fileExists(atPath: dir.path + "/logs.sqlite"))
        #expect(!Self.workers().isEmpty)

        await emulator.stop()
        await emulator.stop()  // a second stop waits for the first and does nothing more
        #expect(throws: (any Error).self) {
            try RawHTTP.exchange("GET", "/2015-03-31/functions/faas_sleep/configuration", port: emulator.port)
        }
        #expect(Self.workers().isEmpty, "workers left running: \(Self.workers())")
    }

    /// This process's live children that run the emulator's worker mode.
    static func workers() -> [Int32] {
        let me = getpid()
        let entries = (try? FileManager.default.contentsOfDirectory(atPath: "/proc")) ?? []
        return entries.compactMap(Int32.init).filter { pid in
            guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
                let close = stat.lastIndex(of: ")")
            else { return false }
            let fields = stat[stat.index(after: close)...].split(separator: " ")
            guard fields.count > 2, Int32(fields[1]) == me, fields[0] != "Z" else { return false }
            let command = (try? String(contentsOfFile: "/proc/\(pid)/cmdline", encoding: .utf8)) ?? ""
            return command.contains("--worker-handler")
        }
    }
}
