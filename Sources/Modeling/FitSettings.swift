import RecordSchema

/// The knobs of a fit, with the documented defaults (docs/fit.md).
public struct FitSettings: Sendable {
    public var gridMinMB = 128
    public var gridMaxMB = 10240
    /// Default 64 MB: 159 sizes from 128 to 10240 (Lambda accepts any whole MB; 64 MB keeps the
    /// curve readable while a step changes cost by at most 64/m, e.g. 6% at 1024 MB).
    public var gridStepMB = 64
    public var maxDurationMs: Double?
    public var balancedWeight = 0.5
    public var trimFraction = 0.10
    public var bootstrapResamples = 200
    public var bootstrapSeed: UInt64 = 20_201_201
    public var confidenceLevel = 0.95
    public var memorySafetySigmas = 3.0
    public var memorySafetyFraction = 0.10
    public var fastestTolerance = 0.01
    public var minInvocationsPerSize = 3
    public var currentMemoryMB: Int?
    /// Let recommendations pick sizes outside the measured range (extrapolating the runtime form).
    public var extrapolate = false
    /// Expected share of cold starts in production; nil = the share observed in the run.
    public var coldStartShare: Double?
    /// Per-payload groups are modelled when a function has 2...this many distinct payloads.
    public var maxPayloadGroups = 8

    public init() {}

    var used: FitOptionsUsed {
        FitOptionsUsed(
            gridMinMB: gridMinMB, gridMaxMB: gridMaxMB, gridStepMB: gridStepMB, maxDurationMs: maxDurationMs,
            balancedWeight: balancedWeight, trimFraction: trimFraction, bootstrapResamples: bootstrapResamples,
            bootstrapSeed: bootstrapSeed, confidenceLevel: confidenceLevel,
            memorySafetySigmas: memorySafetySigmas, memorySafetyFraction: memorySafetyFraction,
            fastestTolerance: fastestTolerance, minInvocationsPerSize: minInvocationsPerSize,
            currentMemoryMB: currentMemoryMB, coldStartShare: coldStartShare,
            extrapolate: extrapolate)
    }

    /// The memory sizes costs are computed at: the grid plus every observed size plus the current one.
    func grid(adding extra: [Int]) -> [Int] {
        var sizes = Set(stride(from: gridMinMB, through: gridMaxMB, by: gridStepMB))
        sizes.insert(gridMaxMB)  // also when the step does not divide the range
        for m in extra where m >= gridMinMB && m <= gridMaxMB { sizes.insert(m) }
        return sizes.sorted()
    }
}
