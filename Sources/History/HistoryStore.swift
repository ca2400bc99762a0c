import Foundation

/// The run history: an SQLite database (WAL) of finished runs, written one run per
/// transaction, so a reader or a `kill -9` never sees half a run, and two writers finishing
/// at once wait for each other (busy timeout) instead of failing.
public final class HistoryStore {
    public static let defaultPath = "runs/history.db"
    let connection: SQLiteConnection
    public var path: String { connection.path }

    public struct Failure: Error, CustomStringConvertible {
        public var description: String
    }

    /// Opens (creating it and its folder when missing) the database at `path`.
    public init(path: String) throws {
        let folder = (path as NSString).deletingLastPathComponent
        if !folder.isEmpty { try? FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true) }
        do {
            connection = try SQLiteConnection(path: path)
            try connection.execute("PRAGMA busy_timeout=60000; PRAGMA foreign_keys=ON;")
            var mode = ""
            try connection.query("PRAGMA journal_mode=WAL") { mode = $0.text(0) }
            guard mode.lowercased() == "wal" else { throw Failure(description: "\(path): cannot use WAL (journal mode \(mode))") }
            try connection.execute("PRAGMA synchronous=FULL")
            try migrate()
        } catch let e as SQLiteConnection.Failure {
            throw Failure(description: e.description)
        }
    }

    func migrate() throws {
        try transaction {
            var version = 0
            try connection.query("PRAGMA user_version") { version = Int($0.int(0)) }
            if version > HistorySchema.version {
                throw Failure(description: "\(path): schema version \(version) is newer than this tool's (\(HistorySchema.version))")
            }
            if version < HistorySchema.version {
                try connection.execute(HistorySchema.create)
                try connection.execute("PRAGMA user_version=\(HistorySchema.version)")
                try connection.query(
                    "INSERT OR REPLACE INTO meta(key, value) VALUES ('schema_version', ?1)", [.text(String(HistorySchema.version))])
            }
        }
    }

    /// Runs `body` in one write transaction (BEGIN IMMEDIATE: the write lock is taken first,
    /// so two writers queue rather than deadlock), rolled back when it throws.
    func transaction<T>(_ body: () throws -> T) throws -> T {
        try connection.execute("BEGIN IMMEDIATE")
        do {
            let result = try body()
            try connection.execute("COMMIT")
            return result
        } catch {
            try? connection.execute("ROLLBACK")
            throw error
        }
    }

    /// `PRAGMA integrity_check`'s answer ("ok" when the file is sound).
    public func integrityCheck() throws -> String {
        var lines: [String] = []
        try connection.query("PRAGMA integrity_check") { lines.append($0.text(0)) }
        return lines.joined(separator: "\n")
    }

    /// Runs whose row counts differ from what their `runs` row announces (none, unless the
    /// file was edited: a run is written in one transaction).
    public func incompleteRuns() throws -> [Int64] {
        var ids: [Int64] = []
        try connection.query(
            """
            SELECT r.id FROM runs r WHERE
              r.size_rows != (SELECT count(*) FROM sizes s WHERE s.run_id = r.id) OR
              r.recommendation_rows != (SELECT count(*) FROM recommendations x WHERE x.run_id = r.id) OR
              r.call_rows != (SELECT count(*) FROM calls c WHERE c.run_id = r.id)
            """
        ) { ids.append($0.int(0)) }
        return ids
    }
}

extension HistoryStore {
    /// A pragma's first value as text (e.g. "journal_mode" -> "wal", "user_version" -> "1").
    public func pragma(_ name: String) throws -> String {
        guard name.allSatisfy({ $0.isLetter || $0 == "_" }) else { throw Failure(description: "not a pragma name: \(name)") }
        var value = ""
        try connection.query("PRAGMA \(name)") { value = $0.text(0) }
        return value
    }
}
