import Foundation
import History
import SyntheticData
import TestSupport
import Testing

@Suite struct HistoryStoreTests {
    static let functions = [SyntheticFunction.cpuBound(), SyntheticFunction.sleepBound()]

    @Test func recordsARunWholeAndLoadsItBack() throws {
        let dir = try TemporaryDirectory("history")
        defer { dir.remove() }
        let folder = try RunFolders.synthetic(Self.functions, sizes: [128, 512, 1769], perSize: 40, seed: 3, folder: dir.file("run"))
        let run = try RunFolder.load(folder)
        let store = try HistoryStore(path: dir.file("h/history.db"))
        let first = try store.record(run)
        #expect(!first.alreadyRecorded)
        let again = try store.record(try RunFolder.load(folder))
        #expect(again.alreadyRecorded && again.id == first.id)

        let loaded = try #require(try store.load(id: first.id))
        #expect(loaded.meta.name == run.meta.name)
        #expect(loaded.meta.seed == 3)
        #expect(loaded.meta.fingerprint == run.meta.fingerprint)
        #expect(loaded.sizes == run.sizes)
        #expect(Set(loaded.recommendations) == Set(run.recommendations))
        #expect(loaded.targets == run.targets)
        #expect(loaded.samples == run.samples)
        #expect(loaded.invocationCount == 2 * 3 * 40)
        #expect(run.sizes.count == 6)
        #expect(run.recommendations.contains { $0.rule == "cheapest" && $0.function == "cpu-bound" })

        #expect(try store.pragma("journal_mode") == "wal")
        #expect(try store.pragma("user_version") == "1")
        #expect(try store.integrityCheck() == "ok")
        #expect(try store.incompleteRuns().isEmpty)
        #expect(try store.list().map(\.id) == [first.id])
        #expect(try store.latestID() == first.id)
        #expect(try store.trend(function: "cpu-bound", rule: "cheapest").count == 1)
    }

    @Test func runReferencesNameFoldersIdsAndLatest() throws {
        let dir = try TemporaryDirectory("history")
        defer { dir.remove() }
        let a = try RunFolders.synthetic(Self.functions, sizes: [128, 1024], perSize: 20, seed: 1, folder: dir.file("a"))
        let b = try RunFolders.synthetic(Self.functions, sizes: [128, 1024], perSize: 20, seed: 2, folder: dir.file("b"))
        let db = dir.file("history.db")
        let store = try HistoryStore(path: db)
        let idA = try store.record(try RunFolder.load(a)).id
        let idB = try store.record(try RunFolder.load(b)).id
        #expect(try RunReference.load("latest", historyPath: db).meta.id == idB)
        #expect(try RunReference.load("latest~1", historyPath: db).meta.id == idA)
        #expect(try RunReference.load("#\(idA)", historyPath: db).meta.seed == 1)
        #expect(try RunReference.load(a, historyPath: db).meta.id == nil)
        #expect(throws: (any Error).self) { try RunReference.load("99", historyPath: db) }
        #expect(throws: (any Error).self) { try RunReference.load(dir.file("nowhere"), historyPath: db) }
    }

    @Test func aNewerSchemaIsRefused() throws {
        let dir = try TemporaryDirectory("history")
        defer { dir.remove() }
        let db = dir.file("history.db")
        _ = try HistoryStore(path: db)
        let r = try Tools.run("/usr/bin/sqlite3", [db, "PRAGMA user_version=2;"])
        #expect(r.status == 0)
        #expect(throws: (any Error).self) { _ = try HistoryStore(path: db) }
    }

    @Test func importRecordsEveryRunFolderOnce() throws {
        let dir = try TemporaryDirectory("history")
        defer { dir.remove() }
        for (i, name) in ["one", "two"].enumerated() {
            try RunFolders.synthetic(Self.functions, sizes: [256, 1024], perSize: 10, seed: UInt64(i), folder: dir.file("runs/\(name)"))
        }
        try FileManager.default.createDirectory(atPath: dir.file("runs/not-a-run"), withIntermediateDirectories: true)
        let db = dir.file("runs/history.db")
        let first = try Tools.run("history", ["import", dir.file("runs"), "--db", db])
        #expect(first.status == 0, "\(first.stderr)")
        #expect(first.stderr.contains("imported 2 of 2"))
        let second = try Tools.run("history", ["import", dir.file("runs"), "--db", db])
        #expect(second.stderr.contains("imported 0 of 2"))
        let list = try Tools.run("history", ["list", "--db", db])
        #expect(list.stdout.split(separator: "\n").count == 3)
        let check = try Tools.run("history", ["check", "--db", db])
        #expect(check.status == 0)
        #expect(check.stdout.contains("integrity_check: ok"))
        // The documented queries run as written (docs/history.md).
        let q = try Tools.run(
            "/usr/bin/sqlite3",
            [
                db,
                "SELECT r.name, s.memory_mb, s.duration_robust_mean_ms FROM runs r JOIN sizes s ON s.run_id = r.id WHERE s.function = 'cpu-bound' ORDER BY r.id, s.memory_mb;",
            ])
        #expect(q.status == 0)
        #expect(q.stdout.split(separator: "\n").count == 4)
    }

    @Test func aBadRunFolderIsOneLine() throws {
        let dir = try TemporaryDirectory("history")
        defer { dir.remove() }
        try dir.write("models.json", "{}")
        try dir.write("logs.ndjson", "{}\n")
        let r = try Tools.run("history", ["record", dir.path, "--db", dir.file("h.db")])
        #expect(r.status == 2)
        #expect(r.stderr.hasPrefix("history: \(dir.file("models.json")): not a models.json file"))
        #expect(r.stderr.split(separator: "\n").count == 1)
    }
}
