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
    /// The memory sizes with measurements (figures there are measured, not modelled).
    public var measuredSizes: [Int]?
    /// False when the chosen runtime form is flat: duration does not depend on memory.
    public var durationDependsOnMemory: Bool?
    /// Whether the model fills sizes between measured ones (its nested error at interior
    /// sizes is within `fillThresholdPct`); false = recommendations among measured sizes only.
    public var modelFillsBetween: Bool?
    public var fillThresholdPct: Double?
    /// REPORT lines whose Memory Size differed from their phase's configured size (modelled at
    /// the size Lambda reported, and named in `warnings`).
    public var memoryMismatches: Int?

    public init(
        function: String, payloadGroup: String, payload: String?, currentMemoryMB: Int?,
        observations: [MemoryObservation], runtime: CurveModel?, memory: MemoryModel?,
        coldStart: ColdStartModel?, costCurve: [CostPoint], recommendations: Recommendations?,
        warnings: [String]
    ) {
        self.function = function
        self.payloadGroup = payloadGroup
        self.payload = payload
        self.currentMemoryMB = currentMemoryMB
        self.observations = observations
        self.runtime = runtime
        self.memory = memory
        self.coldStart = coldStart
        self.costCurve = costCurve
        self.recommendations = recommendations
        self.warnings = warnings
    }

    enum CodingKeys: String, CodingKey {
        case function, payload, observations, runtime, memory, recommendations, warnings
        case payloadGroup = "payload_group"
        case currentMemoryMB = "current_memory_mb"
        case coldStart = "cold_start"
        case costCurve = "cost_curve"
        case measuredSizes = "measured_sizes"
        case durationDependsOnMemory = "duration_depends_on_memory"
        case modelFillsBetween = "model_fills_between"
        case fillThresholdPct = "fill_threshold_pct"
        case memoryMismatches = "memory_mismatches"
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
    /// Robust mean (see docs/fit.md) of Billed Duration of warm and of cold calls, and the
    /// bootstrap interval of the billed figure the cost at this size uses.
    public var warmBilledMeanMs: Double?
    public var coldBilledMeanMs: Double?
    public var billedCILoMs: Double?
    public var billedCIHiMs: Double?
    /// Cold successful calls: robust mean and median Duration (Init Duration excluded).
    public var coldDurationMeanMs: Double?
    public var coldDurationP50Ms: Double?
    /// REPORT lines at this size whose phase configured another size.
    public var memoryMismatches: Int?

    public init(
        memoryMB: Int, n: Int, warmN: Int, coldN: Int, durationP50Ms: Double?, durationP90Ms: Double?,
        durationP99Ms: Double?, durationMeanMs: Double?, durationFitMs: Double?, billedMeanMs: Double?,
        errors: Int, timeouts: Int, ooms: Int, maxMemoryUsedP50MB: Double?, maxMemoryUsedMaxMB: Int?,
        coldStartShare: Double, initP50Ms: Double?
    ) {
        self.memoryMB = memoryMB
        self.n = n
        self.warmN = warmN
        self.coldN = coldN
        self.durationP50Ms = durationP50Ms
        self.durationP90Ms = durationP90Ms
        self.durationP99Ms = durationP99Ms
        self.durationMeanMs = durationMeanMs
        self.durationFitMs = durationFitMs
        self.billedMeanMs = billedMeanMs
        self.errors = errors
        self.timeouts = timeouts
        self.ooms = ooms
        self.maxMemoryUsedP50MB = maxMemoryUsedP50MB
        self.maxMemoryUsedMaxMB = maxMemoryUsedMaxMB
        self.coldStartShare = coldStartShare
        self.initP50Ms = initP50Ms
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
        case warmBilledMeanMs = "warm_billed_mean_ms"
        case coldBilledMeanMs = "cold_billed_mean_ms"
        case billedCILoMs = "billed_ci_lo_ms"
        case billedCIHiMs = "billed_ci_hi_ms"
        case coldDurationMeanMs = "cold_duration_mean_ms"
        case coldDurationP50Ms = "cold_duration_p50_ms"
        case memoryMismatches = "memory_mismatches"
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
    /// Each size's prediction by the whole procedure (form choice included) run without it.
    public var looPredictions: [LeftOutSize]?
    /// The chosen form's own leave-one-size-out MAPE (its selection score; optimistic, since the
    /// form was chosen on those sizes). `loo_mape` is the nested error.
    public var selectionLooMape: Double?
    /// Nested error at the interior sizes only (what filling between measured sizes risks).
    public var interiorLooMape: Double?
    /// Which calls' Duration the curve models: "warm" or "cold" (a cold-only function).
    public var invocations: String?

    public init(
        form: String, formula: String, parameters: [String: Double], standardErrors: [String: Double],
        r2: Double?, mape: Double, looMape: Double?, candidates: [CurveCandidate], robust: String,
        selection: String, sizes: Int, points: Int, looPredictions: [LeftOutSize]? = nil
    ) {
        self.form = form
        self.formula = formula
        self.parameters = parameters
        self.standardErrors = standardErrors
        self.r2 = r2
        self.mape = mape
        self.looMape = looMape
        self.candidates = candidates
        self.robust = robust
        self.selection = selection
        self.sizes = sizes
        self.points = points
        self.looPredictions = looPredictions
    }

    enum CodingKeys: String, CodingKey {
        case form, formula, parameters, r2, mape, candidates, robust, selection, sizes, points
        case standardErrors = "standard_errors"
        case looMape = "loo_mape"
        case looPredictions = "loo_predictions"
        case selectionLooMape = "selection_loo_mape"
        case interiorLooMape = "interior_loo_mape"
        case invocations
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
    /// The form the procedure chose without this size.
    public var form: String?
    /// Inside the measured range (between two other sizes) rather than at an end.
    public var interior: Bool?

    public init(memoryMB: Int, observedMs: Double, predictedMs: Double, errorPct: Double) {
        self.memoryMB = memoryMB
        self.observedMs = observedMs
        self.predictedMs = predictedMs
        self.errorPct = errorPct
    }

    enum CodingKeys: String, CodingKey {
        case memoryMB = "memory_mb"
        case observedMs = "observed_ms"
        case predictedMs = "predicted_ms"
        case errorPct = "error_pct"
        case form, interior
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

    public init(
        form: String, formula: String, parameters: [String: Double], standardErrors: [String: Double],
        r2: Double?, mape: Double?, looMape: Double?, note: String?
    ) {
        self.form = form
        self.formula = formula
        self.parameters = parameters
        self.standardErrors = standardErrors
        self.r2 = r2
        self.mape = mape
        self.looMape = looMape
        self.note = note
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

    public init(
        predictors: [String], coefficients: [String: Double], standardErrors: [String: Double],
        residualSDMB: Double, r2: Double?, n: Int, maxObservedMB: Int, oomAtMB: Int?, requiredMB: Double,
        minimumSafeMB: Int?, margin: String
    ) {
        self.predictors = predictors
        self.coefficients = coefficients
        self.standardErrors = standardErrors
        self.residualSDMB = residualSDMB
        self.r2 = r2
        self.n = n
        self.maxObservedMB = maxObservedMB
        self.oomAtMB = oomAtMB
        self.requiredMB = requiredMB
        self.minimumSafeMB = minimumSafeMB
        self.margin = margin
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
    /// Duration of cold calls vs memory (Init Duration excluded; null with fewer than 2 sizes
    /// with enough cold calls). A JVM's first call runs interpreted, far slower than warm ones.
    public var durationCurve: CurveModel?
    public var perPhase: [ColdStartPhase]

    public init(share: Double, coldN: Int, initCurve: CurveModel?, perPhase: [ColdStartPhase]) {
        self.share = share
        self.coldN = coldN
        self.initCurve = initCurve
        self.perPhase = perPhase
    }

    enum CodingKeys: String, CodingKey {
        case share
        case coldN = "cold_n"
        case initCurve = "init_curve"
        case durationCurve = "duration_curve"
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
        self.phase = phase
        self.memoryMB = memoryMB
        self.n = n
        self.coldN = coldN
        self.share = share
        self.initP50Ms = initP50Ms
        self.initMaxMs = initMaxMs
    }

    enum CodingKeys: String, CodingKey {
        case phase, n, share
        case memoryMB = "memory_mb"
        case coldN = "cold_n"
        case initP50Ms = "init_p50_ms"
        case initMaxMs = "init_max_ms"
    }
}
