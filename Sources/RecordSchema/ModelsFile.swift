/// models.json: what `fit` writes and `report` reads (format "rightsize.models/1").
///
/// Plain `Codable` structs with explicit snake_case keys, so any JSONEncoder/JSONDecoder
/// (no key strategy needed) reads and writes the documented format. fit encodes them
/// with `.sortedKeys` + `.prettyPrinted`, which makes the bytes deterministic.
/// Values that cannot be estimated are null (absent), never NaN. The format is
/// documented in docs/fit.md; changes must be additive.
public struct ModelsFile: Codable, Hashable, Sendable {
    public static let formatName = "rightsize.models/1"

    public var format: String
    public var provenance: ModelProvenance
    public var pricing: PricingUsed
    public var options: FitOptionsUsed
    public var functions: [FunctionModel]
    /// The await-logs outcome per function, copied from logs.ndjson's `log_wait` lines.
    public var logWait: [LogWaitSummary]
    /// File-level warnings (e.g. "no run header"); per-function ones are in `functions[].warnings`.
    public var warnings: [String]
    /// The kept response fields per function, memory size and pointer (absent when the
    /// workload kept none).
    public var responseFields: [ResponseFieldSummary]?

    public init(
        format: String = ModelsFile.formatName, provenance: ModelProvenance, pricing: PricingUsed,
        options: FitOptionsUsed, functions: [FunctionModel], logWait: [LogWaitSummary], warnings: [String]
    ) {
        self.format = format
        self.provenance = provenance
        self.pricing = pricing
        self.options = options
        self.functions = functions
        self.logWait = logWait
        self.warnings = warnings
    }

    enum CodingKeys: String, CodingKey {
        case format, provenance, pricing, options, functions, warnings
        case logWait = "log_wait"
        case responseFields = "response_fields"
    }
}

/// One kept response field (`response_fields`, a JSON pointer) of one function at one memory
/// size: numbers summarised, and for any kind the distinct values seen, which for an
/// environment's id (`/stat/inst_id`, SAAF's `uuid`) counts the environments that served.
public struct ResponseFieldSummary: Codable, Hashable, Sendable {
    public var function: String
    public var memoryMB: Int
    public var pointer: String
    /// Calls whose response had a value there (not null).
    public var n: Int
    /// Calls with a response but no value there.
    public var missing: Int
    /// Distinct values (compared as compact JSON).
    public var distinct: Int
    /// When every value is a number: their mean, median, 95th percentile and range.
    public var mean: Double?
    public var p50: Double?
    public var p95: Double?
    public var min: Double?
    public var max: Double?

    public init(
        function: String, memoryMB: Int, pointer: String, n: Int, missing: Int, distinct: Int, mean: Double? = nil,
        p50: Double? = nil, p95: Double? = nil, min: Double? = nil, max: Double? = nil
    ) {
        self.function = function
        self.memoryMB = memoryMB
        self.pointer = pointer
        self.n = n
        self.missing = missing
        self.distinct = distinct
        self.mean = mean
        self.p50 = p50
        self.p95 = p95
        self.min = min
        self.max = max
    }

    enum CodingKeys: String, CodingKey {
        case function, pointer, n, missing, distinct, mean, p50, p95, min, max
        case memoryMB = "memory_mb"
    }
}

/// Where the models came from: enough to re-run the fit and to trust the numbers.
public struct ModelProvenance: Codable, Hashable, Sendable {
    /// "fit".
    public var tool: String
    public var version: String
    public var inputs: [ModelInput]
    /// From the `run` header (null when the input had none).
    public var workloadSHA256: String?
    public var seed: UInt64?
    public var run: String?
    /// "<tool> <version>" of every stage the records went through, ending with fit.
    public var tools: [String]

    public init(
        tool: String, version: String, inputs: [ModelInput], workloadSHA256: String?, seed: UInt64?,
        run: String?, tools: [String]
    ) {
        self.tool = tool
        self.version = version
        self.inputs = inputs
        self.workloadSHA256 = workloadSHA256
        self.seed = seed
        self.run = run
        self.tools = tools
    }

    enum CodingKeys: String, CodingKey {
        case tool, version, inputs, seed, run, tools
        case workloadSHA256 = "workload_sha256"
    }
}

public struct ModelInput: Codable, Hashable, Sendable {
    /// As given on the command line; "-" for standard input.
    public var path: String
    /// SHA-256 of the bytes read.
    public var sha256: String
    /// Lines read, by record kind.
    public var records: [String: Int]

    public init(path: String, sha256: String, records: [String: Int]) {
        self.path = path
        self.sha256 = sha256
        self.records = records
    }
}

