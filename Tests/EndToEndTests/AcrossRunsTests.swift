import AWS
import CurlHTTP
import Foundation
import JSON
import RecordSchema
import SyntheticData
import TestSupport
import Testing

/// The history, compare, report --compare/--history and apply on the real emulator, with
/// the built tools. Structure only: verdicts on live timings are not asserted (the seeded
/// fixtures of ComparingTests are); the figures are printed.
@Suite("across runs end to end", .serialized)
struct AcrossRunsTests {
    /// The default functions with every call's work × 1.2 (20% slower).
    static let slowConfig = """
        { "functions": [
            { "name": "faas_measure", "handler": "faas_measure", "memory_mb": 128, "timeout_s": 30, "work_scale": 1.2 },
            { "name": "faas_sleep", "handler": "sleep", "memory_mb": 128, "timeout_s": 30, "work_scale": 1.2 } ] }
        """

    @Test func twoPipelineRunsAreRecordedComparedAndCharted() throws {
        let dir = try TemporaryDirectory("e2e-across")
        defer { dir.remove() }
        let workload = try PipelineFixture.write(into: dir, name: "across")
        try dir.write("slow.json", Self.slowConfig)
        let db = dir.file("history.db")
        let a = dir.file("a")
        let b = dir.file("b")
        let first = try PipelineFixture.make(["stages"], runDirectory: a, workload: workload, extra: ["HISTORY": db])
        #expect(first.status == 0, "\(first.stdout)\n\(first.stderr)")
        let second = try PipelineFixture.make(
            ["stages"], runDirectory: b, workload: workload,
            extra: ["HISTORY": db, "EMULATOR_FLAGS": PipelineFixture.emulatorFlags + " --config " + dir.file("slow.json")])
        #expect(second.status == 0, "\(second.stdout)\n\(second.stderr)")
        #expect(FileManager.default.fileExists(atPath: a + "/history.recorded"))

        // Both runs are in the history, whole; nothing is recorded twice.
        let again = try PipelineFixture.make(["stages"], runDirectory: b, workload: workload, extra: ["HISTORY": db])
        #expect(!again.stdout.contains("/history "), "recorded again:\n\(again.stdout)")
        let check = try Tools.run("history", ["check", "--db", db])
        #expect(check.status == 0 && check.stdout.contains("runs: 2, incomplete: 0"), "\(check.stdout)")
        let rows = try Tools.run("/usr/bin/sqlite3", [db, "SELECT count(*) FROM sizes; SELECT count(*) FROM calls;"])
        #expect(rows.stdout.split(separator: "\n").first == "20")
        // No credential reaches the database (nor its WAL).
        for file in [db, db + "-wal"] {
            let bytes = (try? Data(contentsOf: URL(fileURLWithPath: file))) ?? Data()
            for secret in [LocalEmulator.secretAccessKey, LocalEmulator.accessKeyId] {
                #expect(bytes.range(of: Data(secret.utf8)) == nil, "\(file) contains \(secret)")
            }
        }

        // compare: the table, JSON, history ids; the gate's status follows the verdicts.
        let table = try Tools.run("compare", [a, b])
        #expect(table.status == 0, "\(table.stderr)")
        print(table.stdout)
        let json = try Tools.run("compare", ["latest~1", "latest", "--history", db, "--json"])
        #expect(json.status == 0, "\(json.stderr)")
        let tree = try JSONTree.parse(Array(json.stdout.utf8))
        let compared = try #require(tree["rows"]?.array)
        #expect(compared.count == 10)
        let verdicts = Set(compared.compactMap { $0["duration_verdict"]?.string })
        #expect(verdicts.isSubset(of: ["faster", "slower", "no significant change", "too few calls"]))
        let gate = try Tools.run("compare", [a, b, "--fail-on", "slower"])
        #expect(gate.status == (verdicts.contains("slower") ? 4 : 0))

        // report --compare and --history add their sections.
        let html = dir.file("b/compared.html")
        let report = try Tools.run(
            "report",
            [b + "/models.json", b + "/logs.ndjson", "--compare", a, "--history", "--history-db", db, "-o", html])
        #expect(report.status == 0, "\(report.stderr)")
        let page = try String(contentsOfFile: html, encoding: .utf8)
        #expect(page.contains("<section id=\"compare\">") && page.contains("<section id=\"history\">"))
        #expect(page.contains("faas_measure: cost per 1M at the cheapest size, by run"))
        #expect(!page.contains("<script"))
    }

