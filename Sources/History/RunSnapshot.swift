/// One finished run, as the history keeps it and as compare and apply read it: where it
/// ran, the measured summaries per function and memory size, the recommendations, and the
/// per-call durations the comparison's bootstrap resamples. Never credentials.
public struct RunSnapshot: Sendable {
    public var meta: RunMeta
    public var sizes: [SizeSummary]
    public var recommendations: [RecommendationRow]
    /// The functions' targets (what apply updates), one per function.
    public var targets: [FunctionTarget]
    /// Per (function, memory size) the calls' figures, in input order.
    public var samples: [SampleKey: CallSamples]

    public init(
        meta: RunMeta, sizes: [SizeSummary], recommendations: [RecommendationRow], targets: [FunctionTarget],
        samples: [SampleKey: CallSamples]
    ) {
        self.meta = meta
        self.sizes = sizes
        self.recommendations = recommendations
        self.targets = targets
        self.samples = samples
    }

    public var functions: [String] { Array(Set(sizes.map(\.function))).sorted() }

    public func recommendation(_ function: String, rule: String) -> RecommendationRow? {
        recommendations.first { $0.function == function && $0.rule == rule }
    }

    public var invocationCount: Int { samples.values.reduce(0) { $0 + $1.count } }
}

/// Where and when a run happened, and with what.
public struct RunMeta: Sendable, Hashable {
    /// The history's id (nil for a run read from its folder and not recorded yet).
    public var id: Int64?
    /// The run's name (workload `test_name`).
    public var name: String
    public var workloadSHA256: String?
    public var seed: UInt64?
    public var startedUnixMs: Double?
    public var endedUnixMs: Double?
    /// "local" (the emulator) or "aws", from the workload.
    public var target: String
    /// "lambda" (Invoke API), "http" or "mixed".
    public var endpointKind: String
    public var region: String?
    /// Tool versions from the run header and models.json ("plan 0.1.0", "fit 0.1.0", ...).
    public var tools: [String]
    /// The price per GB-second and per request the run's models used (cost per 1M is computed with them).
    public var gbSecondUSD: Double
    public var requestUSD: Double
    public var architecture: String
    /// SHA-256 over logs.ndjson and models.json: the same run recorded twice is one row.
    public var fingerprint: String
    /// The folder it was read from (as given), if any.
    public var source: String?

    public init(
        id: Int64? = nil, name: String, workloadSHA256: String?, seed: UInt64?, startedUnixMs: Double?,
        endedUnixMs: Double?, target: String, endpointKind: String, region: String?, tools: [String],
        gbSecondUSD: Double, requestUSD: Double, architecture: String, fingerprint: String, source: String?
    ) {
        self.id = id
        self.name = name
        self.workloadSHA256 = workloadSHA256
        self.seed = seed
        self.startedUnixMs = startedUnixMs
        self.endedUnixMs = endedUnixMs
        self.target = target
        self.endpointKind = endpointKind
        self.region = region
        self.tools = tools
        self.gbSecondUSD = gbSecondUSD
        self.requestUSD = requestUSD
        self.architecture = architecture
        self.fingerprint = fingerprint
        self.source = source
    }
}

/// The measured summary of one function at one memory size (models.json's observations,
/// plus the billed-duration percentiles).
public struct SizeSummary: Sendable, Hashable {
    public var function: String
    public var memoryMB: Int
    public var n: Int
    public var warmN: Int
    public var coldN: Int
    public var errors: Int
    public var timeouts: Int
    public var ooms: Int
    /// fit's robust mean of warm successful Durations.
    public var durationRobustMeanMs: Double?
    public var durationP50Ms: Double?
    public var durationP90Ms: Double?
    public var durationP99Ms: Double?
    public var billedMeanMs: Double?
    public var billedP50Ms: Double?
    public var billedP90Ms: Double?
    public var billedP99Ms: Double?
    public var coldShare: Double
    public var maxMemoryUsedMB: Int?

