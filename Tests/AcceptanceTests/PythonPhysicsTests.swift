import Foundation
import TestSupport
import Testing

/// A user's Python function gets CPU in proportion to memory like the built-in handlers: the
/// real faas_measure's CPU loop (N! by multiplication) at 128 MB takes at least 10 times as
/// long as at 1769 MB (one vCPU), Init excluded (warm calls' REPORT Duration). Timed, so an
/// acceptance test: run it on a quiet machine (`make -f pipeline.mk acceptance`).
@Suite("Python functions' CPU per memory, timed", .serialized)
struct PythonPhysicsTests {
    @Test(.enabled(if: ProcessInfo.processInfo.environment["RIGHTSIZE_ACCEPTANCE"] == "1", "set RIGHTSIZE_ACCEPTANCE=1"))
    func aPythonCPULoopAt128MBTakesTenTimesAsLongAsAt1769MB() async throws {
        let dir = try TemporaryDirectory("python-physics")
        defer { dir.remove() }
        let code = PackageRoot.path + "/data/functions/faas_measure"
        let emulator = try LocalEmulator.start(
            [],
            config: """
                { "functions": [
                    { "name": "py128", "runtime": "python3.12", "handler": "handler.handler", "code": "\(code)", "memory_mb": 128, "timeout_s": 120 },
                    { "name": "py1769", "runtime": "python3.12", "handler": "handler.handler", "code": "\(code)", "memory_mb": 1769, "timeout_s": 120 } ] }
                """, in: dir)
        defer { emulator.stop() }
        let client = try TailInvoker(emulator)
        let cpu = #"{"cmds":{"cpu":{"n":20000}}}"#
        var attempts: [(small: Double, full: Double)] = []
        for _ in 0..<3 {
            let full = try await client.duration("py1769", cpu, runs: 4)
            let small = try await client.duration("py128", cpu, runs: 2)
            attempts.append((small, full))
            if small / full >= 10 { break }
        }
        let best = attempts.max { $0.small / $0.full < $1.small / $1.full }!
        print("python cpu n=20000: 128 MB \(best.small) ms, 1769 MB \(best.full) ms, ratio \(best.small / best.full) (target >= 10)")
        #expect(best.small / best.full >= 10, "\(attempts)")
    }
}