    /// A run folder of the emulator's two functions, with seeded synthetic calls.
    static func emulatorRun(in dir: TemporaryDirectory) throws -> String {
        try RunFolders.synthetic(
            [SyntheticFunction.cpuBound(name: "faas_measure"), SyntheticFunction.sleepBound(name: "faas_sleep")],
            sizes: [128, 512, 1024, 1769], perSize: 40, seed: 5, folder: dir.file("run"), bootstrap: 50)
    }

    static func memory(_ function: String, _ emulator: LocalEmulator) async throws -> Int {
        let http = HTTPClient()
        defer { http.shutdown() }
        let client = try LambdaClient(http: http, configuration: .resolve(environment: emulator.environment))
        return try await client.getFunctionConfiguration(function).memorySize
    }

    @Test func applySetsTheRecommendedMemoryAndRecordsIt() async throws {
        let dir = try TemporaryDirectory("e2e-apply")
        defer { dir.remove() }
        let run = try Self.emulatorRun(in: dir)
        let models = try JSONDecoder().decode(ModelsFile.self, from: Data(contentsOf: URL(fileURLWithPath: run + "/models.json")))
        let chosen = Dictionary(
            uniqueKeysWithValues: models.functions.filter { $0.payloadGroup == "all" }.map {
                ($0.function, $0.recommendations!.balanced!.memoryMB)
            })
        #expect(chosen.values.contains { $0 != 128 })
        let emulator = try LocalEmulator.start()
        defer { _ = emulator.stop() }
        let db = dir.file("history.db")
        let args = [run, "--rule", "balanced", "--history", db]

        // --dry-run: shows the changes, changes nothing, records nothing.
        let dry = try Tools.run("apply", args + ["--dry-run"], environment: emulator.environment)
        #expect(dry.status == 0, "\(dry.stderr)")
        #expect(dry.stdout.contains("dry run: nothing changed"))
        #expect(dry.stdout.contains("128 MB"))
        for f in chosen.keys { #expect(try await Self.memory(f, emulator) == 128) }
        #expect(!FileManager.default.fileExists(atPath: db))

        // Asked and answered no: nothing changes.
        let no = try Tools.run("apply", args, stdin: "n\n", environment: emulator.environment)
        #expect(no.status == 0)
        #expect(no.stdout.contains("[y/N]") && no.stdout.contains("nothing changed"))
        for f in chosen.keys { #expect(try await Self.memory(f, emulator) == 128) }

        // --yes: every function is at its recommendation, live, and the history says so.
        let yes = try Tools.run("apply", args + ["--yes"], environment: emulator.environment)
        #expect(yes.status == 0, "\(yes.stdout)\n\(yes.stderr)")
        print(yes.stdout)
        for (f, m) in chosen { #expect(try await Self.memory(f, emulator) == m) }
        let applied = try Tools.run(
            "/usr/bin/sqlite3", [db, "SELECT lambda_function, from_memory_mb, to_memory_mb, outcome FROM applied ORDER BY function;"])
        let lines = applied.stdout.split(separator: "\n").map(String.init)
        #expect(lines.count == 2)
        for (f, m) in chosen where m != 128 { #expect(lines.contains("\(f)|128|\(m)|applied")) }

        // Applying again changes nothing and says so.
        let twice = try Tools.run("apply", args + ["--yes", "--no-record"], environment: emulator.environment)
        #expect(twice.status == 0)
        #expect(twice.stdout.contains("unchanged"))
    }
}
