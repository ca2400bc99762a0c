import Foundation

extension HistoryStore {
    /// What `record` did: the run's id, and whether it was already there (same fingerprint).
    public struct Recorded: Sendable {
        public var id: Int64
        public var alreadyRecorded: Bool
    }

    /// Records a run in one transaction. A run already recorded (same logs.ndjson and
    /// models.json) is not recorded twice: its existing id is returned.
    public func record(_ run: RunSnapshot, recordedUnixMs: Double = Date().timeIntervalSince1970 * 1000) throws -> Recorded {
        try transaction {
            var existing: Int64?
            try connection.query("SELECT id FROM runs WHERE fingerprint = ?1", [.text(run.meta.fingerprint)]) { existing = $0.int(0) }
            if let existing { return Recorded(id: existing, alreadyRecorded: true) }
            let m = run.meta
            try connection.query(
                """
                INSERT INTO runs(fingerprint, name, workload_sha256, seed, started_unix_ms, ended_unix_ms, recorded_unix_ms,
                  target, endpoint_kind, region, tools, architecture, gb_second_usd, request_usd, source,
                  size_rows, recommendation_rows, call_rows)
                VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18)
                """,
                [
                    .text(m.fingerprint), .text(m.name), .of(m.workloadSHA256), .of(m.seed.map(String.init)),
                    .of(m.startedUnixMs), .of(m.endedUnixMs), .real(recordedUnixMs), .text(m.target), .text(m.endpointKind),
                    .of(m.region), .text(m.tools.joined(separator: ", ")), .text(m.architecture), .real(m.gbSecondUSD),
                    .real(m.requestUSD), .of(m.source), .of(run.sizes.count), .of(run.recommendations.count),
                    .of(run.invocationCount),
                ])
            let id = connection.lastInsertRowID
            try insertSizes(run.sizes, id)
            try insertRecommendations(run.recommendations, id)
            let targets = try connection.prepare(
                "INSERT INTO targets(run_id, function, kind, lambda_function, region, qualifier) VALUES (?1, ?2, ?3, ?4, ?5, ?6)")
            defer { sqlite3Finalize(targets) }
            for t in run.targets {
                try connection.run(
                    targets, [.int(id), .text(t.function), .text(t.kind), .text(t.lambdaFunction), .of(t.region), .of(t.qualifier)])
            }
            try insertCalls(run.samples, id)
            return Recorded(id: id, alreadyRecorded: false)
        }
    }

    func insertSizes(_ sizes: [SizeSummary], _ id: Int64) throws {
        let s = try connection.prepare(
            """
            INSERT INTO sizes(run_id, function, memory_mb, n, warm_n, cold_n, errors, timeouts, ooms,
              duration_robust_mean_ms, duration_p50_ms, duration_p90_ms, duration_p99_ms,
              billed_mean_ms, billed_p50_ms, billed_p90_ms, billed_p99_ms, cold_share, max_memory_used_mb)
            VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18, ?19)
            """)
        defer { sqlite3Finalize(s) }
        for x in sizes {
            try connection.run(
                s,
                [
                    .int(id), .text(x.function), .of(x.memoryMB), .of(x.n), .of(x.warmN), .of(x.coldN), .of(x.errors),
                    .of(x.timeouts), .of(x.ooms), .of(x.durationRobustMeanMs), .of(x.durationP50Ms), .of(x.durationP90Ms),
                    .of(x.durationP99Ms), .of(x.billedMeanMs), .of(x.billedP50Ms), .of(x.billedP90Ms), .of(x.billedP99Ms),
                    .real(x.coldShare), .of(x.maxMemoryUsedMB),
                ])
        }
    }

    func insertRecommendations(_ rows: [RecommendationRow], _ id: Int64) throws {
        let s = try connection.prepare(
            """
            INSERT INTO recommendations(run_id, function, rule, memory_mb, memory_ci_lo_mb, memory_ci_hi_mb,
              cost_per_million_usd, cost_per_million_ci_lo_usd, cost_per_million_ci_hi_usd,
              duration_ms, duration_ci_lo_ms, duration_ci_hi_ms, form)
            VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13)
            """)
        defer { sqlite3Finalize(s) }
        for r in rows {
            try connection.run(
                s,
                [
                    .int(id), .text(r.function), .text(r.rule), .of(r.memoryMB), .of(r.memoryCILoMB), .of(r.memoryCIHiMB),
                    .real(r.costPerMillionUSD), .real(r.costPerMillionCILoUSD), .real(r.costPerMillionCIHiUSD),
                    .real(r.durationMs), .real(r.durationCILoMs), .real(r.durationCIHiMs), .of(r.form),
                ])
        }
    }

    func insertCalls(_ samples: [SampleKey: CallSamples], _ id: Int64) throws {
        let s = try connection.prepare(
            """
            INSERT INTO calls(run_id, function, memory_mb, seq, duration_ms, billed_ms, cold, status)
            VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)
            """)
        defer { sqlite3Finalize(s) }
        for key in samples.keys.sorted() {
            for (k, c) in samples[key]!.calls.enumerated() {
                try connection.run(
                    s,
                    [
                        .int(id), .text(key.function), .of(key.memoryMB), .of(k), .real(c.durationMs), .real(c.billedMs),
                        .int(c.cold ? 1 : 0), .text(c.status),
                    ])
            }
        }
    }

    /// One memory change made by apply (or one it found already in place).
    public struct AppliedChange: Sendable, Hashable {
        public var runID: Int64?
        public var function: String
        public var lambdaFunction: String
        public var region: String?
        public var rule: String
        public var fromMemoryMB: Int?
        public var toMemoryMB: Int
        public var appliedUnixMs: Double
        /// "applied" (changed and live) or "unchanged" (already at that size).
        public var outcome: String
        public init(
            runID: Int64?, function: String, lambdaFunction: String, region: String?, rule: String, fromMemoryMB: Int?,
            toMemoryMB: Int, appliedUnixMs: Double, outcome: String
        ) {
            self.runID = runID
            self.function = function
            self.lambdaFunction = lambdaFunction
            self.region = region
            self.rule = rule
            self.fromMemoryMB = fromMemoryMB
            self.toMemoryMB = toMemoryMB
            self.appliedUnixMs = appliedUnixMs
            self.outcome = outcome
        }
    }

    /// Records changes apply made, in one transaction.
    public func recordApplied(_ changes: [AppliedChange]) throws {
        try transaction {
            for c in changes {
                try connection.query(
                    """
                    INSERT INTO applied(run_id, function, lambda_function, region, rule, from_memory_mb, to_memory_mb,
                      applied_unix_ms, outcome) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)
                    """,
                    [
                        c.runID.map { .int($0) } ?? .null, .text(c.function), .text(c.lambdaFunction), .of(c.region),
                        .text(c.rule), .of(c.fromMemoryMB), .of(c.toMemoryMB), .real(c.appliedUnixMs), .text(c.outcome),
                    ])
            }
        }
    }
}