    public init(
        function: String, memoryMB: Int, n: Int, warmN: Int, coldN: Int, errors: Int, timeouts: Int, ooms: Int,
        durationRobustMeanMs: Double?, durationP50Ms: Double?, durationP90Ms: Double?, durationP99Ms: Double?,
        billedMeanMs: Double?, billedP50Ms: Double?, billedP90Ms: Double?, billedP99Ms: Double?, coldShare: Double,
        maxMemoryUsedMB: Int?
    ) {
        self.function = function
        self.memoryMB = memoryMB
        self.n = n
        self.warmN = warmN
        self.coldN = coldN
        self.errors = errors
        self.timeouts = timeouts
        self.ooms = ooms
        self.durationRobustMeanMs = durationRobustMeanMs
        self.durationP50Ms = durationP50Ms
        self.durationP90Ms = durationP90Ms
        self.durationP99Ms = durationP99Ms
        self.billedMeanMs = billedMeanMs
        self.billedP50Ms = billedP50Ms
        self.billedP90Ms = billedP90Ms
        self.billedP99Ms = billedP99Ms
        self.coldShare = coldShare
        self.maxMemoryUsedMB = maxMemoryUsedMB
    }
}

/// One recommendation of models.json (payload group "all"), with the chosen runtime form.
public struct RecommendationRow: Sendable, Hashable {
    public var function: String
    /// "cheapest", "fastest", "balanced" or "under_latency_bound".
    public var rule: String
    public var memoryMB: Int
    public var memoryCILoMB: Int
    public var memoryCIHiMB: Int
    public var costPerMillionUSD: Double
    public var costPerMillionCILoUSD: Double
    public var costPerMillionCIHiUSD: Double
    public var durationMs: Double
    public var durationCILoMs: Double
    public var durationCIHiMs: Double
    public var form: String?

    public init(
        function: String, rule: String, memoryMB: Int, memoryCILoMB: Int, memoryCIHiMB: Int, costPerMillionUSD: Double,
        costPerMillionCILoUSD: Double, costPerMillionCIHiUSD: Double, durationMs: Double, durationCILoMs: Double,
        durationCIHiMs: Double, form: String?
    ) {
        self.function = function
        self.rule = rule
        self.memoryMB = memoryMB
        self.memoryCILoMB = memoryCILoMB
        self.memoryCIHiMB = memoryCIHiMB
        self.costPerMillionUSD = costPerMillionUSD
        self.costPerMillionCILoUSD = costPerMillionCILoUSD
        self.costPerMillionCIHiUSD = costPerMillionCIHiUSD
        self.durationMs = durationMs
        self.durationCILoMs = durationCILoMs
        self.durationCIHiMs = durationCIHiMs
        self.form = form
    }

    public static let rules = ["cheapest", "balanced", "fastest", "under_latency_bound"]
}

/// What a function's calls went to: the Lambda function (and qualifier) apply would update.
public struct FunctionTarget: Sendable, Hashable {
    /// models.json's function name (the target's label).
    public var function: String
    /// "lambda" or "http".
    public var kind: String
    /// The Lambda function: the target's function, or the call's application for HTTP targets.
    public var lambdaFunction: String
    public var region: String?
    public var qualifier: String?

    public init(function: String, kind: String, lambdaFunction: String, region: String?, qualifier: String?) {
        self.function = function
        self.kind = kind
        self.lambdaFunction = lambdaFunction
        self.region = region
        self.qualifier = qualifier
    }
}

public struct SampleKey: Sendable, Hashable, Comparable {
    public var function: String
    public var memoryMB: Int
    public init(function: String, memoryMB: Int) {
        self.function = function
        self.memoryMB = memoryMB
    }
    public static func < (a: Self, b: Self) -> Bool { (a.function, a.memoryMB) < (b.function, b.memoryMB) }
}

/// The calls of one function at one size, in input order: what the comparison's bootstrap
/// resamples. The robust mean of duration is over the warm successful calls; cost is over
/// every call's Billed Duration (failed calls are billed too).
public struct CallSamples: Sendable, Hashable {
    public struct Call: Sendable, Hashable {
        public var durationMs: Double
        public var billedMs: Double
        public var cold: Bool
        /// "success", "error", "timeout" or "oom".
        public var status: String
        public init(durationMs: Double, billedMs: Double, cold: Bool, status: String) {
            self.durationMs = durationMs
            self.billedMs = billedMs
            self.cold = cold
            self.status = status
        }
        public var isWarmSuccess: Bool { !cold && status == "success" }
    }

    public var calls: [Call]
    public init(calls: [Call] = []) { self.calls = calls }
    public var count: Int { calls.count }
    public var warmDurationsMs: [Double] { calls.filter(\.isWarmSuccess).map(\.durationMs) }
    public var billedMs: [Double] { calls.map(\.billedMs) }
}
