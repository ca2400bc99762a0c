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

        #expect(Self.listens(port: emulator.port))
        await emulator.stop()
        await emulator.stop()  // a second stop waits for the first and does nothing more
        // This process no longer listens on the port. (Connecting would not tell: with the
        // suites in parallel, another emulator may be given the freed port at once.)
        #expect(!Self.listens(port: emulator.port))
        // A killed worker is gone once the kernel has reaped it, which a loaded machine may
        // take a moment to do: wait for it, within a deadline.
        #expect(await Wait.until(timeout: 10) { Self.workers().isEmpty }, "workers left running: \(Self.workers())")
    }

    /// Whether a socket of this process listens on `port` (/proc/net/tcp's LISTEN entries,
    /// matched by inode against this process's descriptors).
    static func listens(port: Int) -> Bool {
        let fds = (try? FileManager.default.contentsOfDirectory(atPath: "/proc/self/fd")) ?? []
        let inodes = Set(
            fds.compactMap { fd -> String? in
                guard let target = try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/fd/\(fd)"),
                    target.hasPrefix("socket:[")
                else { return nil }
                return String(target.dropFirst("socket:[".count).dropLast())
            })
        for table in ["/proc/net/tcp", "/proc/net/tcp6"] {
            guard let text = try? String(contentsOfFile: table, encoding: .utf8) else { continue }
            for line in text.split(separator: "\n").dropFirst() {
                let f = line.split(separator: " ")
                guard f.count > 9, f[3] == "0A", let local = f[1].split(separator: ":").last,
                    Int(local, radix: 16) == port
                else { continue }
                if inodes.contains(String(f[9])) { return true }
            }
        }
        return false
    }

    /// This process's live children that run the emulator's worker mode.
    static func workers() -> [Int32] {
        let workerMode = Set(Processes.matching("--worker-handler").compactMap(Processes.pid(of:)))
        return Processes.children(of: getpid()).filter { workerMode.contains($0) && Processes.isAlive($0) }
    }
}
