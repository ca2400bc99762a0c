import ArgumentParser
import Foundation
import History
import ToolSupport

/// `history`: record finished runs in the SQLite run history, import run folders, list them.
@main
struct HistoryTool: RightsizeTool {
    static let configuration = CommandConfiguration(
        commandName: "history",
        abstract: "The run history (SQLite): record a finished run, import run folders, list the runs.",
        discussion: """
            Every run is written in one transaction (WAL mode): a reader, a second pipeline finishing at \
            the same time or a kill -9 never leaves half a run. A run recorded twice (same logs.ndjson and \
            models.json) is one row. Schema and example sqlite3 queries: docs/history.md.
            """,
        subcommands: [Record.self, Import.self, List.self, Check.self])

    struct Options: ParsableArguments {
        @Option(help: "The history database.")
        var db: String = HistoryStore.defaultPath
    }

    struct Record: RightsizeTool {
        static let configuration = CommandConfiguration(abstract: "Record one finished run folder (models.json and logs.ndjson).")
        @OptionGroup var options: Options
        @Argument(help: "The run folder, e.g. runs/example.")
        var folder: String

        func run() throws {
            guard RunFolder.isRun(folder) else {
                throw InputError(file: folder, problem: "not a run folder (needs models.json and logs.ndjson)")
            }
            let run = try RunFolder.load(folder)
            let store = try HistoryStore(path: options.db)
            let recorded = try store.record(run)
            StandardError.line(
                "history",
                recorded.alreadyRecorded
                    ? "\(folder) is already run #\(recorded.id) of \(options.db)"
                    : "recorded \(folder) as run #\(recorded.id) in \(options.db) (\(run.invocationCount) calls)")
        }
    }

    struct Import: RightsizeTool {
        static let configuration = CommandConfiguration(
            abstract: "Record every run folder under a folder (runs/ by default), oldest first; those already there are skipped.")
        @OptionGroup var options: Options
        @Argument(help: "The folder holding run folders.")
        var root: String = "runs"

        func run() throws {
            let fm = FileManager.default
            let names = (try? fm.contentsOfDirectory(atPath: root)) ?? []
            let folders = names.map { root + "/" + $0 }.filter { RunFolder.isRun($0) }.sorted { a, b in
                func date(_ p: String) -> Date {
                    (try? fm.attributesOfItem(atPath: p + "/models.json")[.modificationDate] as? Date) ?? .distantPast
                }
                return (date(a), a) < (date(b), b)
            }
            let store = try HistoryStore(path: options.db)
            var added = 0
            for f in folders {
                let recorded = try store.record(try RunFolder.load(f))
                if !recorded.alreadyRecorded { added += 1 }
                StandardError.line("history", "\(f): run #\(recorded.id)\(recorded.alreadyRecorded ? " (already recorded)" : "")")
            }
            StandardError.line("history", "imported \(added) of \(folders.count) run folders under \(root) into \(options.db)")
        }
    }

    struct List: RightsizeTool {
        static let configuration = CommandConfiguration(abstract: "List the recorded runs.")
        @OptionGroup var options: Options

        func run() throws {
            guard FileManager.default.fileExists(atPath: options.db) else {
                throw InputError(file: options.db, problem: "no history database")
            }
            let store = try HistoryStore(path: options.db)
            print("id\tname\tstarted (UTC)\ttarget\tfunctions\tcalls\tsource")
            for r in try store.list() {
                let started = r.startedUnixMs.map { ISO8601DateFormatter().string(from: Date(timeIntervalSince1970: $0 / 1000)) } ?? "-"
                print("\(r.id)\t\(r.name)\t\(started)\t\(r.target)\t\(r.functions)\t\(r.invocations)\t\(r.source ?? "-")")
            }
        }
    }

    struct Check: RightsizeTool {
        static let configuration = CommandConfiguration(
            abstract: "PRAGMA integrity_check and every run's row counts; exit 1 unless both are sound.")
        @OptionGroup var options: Options

        func run() throws {
            let store = try HistoryStore(path: options.db)
            let integrity = try store.integrityCheck()
            let incomplete = try store.incompleteRuns()
            print("integrity_check: \(integrity)")
            print("runs: \(try store.list().count), incomplete: \(incomplete.count)")
            if integrity != "ok" || !incomplete.isEmpty { throw ExitCode(ExitStatus.failure) }
        }
    }
}
