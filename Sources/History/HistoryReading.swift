import Foundation

extension HistoryStore {
    /// One line of `history list`.
    public struct Listing: Sendable, Hashable {
        public var id: Int64
        public var name: String
        public var startedUnixMs: Double?
        public var recordedUnixMs: Double
        public var target: String
        public var functions: Int
        public var invocations: Int
        public var source: String?
    }

    public func list() throws -> [Listing] {
        var out: [Listing] = []
        try connection.query(
            """
            SELECT id, name, started_unix_ms, recorded_unix_ms, target,
              (SELECT count(DISTINCT function) FROM sizes s WHERE s.run_id = runs.id), call_rows, source
            FROM runs ORDER BY id
            """
        ) { r in
            out.append(
                Listing(
                    id: r.int(0), name: r.text(1), startedUnixMs: r.optionalDouble(2), recordedUnixMs: r.double(3),
                    target: r.text(4), functions: Int(r.int(5)), invocations: Int(r.int(6)), source: r.optionalText(7)))
        }
        return out
    }

    /// The id of the latest run (`offset` 1 = the one before it), optionally of one name.
    public func latestID(offset: Int = 0, name: String? = nil) throws -> Int64? {
        var id: Int64?
        try connection.query(
            "SELECT id FROM runs WHERE ?1 IS NULL OR name = ?1 ORDER BY id DESC LIMIT 1 OFFSET ?2",
            [.of(name), .of(offset)]
        ) { id = $0.int(0) }
        return id
    }

