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

    public init(format: String = ModelsFile.formatName, provenance: ModelProvenance, pricing: PricingUsed,
                options: FitOptionsUsed, functions: [FunctionModel], logWait: [LogWaitSummary], warnings: [String]) {
        self.format = format; self.provenance = provenance; self.pricing = pricing; self.options = options
        self.functions = functions; self.logWait = logWait; self.warnings = warnings
    }

    enum CodingKeys: String, CodingKey {
        case format, provenance, pricing, options, functions, warnings
        case logWait = "log_wait"
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

    public init(tool: String, version: String, inputs: [ModelInput], workloadSHA256: String?, seed: UInt64?,
                run: String?, tools: [String]) {
        self.tool = tool; self.version = version; self.inputs = inputs; self.workloadSHA256 = workloadSHA256
        self.seed = seed; self.run = run; self.tools = tools
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
        self.path = path; self.sha256 = sha256; self.records = records
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

    public init(region: String, architecture: String, gbSecondUSD: Double, requestUSD: Double,
                billingGranularityMs: Double, source: String) {
        self.region = region; self.architecture = architecture; self.gbSecondUSD = gbSecondUSD
        self.requestUSD = requestUSD; self.billingGranularityMs = billingGranularityMs; self.source = source
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

    public init(gridMinMB: Int, gridMaxMB: Int, gridStepMB: Int, maxDurationMs: Double?, balancedWeight: Double,
                trimFraction: Double, bootstrapResamples: Int, bootstrapSeed: UInt64, confidenceLevel: Double,
                memorySafetySigmas: Double, memorySafetyFraction: Double, fastestTolerance: Double,
                minInvocationsPerSize: Int, currentMemoryMB: Int?, coldStartShare: Double? = nil,
                extrapolate: Bool? = nil) {
        self.gridMinMB = gridMinMB; self.gridMaxMB = gridMaxMB; self.gridStepMB = gridStepMB
        self.maxDurationMs = maxDurationMs; self.balancedWeight = balancedWeight; self.trimFraction = trimFraction
        self.bootstrapResamples = bootstrapResamples; self.bootstrapSeed = bootstrapSeed
        self.confidenceLevel = confidenceLevel; self.memorySafetySigmas = memorySafetySigmas
        self.memorySafetyFraction = memorySafetyFraction; self.fastestTolerance = fastestTolerance
        self.minInvocationsPerSize = minInvocationsPerSize; self.currentMemoryMB = currentMemoryMB
        self.coldStartShare = coldStartShare; self.extrapolate = extrapolate
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

/// Everything fit knows about one function (and one payload group of it).
public struct FunctionModel: Codable, Hashable, Sendable {
    /// `target.label`: the Lambda function name or the URL.
    public var function: String
    /// "all" (every payload, in the workload's mix) or "payload N" (one distinct payload).
    public var payloadGroup: String
    /// The payload (compact JSON text) of a "payload N" group; null for "all".
    public var payload: String?
    /// The memory size savings are measured against.
    public var currentMemoryMB: Int?
    /// One entry per observed memory size, ascending.
    public var observations: [MemoryObservation]
    public var runtime: CurveModel?
    public var memory: MemoryModel?
    public var coldStart: ColdStartModel?
    /// Cost over the grid (and the observed sizes), ascending memory. Empty without a runtime model.
    public var costCurve: [CostPoint]
    public var recommendations: Recommendations?
    public var warnings: [String]

    public init(function: String, payloadGroup: String, payload: String?, currentMemoryMB: Int?,
                observations: [MemoryObservation], runtime: CurveModel?, memory: MemoryModel?,
                coldStart: ColdStartModel?, costCurve: [CostPoint], recommendations: Recommendations?,
                warnings: [String]) {
        self.function = function; self.payloadGroup = payloadGroup; self.payload = payload
        self.currentMemoryMB = currentMemoryMB; self.observations = observations; self.runtime = runtime
        self.memory = memory; self.coldStart = coldStart; self.costCurve = costCurve
        self.recommendations = recommendations; self.warnings = warnings
    }

    enum CodingKeys: String, CodingKey {
        case function, payload, observations, runtime, memory, recommendations, warnings
        case payloadGroup = "payload_group"
        case currentMemoryMB = "current_memory_mb"
        case coldStart = "cold_start"
        case costCurve = "cost_curve"
    }
}

/// What was measured at one memory size (REPORT's Memory Size, else the phase's).
public struct MemoryObservation: Codable, Hashable, Sendable {
    public var memoryMB: Int
    /// Every REPORT line at this size.
    public var n: Int
    /// Successful warm invocations (the runtime fit's data).
    public var warmN: Int
    /// Invocations with an Init Duration.
    public var coldN: Int
    /// Over successful warm invocations.
    public var durationP50Ms: Double?
    public var durationP90Ms: Double?
    public var durationP99Ms: Double?
    public var durationMeanMs: Double?
    /// The robust centre the runtime fit uses (trimmed mean per payload, mixed by counts).
    public var durationFitMs: Double?
    /// Mean Billed Duration over every invocation at this size.
    public var billedMeanMs: Double?
    public var errors: Int
    public var timeouts: Int
    public var ooms: Int
    public var maxMemoryUsedP50MB: Double?
    public var maxMemoryUsedMaxMB: Int?
    /// coldN / n.
    public var coldStartShare: Double
    public var initP50Ms: Double?

    public init(memoryMB: Int, n: Int, warmN: Int, coldN: Int, durationP50Ms: Double?, durationP90Ms: Double?,
                durationP99Ms: Double?, durationMeanMs: Double?, durationFitMs: Double?, billedMeanMs: Double?,
                errors: Int, timeouts: Int, ooms: Int, maxMemoryUsedP50MB: Double?, maxMemoryUsedMaxMB: Int?,
                coldStartShare: Double, initP50Ms: Double?) {
        self.memoryMB = memoryMB; self.n = n; self.warmN = warmN; self.coldN = coldN
        self.durationP50Ms = durationP50Ms; self.durationP90Ms = durationP90Ms; self.durationP99Ms = durationP99Ms
        self.durationMeanMs = durationMeanMs; self.durationFitMs = durationFitMs; self.billedMeanMs = billedMeanMs
        self.errors = errors; self.timeouts = timeouts; self.ooms = ooms
        self.maxMemoryUsedP50MB = maxMemoryUsedP50MB; self.maxMemoryUsedMaxMB = maxMemoryUsedMaxMB
        self.coldStartShare = coldStartShare; self.initP50Ms = initP50Ms
    }

    enum CodingKeys: String, CodingKey {
        case n, errors, timeouts, ooms
        case memoryMB = "memory_mb"
        case warmN = "warm_n"
        case coldN = "cold_n"
        case durationP50Ms = "duration_p50_ms"
        case durationP90Ms = "duration_p90_ms"
        case durationP99Ms = "duration_p99_ms"
        case durationMeanMs = "duration_mean_ms"
        case durationFitMs = "duration_fit_ms"
        case billedMeanMs = "billed_mean_ms"
        case maxMemoryUsedP50MB = "max_memory_used_p50_mb"
        case maxMemoryUsedMaxMB = "max_memory_used_max_mb"
        case coldStartShare = "cold_start_share"
        case initP50Ms = "init_p50_ms"
    }
}

/// A fitted curve y(m) of a duration against memory size: the runtime or the cold-start Init Duration.
public struct CurveModel: Codable, Hashable, Sendable {
    /// The chosen form: "cpu_share", "parrotfish" or "inverse" (see `formula`).
    public var form: String
    /// Human-readable, e.g. "t = a + b*1769/min(m,1769)".
    public var formula: String
    public var parameters: [String: Double]
    public var standardErrors: [String: Double]
    /// Weighted R² of the per-size centres (null when undefined).
    public var r2: Double?
    /// In-sample mean absolute percentage error over the observed sizes, in percent.
    public var mape: Double
    /// Leave-one-memory-size-out MAPE, percent (null with too few sizes for this form).
    public var looMape: Double?
    /// Every candidate form tried, the chosen one included.
    public var candidates: [CurveCandidate]
    /// How outliers were handled and how the form was chosen.
    public var robust: String
    public var selection: String
    /// Memory sizes and invocations the fit used.
    public var sizes: Int
    public var points: Int
    /// The chosen form's prediction of each size when that size is left out of the fit.
    public var looPredictions: [LeftOutSize]?

    public init(form: String, formula: String, parameters: [String: Double], standardErrors: [String: Double],
                r2: Double?, mape: Double, looMape: Double?, candidates: [CurveCandidate], robust: String,
                selection: String, sizes: Int, points: Int, looPredictions: [LeftOutSize]? = nil) {
        self.form = form; self.formula = formula; self.parameters = parameters; self.standardErrors = standardErrors
        self.r2 = r2; self.mape = mape; self.looMape = looMape; self.candidates = candidates; self.robust = robust
        self.selection = selection; self.sizes = sizes; self.points = points; self.looPredictions = looPredictions
    }

    enum CodingKeys: String, CodingKey {
        case form, formula, parameters, r2, mape, candidates, robust, selection, sizes, points
        case standardErrors = "standard_errors"
        case looMape = "loo_mape"
        case looPredictions = "loo_predictions"
    }
}

/// One size of a leave-one-memory-size-out check.
public struct LeftOutSize: Codable, Hashable, Sendable {
    public var memoryMB: Int
    /// The size's robust centre (what the fit uses).
    public var observedMs: Double
    /// The form fitted without this size, evaluated at it.
    public var predictedMs: Double
    /// |predicted − observed| / observed, percent.
    public var errorPct: Double

    public init(memoryMB: Int, observedMs: Double, predictedMs: Double, errorPct: Double) {
        self.memoryMB = memoryMB; self.observedMs = observedMs; self.predictedMs = predictedMs; self.errorPct = errorPct
    }

    enum CodingKeys: String, CodingKey {
        case memoryMB = "memory_mb"
        case observedMs = "observed_ms"
        case predictedMs = "predicted_ms"
        case errorPct = "error_pct"
    }
}

public struct CurveCandidate: Codable, Hashable, Sendable {
    public var form: String
    public var formula: String
    public var parameters: [String: Double]
    public var standardErrors: [String: Double]
    public var r2: Double?
    public var mape: Double?
    public var looMape: Double?
    /// Why the form could not be fitted or scored, when it could not.
    public var note: String?

    public init(form: String, formula: String, parameters: [String: Double], standardErrors: [String: Double],
                r2: Double?, mape: Double?, looMape: Double?, note: String?) {
        self.form = form; self.formula = formula; self.parameters = parameters; self.standardErrors = standardErrors
        self.r2 = r2; self.mape = mape; self.looMape = looMape; self.note = note
    }

    enum CodingKeys: String, CodingKey {
        case form, formula, parameters, r2, mape, note
        case standardErrors = "standard_errors"
        case looMape = "loo_mape"
    }
}

/// Max Memory Used as a linear model of the payload's numeric fields (and memory size).
public struct MemoryModel: Codable, Hashable, Sendable {
    /// Predictor names: "intercept", "memory_mb", payload paths such as "cmds.alloc.mb".
    public var predictors: [String]
    public var coefficients: [String: Double]
    public var standardErrors: [String: Double]
    public var residualSDMB: Double
    public var r2: Double?
    public var n: Int
    /// Largest Max Memory Used observed.
    public var maxObservedMB: Int
    /// Largest memory size at which an OOM was observed (a hard lower bound), if any.
    public var oomAtMB: Int?
    /// Worst case over the observed payloads at `minimumSafeMB`, plus the safety margin.
    public var requiredMB: Double
    /// Smallest grid size with required ≤ size (and above any OOM size).
    public var minimumSafeMB: Int?
    public var margin: String

    public init(predictors: [String], coefficients: [String: Double], standardErrors: [String: Double],
                residualSDMB: Double, r2: Double?, n: Int, maxObservedMB: Int, oomAtMB: Int?, requiredMB: Double,
                minimumSafeMB: Int?, margin: String) {
        self.predictors = predictors; self.coefficients = coefficients; self.standardErrors = standardErrors
        self.residualSDMB = residualSDMB; self.r2 = r2; self.n = n; self.maxObservedMB = maxObservedMB
        self.oomAtMB = oomAtMB; self.requiredMB = requiredMB; self.minimumSafeMB = minimumSafeMB; self.margin = margin
    }

    enum CodingKeys: String, CodingKey {
        case predictors, coefficients, r2, n, margin
        case standardErrors = "standard_errors"
        case residualSDMB = "residual_sd_mb"
        case maxObservedMB = "max_observed_mb"
        case oomAtMB = "oom_at_mb"
        case requiredMB = "required_mb"
        case minimumSafeMB = "minimum_safe_mb"
    }
}

public struct ColdStartModel: Codable, Hashable, Sendable {
    /// Invocations with an Init Duration / all invocations.
    public var share: Double
    public var coldN: Int
    /// Init Duration vs memory (null with fewer than 2 sizes that had cold starts).
    public var initCurve: CurveModel?
    public var perPhase: [ColdStartPhase]

    public init(share: Double, coldN: Int, initCurve: CurveModel?, perPhase: [ColdStartPhase]) {
        self.share = share; self.coldN = coldN; self.initCurve = initCurve; self.perPhase = perPhase
    }

    enum CodingKeys: String, CodingKey {
        case share
        case coldN = "cold_n"
        case initCurve = "init_curve"
        case perPhase = "per_phase"
    }
}

public struct ColdStartPhase: Codable, Hashable, Sendable {
    public var phase: Int
    public var memoryMB: Int
    public var n: Int
    public var coldN: Int
    public var share: Double
    public var initP50Ms: Double?
    public var initMaxMs: Double?

    public init(phase: Int, memoryMB: Int, n: Int, coldN: Int, share: Double, initP50Ms: Double?, initMaxMs: Double?) {
        self.phase = phase; self.memoryMB = memoryMB; self.n = n; self.coldN = coldN; self.share = share
        self.initP50Ms = initP50Ms; self.initMaxMs = initMaxMs
    }

    enum CodingKeys: String, CodingKey {
        case phase, n, share
        case memoryMB = "memory_mb"
        case coldN = "cold_n"
        case initP50Ms = "init_p50_ms"
        case initMaxMs = "init_max_ms"
    }
}

/// Predicted cost of one invocation at one memory size.
public struct CostPoint: Codable, Hashable, Sendable {
    public var memoryMB: Int
    /// Predicted warm duration.
    public var durationMs: Double
    public var durationLoMs: Double
    public var durationHiMs: Double
    /// Predicted billed duration (warm, plus the cold-start share of Init Duration when modelled).
    public var billedMs: Double
    /// USD per invocation, with its confidence interval.
    public var costUSD: Double
    public var costLo: Double
    public var costHi: Double
    /// A size that was measured (false = interpolated or extrapolated from the model).
    public var observed: Bool
    /// Outside the observed memory range: the model's form is extrapolated.
    public var extrapolated: Bool
    /// At or above the memory model's minimum safe size (true when there is no memory model).
    public var memorySafe: Bool
    /// Why this size is never recommended, when it is not (e.g. "memory", "timeouts"); null = eligible.
    public var excluded: String?

    public init(memoryMB: Int, durationMs: Double, durationLoMs: Double, durationHiMs: Double, billedMs: Double,
                costUSD: Double, costLo: Double, costHi: Double, observed: Bool, extrapolated: Bool, memorySafe: Bool,
                excluded: String? = nil) {
        self.memoryMB = memoryMB; self.durationMs = durationMs; self.durationLoMs = durationLoMs
        self.durationHiMs = durationHiMs; self.billedMs = billedMs; self.costUSD = costUSD; self.costLo = costLo
        self.costHi = costHi; self.observed = observed; self.extrapolated = extrapolated; self.memorySafe = memorySafe
        self.excluded = excluded
    }

    enum CodingKeys: String, CodingKey {
        case observed, extrapolated, excluded
        case memoryMB = "memory_mb"
        case durationMs = "duration_ms"
        case durationLoMs = "duration_lo_ms"
        case durationHiMs = "duration_hi_ms"
        case billedMs = "billed_ms"
        case costUSD = "cost_usd"
        case costLo = "cost_lo"
        case costHi = "cost_hi"
        case memorySafe = "memory_safe"
    }
}

public struct Recommendations: Codable, Hashable, Sendable {
    public var cheapest: Recommendation?
    public var fastest: Recommendation?
    public var balanced: Recommendation?
    /// Cheapest whose predicted duration ≤ --max-duration-ms (null without the option or when none qualifies).
    public var underLatencyBound: Recommendation?

    public init(cheapest: Recommendation?, fastest: Recommendation?, balanced: Recommendation?,
                underLatencyBound: Recommendation?) {
        self.cheapest = cheapest; self.fastest = fastest; self.balanced = balanced
        self.underLatencyBound = underLatencyBound
    }

    enum CodingKeys: String, CodingKey {
        case cheapest, fastest, balanced
        case underLatencyBound = "under_latency_bound"
    }
}

public struct Recommendation: Codable, Hashable, Sendable {
    public var memoryMB: Int
    public var costPerMillionUSD: Double
    public var costPerMillionCILoUSD: Double
    public var costPerMillionCIHiUSD: Double
    public var durationMs: Double
    public var durationCILoMs: Double
    public var durationCIHiMs: Double
    /// Range of the size this rule picks across bootstrap replicates (confidence level of the file).
    public var memoryCILoMB: Int
    public var memoryCIHiMB: Int
    /// Share of bootstrap replicates that picked exactly this size.
    public var stability: Double
    /// (cost at current - cost here) / cost at current, percent; null without a current size.
    public var savingVsCurrentPct: Double?
    public var savingPerMillionUSD: Double?
    public var extrapolated: Bool
    /// One sentence: the rule that picked it.
    public var rule: String

    public init(memoryMB: Int, costPerMillionUSD: Double, costPerMillionCILoUSD: Double, costPerMillionCIHiUSD: Double,
                durationMs: Double, durationCILoMs: Double, durationCIHiMs: Double, memoryCILoMB: Int,
                memoryCIHiMB: Int, stability: Double, savingVsCurrentPct: Double?, savingPerMillionUSD: Double?,
                extrapolated: Bool, rule: String) {
        self.memoryMB = memoryMB; self.costPerMillionUSD = costPerMillionUSD
        self.costPerMillionCILoUSD = costPerMillionCILoUSD; self.costPerMillionCIHiUSD = costPerMillionCIHiUSD
        self.durationMs = durationMs; self.durationCILoMs = durationCILoMs; self.durationCIHiMs = durationCIHiMs
        self.memoryCILoMB = memoryCILoMB; self.memoryCIHiMB = memoryCIHiMB; self.stability = stability
        self.savingVsCurrentPct = savingVsCurrentPct; self.savingPerMillionUSD = savingPerMillionUSD
        self.extrapolated = extrapolated; self.rule = rule
    }

    enum CodingKeys: String, CodingKey {
        case stability, extrapolated, rule
        case memoryMB = "memory_mb"
        case costPerMillionUSD = "cost_per_million_usd"
        case costPerMillionCILoUSD = "cost_per_million_ci_lo_usd"
        case costPerMillionCIHiUSD = "cost_per_million_ci_hi_usd"
        case durationMs = "duration_ms"
        case durationCILoMs = "duration_ci_lo_ms"
        case durationCIHiMs = "duration_ci_hi_ms"
        case memoryCILoMB = "memory_ci_lo_mb"
        case memoryCIHiMB = "memory_ci_hi_mb"
        case savingVsCurrentPct = "saving_vs_current_pct"
        case savingPerMillionUSD = "saving_per_million_usd"
    }
}

