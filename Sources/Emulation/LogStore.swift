import CSQLite
import Synchronization

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// CloudWatch-Logs-like storage in SQLite (WAL), so logs survive a restart.
///
/// Each event is stored with the time it becomes visible (`visible_ms`): the Logs API
/// only returns events whose propagation delay has passed.
final class LogStore: Sendable {
    struct Event: Sendable {
        var id: Int64
        var stream: String
        var timestamp: Int64
        var ingestion: Int64
        var message: String
        var eventId: String { String(repeating: "0", count: max(0, 20 - String(id).count)) + String(id) }
    }

    struct Stream: Sendable {
        var name: String
        var creation: Int64
        var firstEvent: Int64?
        var lastEvent: Int64?
        var lastIngestion: Int64?
        var storedBytes: Int64
    }

    struct Failure: Error, CustomStringConvertible { var description: String }

    /// The connection; SQLite handles are not thread-safe in our build mode, so every
    /// use goes through this lock.
    private let connection: Mutex<Connection>

    final class Connection: @unchecked Sendable {  // only touched under LogStore.connection's lock
        let db: OpaquePointer
        init(db: OpaquePointer) { self.db = db }
        deinit { sqlite3_close(db) }
    }

    init(path: String) throws {
        var db: OpaquePointer?
        guard sqlite3_open_v2(path, &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX, nil) == SQLITE_OK, let db else {
            throw Failure(description: "cannot open \(path)")
        }
        connection = Mutex(Connection(db: db))
        try execute(
            """
            PRAGMA busy_timeout=5000;
            PRAGMA journal_mode=WAL;
            PRAGMA synchronous=NORMAL;
            CREATE TABLE IF NOT EXISTS streams(grp TEXT NOT NULL, name TEXT NOT NULL, creation_ms INTEGER NOT NULL,
                PRIMARY KEY(grp, name));
            CREATE TABLE IF NOT EXISTS events(id INTEGER PRIMARY KEY AUTOINCREMENT, grp TEXT NOT NULL, stream TEXT NOT NULL,
                ts_ms INTEGER NOT NULL, ingestion_ms INTEGER NOT NULL, visible_ms INTEGER NOT NULL, message TEXT NOT NULL);
            CREATE INDEX IF NOT EXISTS events_by_group_time ON events(grp, ts_ms, id);
            CREATE INDEX IF NOT EXISTS events_by_stream_time ON events(grp, stream, ts_ms, id);
            """)
    }

    private func execute(_ sql: String) throws {
        try connection.withLock { c in
            var error: UnsafeMutablePointer<CChar>?
            if sqlite3_exec(c.db, sql, nil, nil, &error) != SQLITE_OK {
                let message = error.map { String(cString: $0) } ?? "unknown"
                sqlite3_free(error)
                throw Failure(description: message)
            }
        }
    }

    enum Value {
        case int(Int64)
        case text(String)
    }

    /// Runs one statement with bound values, calling `row` for each result row.
    private func query(_ sql: String, _ values: [Value], row: (OpaquePointer) -> Void = { _ in }) throws {
        try connection.withLock { c in try Self.run(c.db, sql, values, row) }
    }

    private static func run(_ db: OpaquePointer, _ sql: String, _ values: [Value], _ row: (OpaquePointer) -> Void) throws {
        var statement: OpaquePointer?
        guard sqlite3_prepare_v2(db, sql, -1, &statement, nil) == SQLITE_OK, let statement else {
            throw Failure(description: String(cString: sqlite3_errmsg(db)))
        }
        defer { sqlite3_finalize(statement) }
        for (i, v) in values.enumerated() {
            switch v {
            case .int(let n): sqlite3_bind_int64(statement, Int32(i + 1), n)
            case .text(let s): sqlite3_bind_text(statement, Int32(i + 1), s, -1, rs_sqlite_transient())
            }
        }
        while true {
            let rc = sqlite3_step(statement)
            if rc == SQLITE_ROW {
                row(statement)
                continue
            }
            if rc == SQLITE_DONE { return }
            throw Failure(description: String(cString: sqlite3_errmsg(db)))
        }
    }