/// The price table used for every cost in the file.
public struct PricingUsed: Codable, Hashable, Sendable {
    public var region: String
    public var architecture: String
    /// USD per GB-second of billed duration (GB = 1024 MB).
    public var gbSecondUSD: Double
    /// USD per request.
    public var requestUSD: Double
    public var billingGranularityMs: Double
    /// "built-in" or the --prices file path, plus the table's own source note.
    public var source: String

    public init(
        region: String, architecture: String, gbSecondUSD: Double, requestUSD: Double,
        billingGranularityMs: Double, source: String
    ) {
        self.region = region
        self.architecture = architecture
        self.gbSecondUSD = gbSecondUSD
        self.requestUSD = requestUSD
        self.billingGranularityMs = billingGranularityMs
        self.source = source
    }

    enum CodingKeys: String, CodingKey {
        case region, architecture, source
        case gbSecondUSD = "gb_second_usd"
        case requestUSD = "request_usd"
        case billingGranularityMs = "billing_granularity_ms"
    }
}

/// The settings the models were computed with (defaults included), so a reader can reproduce them.
public struct FitOptionsUsed: Codable, Hashable, Sendable {
    public var gridMinMB: Int
    public var gridMaxMB: Int
    public var gridStepMB: Int
    public var maxDurationMs: Double?
    /// Weight of cost (vs duration) in the balanced score, 0...1.
    public var balancedWeight: Double
    /// Fraction trimmed from each tail of every (memory size, payload) cell before fitting.
    public var trimFraction: Double
    public var bootstrapResamples: Int
    public var bootstrapSeed: UInt64
    /// Two-sided level of every confidence interval, e.g. 0.95.
    public var confidenceLevel: Double
    /// Memory safety margin: required = (predicted + sigmas x residual SD) x (1 + fraction).
    public var memorySafetySigmas: Double
    public var memorySafetyFraction: Double
    /// "Fastest" = the cheapest size whose predicted duration is within this fraction of the minimum.
    public var fastestTolerance: Double
    /// Minimum warm successful invocations for a memory size to enter a fit.
    public var minInvocationsPerSize: Int
    public var currentMemoryMB: Int?
    /// --cold-start-share: the cold-start share costs assume (null = the share observed in the run).
    public var coldStartShare: Double?
    /// --extrapolate: recommendations may lie outside the measured memory sizes.
    public var extrapolate: Bool?

    public init(
        gridMinMB: Int, gridMaxMB: Int, gridStepMB: Int, maxDurationMs: Double?, balancedWeight: Double,
        trimFraction: Double, bootstrapResamples: Int, bootstrapSeed: UInt64, confidenceLevel: Double,
        memorySafetySigmas: Double, memorySafetyFraction: Double, fastestTolerance: Double,
        minInvocationsPerSize: Int, currentMemoryMB: Int?, coldStartShare: Double? = nil,
        extrapolate: Bool? = nil
    ) {
        self.gridMinMB = gridMinMB
        self.gridMaxMB = gridMaxMB
        self.gridStepMB = gridStepMB
        self.maxDurationMs = maxDurationMs
        self.balancedWeight = balancedWeight
        self.trimFraction = trimFraction
        self.bootstrapResamples = bootstrapResamples
        self.bootstrapSeed = bootstrapSeed
        self.confidenceLevel = confidenceLevel
        self.memorySafetySigmas = memorySafetySigmas
        self.memorySafetyFraction = memorySafetyFraction
        self.fastestTolerance = fastestTolerance
        self.minInvocationsPerSize = minInvocationsPerSize
        self.currentMemoryMB = currentMemoryMB
        self.coldStartShare = coldStartShare
        self.extrapolate = extrapolate
    }

    enum CodingKeys: String, CodingKey {
        case gridMinMB = "grid_min_mb"
        case gridMaxMB = "grid_max_mb"
        case gridStepMB = "grid_step_mb"
        case maxDurationMs = "max_duration_ms"
        case balancedWeight = "balanced_weight"
        case trimFraction = "trim_fraction"
        case bootstrapResamples = "bootstrap_resamples"
        case bootstrapSeed = "bootstrap_seed"
        case confidenceLevel = "confidence_level"
        case memorySafetySigmas = "memory_safety_sigmas"
        case memorySafetyFraction = "memory_safety_fraction"
        case fastestTolerance = "fastest_tolerance"
        case minInvocationsPerSize = "min_invocations_per_size"
        case currentMemoryMB = "current_memory_mb"
        case coldStartShare = "cold_start_share"
        case extrapolate
    }
}
