import Foundation
import History
import SeededRandom
import SyntheticData
import TestSupport
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// Two pipelines finishing at once, and `kill -9` in the middle of a history write.
@Suite(.serialized) struct ConcurrentWriteTests {
    /// A run big enough that writing it takes a while (60,000 calls).
    static func bigRun(in dir: TemporaryDirectory) throws -> String {
        try RunFolders.synthetic(
            [SyntheticFunction.cpuBound(), SyntheticFunction.sleepBound()], sizes: [128, 256, 512, 1024, 1769, 3008],
            perSize: 5000, seed: 9, folder: dir.file("big"))
    }

    /// A copy of `folder` whose logs.ndjson differs by trailing blank lines: another run to
    /// the history (its fingerprint differs), the same records.
    static func variant(_ folder: String, _ k: Int, in dir: TemporaryDirectory) throws -> String {
        let out = dir.file("variant-\(k)")
        try FileManager.default.createDirectory(atPath: out, withIntermediateDirectories: true)
        try FileManager.default.copyItem(atPath: folder + "/models.json", toPath: out + "/models.json")
        var logs = try Data(contentsOf: URL(fileURLWithPath: folder + "/logs.ndjson"))
        logs.append(Data(repeating: 0x0A, count: k + 1))
        try logs.write(to: URL(fileURLWithPath: out + "/logs.ndjson"))
        return out
    }

    static func start(_ arguments: [String]) throws -> Process {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: Tools.path("history"))
        p.arguments = arguments
        p.standardOutput = FileHandle.nullDevice
        p.standardError = FileHandle.nullDevice
        try p.run()
        return p
    }

    @Test func twoWritersFinishingAtOnceBothGetIn() throws {
        let dir = try TemporaryDirectory("history-two")
        defer { dir.remove() }
        let small = try RunFolders.synthetic(
            [SyntheticFunction.cpuBound()], sizes: [128, 1024], perSize: 2000, seed: 4, folder: dir.file("small"))
        let db = dir.file("runs/history.db")
        for round in 0..<3 {
            let a = try Self.variant(small, 2 * round, in: dir)
            let b = try Self.variant(small, 2 * round + 1, in: dir)
            let pa = try Self.start(["record", a, "--db", db])
            let pb = try Self.start(["record", b, "--db", db])
            pa.waitUntilExit()
            pb.waitUntilExit()
            #expect(pa.terminationStatus == 0 && pb.terminationStatus == 0)
        }
        let store = try HistoryStore(path: db)
        #expect(try store.list().count == 6)
        #expect(try store.integrityCheck() == "ok")
        #expect(try store.incompleteRuns().isEmpty)
    }

    @Test func killedMidWriteTwentyTimesLeavesOnlyCompleteRuns() throws {
        let dir = try TemporaryDirectory("history-kill")
        defer { dir.remove() }
        let big = try Self.bigRun(in: dir)
        let expectedCalls = try RunFolder.load(big).invocationCount
        let db = dir.file("history.db")
        _ = try HistoryStore(path: db)  // the file and its WAL exist before the first kill
        var rng = SplitMix64(seed: 2026)
        var killedMidWrite = 0
        var finished = 0
        for k in 0..<20 {
            let folder = try Self.variant(big, k, in: dir)
            let walBefore = Self.size(db + "-wal")
            let p = try Self.start(["record", folder, "--db", db])
            // Wait until the transaction writes pages (the WAL grows), then kill at a seeded
            // random moment within the next 200 ms (the write of 60,000 calls takes longer).
            let deadline = Date().addingTimeInterval(120)
            while p.isRunning && Self.size(db + "-wal") <= walBefore && Date() < deadline { usleep(500) }
            usleep(UInt32(rng.next() % 200_000))
            if p.isRunning {
                kill(p.processIdentifier, SIGKILL)
                killedMidWrite += 1
            }
            p.waitUntilExit()
            if p.terminationReason == .exit { finished += 1 }
            let store = try HistoryStore(path: db)
            #expect(try store.integrityCheck() == "ok")
            #expect(try store.incompleteRuns().isEmpty)
            for run in try store.list() { #expect(run.invocations == expectedCalls) }
        }
        let store = try HistoryStore(path: db)
        let runs = try store.list()
        for r in runs { #expect(try store.load(id: r.id)?.invocationCount == expectedCalls) }
        print(
            "kill -9 during the history write: \(killedMidWrite) of 20 killed mid-write, \(finished) finished first; "
                + "\(runs.count) complete runs in the database, integrity_check ok")
        #expect(killedMidWrite >= 10)
    }

    static func size(_ path: String) -> Int {
        ((try? FileManager.default.attributesOfItem(atPath: path))?[.size] as? Int) ?? 0
    }
}
