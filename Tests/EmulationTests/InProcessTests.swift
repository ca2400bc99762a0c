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
        let workerMode = Set(Processes.matching("--worker-handler").compactMap(Processes.pid(of:)))
        return Processes.children(of: getpid()).filter { workerMode.contains($0) && Processes.isAlive($0) }
    }
}