    /// A recorded run, whole (nil when there is no such id).
    public func load(id: Int64) throws -> RunSnapshot? {
        var meta: RunMeta?
        try connection.query(
            """
            SELECT name, workload_sha256, seed, started_unix_ms, ended_unix_ms, target, endpoint_kind, region, tools,
              gb_second_usd, request_usd, architecture, fingerprint, source FROM runs WHERE id = ?1
            """, [.int(id)]
        ) { r in
            meta = RunMeta(
                id: id, name: r.text(0), workloadSHA256: r.optionalText(1), seed: r.optionalText(2).flatMap { UInt64($0) },
                startedUnixMs: r.optionalDouble(3), endedUnixMs: r.optionalDouble(4), target: r.text(5), endpointKind: r.text(6),
                region: r.optionalText(7), tools: r.text(8).split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) },
                gbSecondUSD: r.double(9), requestUSD: r.double(10), architecture: r.text(11), fingerprint: r.text(12),
                source: r.optionalText(13))
        }
        guard let meta else { return nil }
        var sizes: [SizeSummary] = []
        try connection.query(
            """
            SELECT function, memory_mb, n, warm_n, cold_n, errors, timeouts, ooms, duration_robust_mean_ms, duration_p50_ms,
              duration_p90_ms, duration_p99_ms, billed_mean_ms, billed_p50_ms, billed_p90_ms, billed_p99_ms, cold_share,
              max_memory_used_mb FROM sizes WHERE run_id = ?1 ORDER BY function, memory_mb
            """, [.int(id)]
        ) { r in
            sizes.append(
                SizeSummary(
                    function: r.text(0), memoryMB: Int(r.int(1)), n: Int(r.int(2)), warmN: Int(r.int(3)), coldN: Int(r.int(4)),
                    errors: Int(r.int(5)), timeouts: Int(r.int(6)), ooms: Int(r.int(7)), durationRobustMeanMs: r.optionalDouble(8),
                    durationP50Ms: r.optionalDouble(9), durationP90Ms: r.optionalDouble(10), durationP99Ms: r.optionalDouble(11),
                    billedMeanMs: r.optionalDouble(12), billedP50Ms: r.optionalDouble(13), billedP90Ms: r.optionalDouble(14),
                    billedP99Ms: r.optionalDouble(15), coldShare: r.double(16), maxMemoryUsedMB: r.optionalInt(17)))
        }
        let recommendations = try recommendationRows("WHERE run_id = ?1", [.int(id)]).map(\.row)
        var targets: [FunctionTarget] = []
        try connection.query(
            "SELECT function, kind, lambda_function, region, qualifier FROM targets WHERE run_id = ?1 ORDER BY function", [.int(id)]
        ) { r in
            targets.append(
                FunctionTarget(
                    function: r.text(0), kind: r.text(1), lambdaFunction: r.text(2), region: r.optionalText(3),
                    qualifier: r.optionalText(4)))
        }
        var samples: [SampleKey: CallSamples] = [:]
        try connection.query(
            "SELECT function, memory_mb, duration_ms, billed_ms, cold, status FROM calls WHERE run_id = ?1 ORDER BY function, memory_mb, seq",
            [.int(id)]
        ) { r in
            samples[SampleKey(function: r.text(0), memoryMB: Int(r.int(1))), default: CallSamples()].calls.append(
                CallSamples.Call(durationMs: r.double(2), billedMs: r.double(3), cold: r.int(4) != 0, status: r.text(5)))
        }
        return RunSnapshot(meta: meta, sizes: sizes, recommendations: recommendations, targets: targets, samples: samples)
    }

    func recommendationRows(_ filter: String, _ values: [SQLiteConnection.Value]) throws -> [(runID: Int64, row: RecommendationRow)] {
        var out: [(Int64, RecommendationRow)] = []
        try connection.query(
            """
            SELECT run_id, function, rule, memory_mb, memory_ci_lo_mb, memory_ci_hi_mb, cost_per_million_usd,
              cost_per_million_ci_lo_usd, cost_per_million_ci_hi_usd, duration_ms, duration_ci_lo_ms, duration_ci_hi_ms, form
            FROM recommendations \(filter) ORDER BY run_id, function, rule
            """, values
        ) { r in
            out.append(
                (
                    r.int(0),
                    RecommendationRow(
                        function: r.text(1), rule: r.text(2), memoryMB: Int(r.int(3)), memoryCILoMB: Int(r.int(4)),
                        memoryCIHiMB: Int(r.int(5)), costPerMillionUSD: r.double(6), costPerMillionCILoUSD: r.double(7),
                        costPerMillionCIHiUSD: r.double(8), durationMs: r.double(9), durationCILoMs: r.double(10),
                        durationCIHiMs: r.double(11), form: r.optionalText(12))
                ))
        }
        return out
    }

    /// One run's point of a function's trend (report --history).
    public struct TrendPoint: Sendable, Hashable {
        public var runID: Int64
        public var runName: String
        public var startedUnixMs: Double?
        public var recommendation: RecommendationRow
        /// runID 0 = a run not recorded (the report's own, before the pipeline records it).
        public init(runID: Int64, runName: String, startedUnixMs: Double?, recommendation: RecommendationRow) {
            self.runID = runID
            self.runName = runName
            self.startedUnixMs = startedUnixMs
            self.recommendation = recommendation
        }
    }

    /// A function's recommendation under `rule` in every recorded run, oldest first.
    public func trend(function: String, rule: String) throws -> [TrendPoint] {
        var names: [Int64: (String, Double?)] = [:]
        try connection.query("SELECT id, name, started_unix_ms FROM runs") { names[$0.int(0)] = ($0.text(1), $0.optionalDouble(2)) }
        return try recommendationRows("WHERE function = ?1 AND rule = ?2", [.text(function), .text(rule)]).map { x in
            TrendPoint(runID: x.runID, runName: names[x.runID]?.0 ?? "", startedUnixMs: names[x.runID]?.1, recommendation: x.row)
        }
    }

    /// Every change apply recorded, oldest first.
    public func appliedChanges() throws -> [AppliedChange] {
        var out: [AppliedChange] = []
        try connection.query(
            """
            SELECT run_id, function, lambda_function, region, rule, from_memory_mb, to_memory_mb, applied_unix_ms, outcome
            FROM applied ORDER BY id
            """
        ) { r in
            out.append(
                AppliedChange(
                    runID: r.isNull(0) ? nil : r.int(0), function: r.text(1), lambdaFunction: r.text(2), region: r.optionalText(3),
                    rule: r.text(4), fromMemoryMB: r.optionalInt(5), toMemoryMB: Int(r.int(6)), appliedUnixMs: r.double(7),
                    outcome: r.text(8)))
        }
        return out
    }
}

extension HistoryStore {
    /// The id of the run with this fingerprint, if recorded.
    public func id(fingerprint: String) throws -> Int64? {
        var id: Int64?
        try connection.query("SELECT id FROM runs WHERE fingerprint = ?1", [.text(fingerprint)]) { id = $0.int(0) }
        return id
    }
}