    private static func text(_ s: OpaquePointer, _ i: Int32) -> String {
        sqlite3_column_text(s, i).map { String(cString: $0) } ?? ""
    }

    private static func optionalInt(_ s: OpaquePointer, _ i: Int32) -> Int64? {
        sqlite3_column_type(s, i) == SQLITE_NULL ? nil : sqlite3_column_int64(s, i)
    }

    func createStream(group: String, name: String, creationMs: Int64) {
        try? query(
            "INSERT OR IGNORE INTO streams(grp, name, creation_ms) VALUES(?, ?, ?)",
            [.text(group), .text(name), .int(creationMs)])
    }

    /// One invocation's events, all visible at `visibleMs`.
    struct Batch: Sendable {
        var group: String
        var stream: String
        var events: [(timestamp: Int64, message: String)]
        var ingestionMs: Int64
        var visibleMs: Int64
    }

    /// Appends invocations' events in one transaction. A failure (disk full, database
    /// locked for over 5 s) is reported on stderr: the emulator keeps serving.
    func append(_ batches: [Batch]) {
        connection.withLock { c in
            do {
                try Self.run(c.db, "BEGIN IMMEDIATE", [], { _ in })
                for b in batches {
                    for e in b.events {
                        try Self.run(
                            c.db, "INSERT INTO events(grp, stream, ts_ms, ingestion_ms, visible_ms, message) VALUES(?, ?, ?, ?, ?, ?)",
                            [.text(b.group), .text(b.stream), .int(e.timestamp), .int(b.ingestionMs), .int(b.visibleMs), .text(e.message)],
                            { _ in })
                    }
                }
                try Self.run(c.db, "COMMIT", [], { _ in })
            } catch {
                sqlite3_exec(c.db, "ROLLBACK", nil, nil, nil)
                let line = "lambda-emulator: cannot store \(batches.count) invocation logs: \(error)\n"
                _ = line.withCString { write(2, $0, strlen($0)) }
            }
        }
    }

    func groups() -> [(name: String, creation: Int64, bytes: Int64)] {
        var out: [(String, Int64, Int64)] = []
        try? query("SELECT grp, MIN(creation_ms) FROM streams GROUP BY grp ORDER BY grp", []) { s in
            out.append((Self.text(s, 0), sqlite3_column_int64(s, 1), 0))
        }
        return out
    }

    func groupExists(_ group: String) -> Bool {
        var found = false
        try? query("SELECT 1 FROM streams WHERE grp = ? LIMIT 1", [.text(group)]) { _ in found = true }
        return found
    }

    /// FilterLogEvents: visible events of a group in (timestamp, id) order, after `cursor`.
    func filter(
        group: String, streams: [String]?, streamPrefix: String?, start: Int64?, end: Int64?, pattern: FilterPattern,
        limit: Int, after cursor: (Int64, Int64)?, now: Int64
    ) -> [Event] {
        var sql = "SELECT id, stream, ts_ms, ingestion_ms, message FROM events WHERE grp = ? AND visible_ms <= ?"
        var values: [Value] = [.text(group), .int(now)]
        if let start {
            sql += " AND ts_ms >= ?"
            values.append(.int(start))
        }
        if let end {
            sql += " AND ts_ms <= ?"
            values.append(.int(end))
        }
        if let streams, !streams.isEmpty {
            sql += " AND stream IN (" + streams.map { _ in "?" }.joined(separator: ",") + ")"
            values += streams.map { .text($0) }
        }
        if let streamPrefix {
            sql += " AND substr(stream, 1, ?) = ?"
            values += [.int(Int64(streamPrefix.utf8.count)), .text(streamPrefix)]
        }
        for term in pattern.all {
            sql += " AND instr(message, ?) > 0"
            values.append(.text(term))
        }
        for term in pattern.none {
            sql += " AND instr(message, ?) = 0"
            values.append(.text(term))
        }
        if !pattern.any.isEmpty {
            sql += " AND (" + pattern.any.map { _ in "instr(message, ?) > 0" }.joined(separator: " OR ") + ")"
            values += pattern.any.map { .text($0) }
        }
        if let (ts, id) = cursor {
            sql += " AND (ts_ms > ? OR (ts_ms = ? AND id > ?))"
            values += [.int(ts), .int(ts), .int(id)]
        }
        sql += " ORDER BY ts_ms, id LIMIT ?"
        values.append(.int(Int64(limit)))
        var out: [Event] = []
        try? query(sql, values) { s in
            out.append(
                Event(
                    id: sqlite3_column_int64(s, 0), stream: Self.text(s, 1), timestamp: sqlite3_column_int64(s, 2),
                    ingestion: sqlite3_column_int64(s, 3), message: Self.text(s, 4)))
        }
        return out
    }

