import CSQLite

/// A thin SQLite connection: statements with bound values, rows read by column index.
/// One connection per store, used from one thread at a time.
final class SQLiteConnection {
    let db: OpaquePointer
    let path: String

    struct Failure: Error, CustomStringConvertible {
        var description: String
    }

    enum Value {
        case int(Int64)
        case real(Double)
        case text(String)
        case null
    }

    init(path: String) throws {
        var handle: OpaquePointer?
        let flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX
        guard sqlite3_open_v2(path, &handle, flags, nil) == SQLITE_OK, let handle else {
            let message = handle.map { String(cString: sqlite3_errmsg($0)) } ?? "out of memory"
            if let handle { sqlite3_close(handle) }
            throw Failure(description: "\(path): cannot open: \(message)")
        }
        db = handle
        self.path = path
    }

    deinit { sqlite3_close(db) }

    func execute(_ sql: String) throws {
        var error: UnsafeMutablePointer<CChar>?
        if sqlite3_exec(db, sql, nil, nil, &error) != SQLITE_OK {
            let message = error.map { String(cString: $0) } ?? String(cString: sqlite3_errmsg(db))
            sqlite3_free(error)
            throw Failure(description: "\(path): \(message)")
        }
    }

    /// Runs `sql` with `values` bound to ?1, ?2, ... and calls `row` for each result row.
    func query(_ sql: String, _ values: [Value] = [], row: (Row) throws -> Void = { _ in }) throws {
        let statement = try prepare(sql)
        defer { sqlite3_finalize(statement) }
        try run(statement, values, row: row)
    }

    func prepare(_ sql: String) throws -> OpaquePointer {
        var statement: OpaquePointer?
        guard sqlite3_prepare_v2(db, sql, -1, &statement, nil) == SQLITE_OK, let statement else {
            throw Failure(description: "\(path): \(String(cString: sqlite3_errmsg(db)))")
        }
        return statement
    }

    /// Binds, steps to the end and resets a prepared statement (so it can run again).
    func run(_ statement: OpaquePointer, _ values: [Value], row: (Row) throws -> Void = { _ in }) throws {
        defer {
            sqlite3_reset(statement)
            sqlite3_clear_bindings(statement)
        }
        for (i, v) in values.enumerated() {
            let k = Int32(i + 1)
            switch v {
            case .int(let x): sqlite3_bind_int64(statement, k, x)
            case .real(let x): sqlite3_bind_double(statement, k, x)
            case .text(let s): sqlite3_bind_text(statement, k, s, -1, rs_sqlite_transient())
            case .null: sqlite3_bind_null(statement, k)
            }
        }
        while true {
            let status = sqlite3_step(statement)
            if status == SQLITE_DONE { return }
            guard status == SQLITE_ROW else { throw Failure(description: "\(path): \(String(cString: sqlite3_errmsg(db)))") }
            try row(Row(statement: statement))
        }
    }

    var lastInsertRowID: Int64 { sqlite3_last_insert_rowid(db) }

    struct Row {
        let statement: OpaquePointer
        func isNull(_ i: Int32) -> Bool { sqlite3_column_type(statement, i) == SQLITE_NULL }
        func int(_ i: Int32) -> Int64 { sqlite3_column_int64(statement, i) }
        func double(_ i: Int32) -> Double { sqlite3_column_double(statement, i) }
        func optionalDouble(_ i: Int32) -> Double? { isNull(i) ? nil : double(i) }
        func optionalInt(_ i: Int32) -> Int? { isNull(i) ? nil : Int(int(i)) }
        func text(_ i: Int32) -> String { sqlite3_column_text(statement, i).map { String(cString: $0) } ?? "" }
        func optionalText(_ i: Int32) -> String? { isNull(i) ? nil : text(i) }
    }
}

extension SQLiteConnection.Value {
    static func of(_ x: Double?) -> Self { x.map { $0.isFinite ? .real($0) : .null } ?? .null }
    static func of(_ x: Int?) -> Self { x.map { .int(Int64($0)) } ?? .null }
    static func of(_ x: String?) -> Self { x.map { .text($0) } ?? .null }
}

func sqlite3Finalize(_ statement: OpaquePointer) { sqlite3_finalize(statement) }
