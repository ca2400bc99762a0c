/// The history database's schema (docs/history.md). `PRAGMA user_version` holds its
/// version; a database of a later version is refused rather than misread.
enum HistorySchema {
    static let version = 1

    static let create = """
        CREATE TABLE IF NOT EXISTS meta(key TEXT PRIMARY KEY, value TEXT NOT NULL);
        CREATE TABLE IF NOT EXISTS runs(
            id INTEGER PRIMARY KEY,
            fingerprint TEXT NOT NULL UNIQUE,
            name TEXT NOT NULL,
            workload_sha256 TEXT,
            seed TEXT,
            started_unix_ms REAL,
            ended_unix_ms REAL,
            recorded_unix_ms REAL NOT NULL,
            target TEXT NOT NULL,
            endpoint_kind TEXT NOT NULL,
            region TEXT,
            tools TEXT NOT NULL,
            architecture TEXT NOT NULL,
            gb_second_usd REAL NOT NULL,
            request_usd REAL NOT NULL,
            source TEXT,
            size_rows INTEGER NOT NULL,
            recommendation_rows INTEGER NOT NULL,
            call_rows INTEGER NOT NULL);
        CREATE TABLE IF NOT EXISTS sizes(
            run_id INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
            function TEXT NOT NULL,
            memory_mb INTEGER NOT NULL,
            n INTEGER NOT NULL, warm_n INTEGER NOT NULL, cold_n INTEGER NOT NULL,
            errors INTEGER NOT NULL, timeouts INTEGER NOT NULL, ooms INTEGER NOT NULL,
            duration_robust_mean_ms REAL, duration_p50_ms REAL, duration_p90_ms REAL, duration_p99_ms REAL,
            billed_mean_ms REAL, billed_p50_ms REAL, billed_p90_ms REAL, billed_p99_ms REAL,
            cold_share REAL NOT NULL,
            max_memory_used_mb INTEGER,
            PRIMARY KEY(run_id, function, memory_mb));
        CREATE TABLE IF NOT EXISTS recommendations(
            run_id INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
            function TEXT NOT NULL,
            rule TEXT NOT NULL,
            memory_mb INTEGER NOT NULL, memory_ci_lo_mb INTEGER NOT NULL, memory_ci_hi_mb INTEGER NOT NULL,
            cost_per_million_usd REAL NOT NULL, cost_per_million_ci_lo_usd REAL NOT NULL,
            cost_per_million_ci_hi_usd REAL NOT NULL,
            duration_ms REAL NOT NULL, duration_ci_lo_ms REAL NOT NULL, duration_ci_hi_ms REAL NOT NULL,
            form TEXT,
            PRIMARY KEY(run_id, function, rule));
        CREATE TABLE IF NOT EXISTS targets(
            run_id INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
            function TEXT NOT NULL,
            kind TEXT NOT NULL,
            lambda_function TEXT NOT NULL,
            region TEXT,
            qualifier TEXT,
            PRIMARY KEY(run_id, function));
        CREATE TABLE IF NOT EXISTS calls(
            run_id INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
            function TEXT NOT NULL,
            memory_mb INTEGER NOT NULL,
            seq INTEGER NOT NULL,
            duration_ms REAL NOT NULL,
            billed_ms REAL NOT NULL,
            cold INTEGER NOT NULL,
            status TEXT NOT NULL,
            PRIMARY KEY(run_id, function, memory_mb, seq)) WITHOUT ROWID;
        CREATE TABLE IF NOT EXISTS applied(
            id INTEGER PRIMARY KEY,
            run_id INTEGER REFERENCES runs(id),
            function TEXT NOT NULL,
            lambda_function TEXT NOT NULL,
            region TEXT,
            rule TEXT NOT NULL,
            from_memory_mb INTEGER,
            to_memory_mb INTEGER NOT NULL,
            applied_unix_ms REAL NOT NULL,
            outcome TEXT NOT NULL);
        CREATE INDEX IF NOT EXISTS recommendations_by_function ON recommendations(function, rule);
        """
}