    /// GetLogEvents: one stream's visible events, forwards after `afterId` or backwards before `beforeId`.
    func streamEvents(
        group: String, stream: String, start: Int64?, end: Int64?, limit: Int,
        fromHead: Bool, afterId: Int64?, beforeId: Int64?, now: Int64
    ) -> [Event] {
        var sql = "SELECT id, stream, ts_ms, ingestion_ms, message FROM events WHERE grp = ? AND stream = ? AND visible_ms <= ?"
        var values: [Value] = [.text(group), .text(stream), .int(now)]
        if let start {
            sql += " AND ts_ms >= ?"
            values.append(.int(start))
        }
        if let end {
            sql += " AND ts_ms < ?"
            values.append(.int(end))
        }
        if let afterId {
            sql += " AND id > ?"
            values.append(.int(afterId))
        }
        if let beforeId {
            sql += " AND id < ?"
            values.append(.int(beforeId))
        }
        sql += fromHead ? " ORDER BY id LIMIT ?" : " ORDER BY id DESC LIMIT ?"
        values.append(.int(Int64(limit)))
        var out: [Event] = []
        try? query(sql, values) { s in
            out.append(
                Event(
                    id: sqlite3_column_int64(s, 0), stream: Self.text(s, 1), timestamp: sqlite3_column_int64(s, 2),
                    ingestion: sqlite3_column_int64(s, 3), message: Self.text(s, 4)))
        }
        return fromHead ? out : out.reversed()
    }

    func streamExists(group: String, stream: String) -> Bool {
        var found = false
        try? query("SELECT 1 FROM streams WHERE grp = ? AND name = ?", [.text(group), .text(stream)]) { _ in found = true }
        return found
    }

    /// DescribeLogStreams: streams with the figures of their visible events.
    func streams(group: String, prefix: String?, now: Int64) -> [Stream] {
        var sql = """
            SELECT s.name, s.creation_ms, MIN(e.ts_ms), MAX(e.ts_ms), MAX(e.ingestion_ms), COALESCE(SUM(LENGTH(e.message)), 0)
            FROM streams s LEFT JOIN events e ON e.grp = s.grp AND e.stream = s.name AND e.visible_ms <= ?
            WHERE s.grp = ?
            """
        var values: [Value] = [.int(now), .text(group)]
        if let prefix {
            sql += " AND substr(s.name, 1, ?) = ?"
            values += [.int(Int64(prefix.utf8.count)), .text(prefix)]
        }
        sql += " GROUP BY s.name ORDER BY s.name"
        var out: [Stream] = []
        try? query(sql, values) { s in
            out.append(
                Stream(
                    name: Self.text(s, 0), creation: sqlite3_column_int64(s, 1), firstEvent: Self.optionalInt(s, 2),
                    lastEvent: Self.optionalInt(s, 3), lastIngestion: Self.optionalInt(s, 4),
                    storedBytes: sqlite3_column_int64(s, 5)))
        }
        return out
    }
}
