import Foundation
import TestSupport
import Testing

/// The physics the issue asks to show that do not depend on this machine's load, on real
/// worker processes: memory use, out-of-memory, timeouts. Run times and CPU shares (how long
/// a call takes at each size, what share of a core a worker gets) are measured by
/// AcceptanceTests (`make -f pipeline.mk acceptance`), not here.
@Suite("Physics of memory sizes", .serialized)
struct PhysicsTests {
    static func start(_ extra: [String] = []) throws -> (LocalEmulator, TemporaryDirectory) {
        try PhysicsFixture.start(extra)
    }

    @Test func maxMemoryUsedGrowsWithAllocAndOOMIsAReportNotACrash() throws {
        let (emulator, dir) = try Self.start()
        defer {
            emulator.stop()
            dir.remove()
        }
        let low = try RawHTTP.invoke("m1024", #"{"cmds":{"alloc":{"mb":20}}}"#, port: emulator.port)
        let high = try RawHTTP.invoke("m1024", #"{"cmds":{"alloc":{"mb":220}}}"#, port: emulator.port)
        let grown = try #require(high.reportNumber("Max Memory Used")) - (try #require(low.reportNumber("Max Memory Used")))
        #expect(grown >= 180 && grown <= 240, "Max Memory Used grew by \(grown) MB for 200 MB more")

        let oom = try RawHTTP.invoke("m128", #"{"cmds":{"alloc":{"mb":200}}}"#, port: emulator.port)
        #expect(oom.status == 200)
        #expect(oom.header("X-Amz-Function-Error") == "Unhandled")
        #expect(oom.report["Status"] == "error")
        #expect(oom.report["Error Type"] == "Runtime.OutOfMemory")
        #expect(oom.report["Max Memory Used"] == "128 MB")
        let next = try RawHTTP.invoke("m128", #"{"cmds":{"sleep":1}}"#, port: emulator.port)
        #expect(next.status == 200 && next.header("X-Amz-Function-Error") == nil)
    }

    @Test func timeoutKillsTheWorkerAndReportsIt() throws {
        let (emulator, dir) = try Self.start()
        defer {
            emulator.stop()
            dir.remove()
        }
        let r = try RawHTTP.invoke("t1", #"{"cmds":{"sleep":3000}}"#, port: emulator.port)
        #expect(r.header("X-Amz-Function-Error") == "Unhandled")
        #expect(r.report["Status"] == "timeout")
        #expect(r.report["Duration"] == "1000.00 ms")
        #expect(r.tailLog.contains("Task timed out after 1.00 seconds"))
        #expect(emulator.workerPids.isEmpty, "the timed-out worker is gone")
    }

    /// Without a cgroup the emulator falls back to a duty cycle; it still limits memory. (The
    /// share of a core it lets a worker have is measured by AcceptanceTests.)
    @Test func dutyCycleFallbackAnnouncesItselfAndLimitsMemoryToo() throws {
        let (emulator, dir) = try Self.start(["--isolation", "duty-cycle"])
        defer {
            emulator.stop()
            dir.remove()
        }
        #expect(emulator.errors.contains("duty cycle"))
        let cpu = try RawHTTP.invoke("m128", #"{"cmds":{"cpu":{"n":20}}}"#, port: emulator.port)
        #expect(cpu.status == 200 && cpu.header("X-Amz-Function-Error") == nil && cpu.report["Duration"] != nil)
        let oom = try RawHTTP.invoke("m128", #"{"cmds":{"alloc":{"mb":300}}}"#, port: emulator.port)
        #expect(oom.report["Error Type"] == "Runtime.OutOfMemory")
    }
}
