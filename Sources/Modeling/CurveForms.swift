#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// One memory size's data for a curve fit: the robust centre of its durations.
struct SizePoint: Sendable {
    var memoryMB: Double
    /// Robust centre (trimmed mean per payload, mixed by the payloads' counts).
    var center: Double
    /// Invocations kept after trimming.
    var n: Int
    /// Σ (y − cell mean)² over the kept invocations (for the per-invocation residual variance).
    var withinSS: Double
    /// Standard error of `center`.
    var standardError: Double
}

/// The candidate forms of a duration t against memory m (MB). Each is a sum of non-negative
/// coefficients times basis functions that are positive and non-increasing in m, so with
/// the coefficients constrained to be ≥ 0 (and not all 0) every fitted curve is positive and
/// non-increasing over the whole grid: more memory never predicts a slower function, and no
/// size is predicted to take no time at all.
enum CurveForm: String, CaseIterable, Sendable {
    /// t = a: duration does not depend on memory (sleep- or network-bound handlers).
    case flat
    /// t = a + b·1769/min(m, 1769): CPU share grows with memory up to one vCPU at 1769 MB,
    /// and single-threaded work gains nothing beyond.
    case cpuShare = "cpu_share"
    /// t = a + b/m.
    case inverse
    /// t = a·exp(−m/s): a sharp drop with only two parameters, so it competes where only
    /// three sizes are left to fit on (the folds of a nested check of four measured sizes).
    case exponential
    /// t = a + b·1769/min(m, 1769) + c·1769/m: Lambda's vCPU law with a parallel term. CPU is
    /// allotted in proportion to memory (one vCPU at 1769 MB, six at 10240 MB); b carries the
    /// single-threaded work, c the work that uses every vCPU (JIT and GC threads, thread pools).
    case cpuShareParallel = "cpu_share_parallel"
    /// t = a + b·k/min(m, k): the CPU-share law with its plateau at a fitted size k instead of
    /// 1769 MB (multi-threaded code keeps gaining up to 2+ vCPUs; a busy host saturates earlier).
    case cpuShareKnee = "cpu_share_knee"
    /// Parrotfish: t = a0 + a1·exp(−m/a2) (a sharp drop, then flat).
    case parrotfish
    /// t = a + b·(1024/m)^k: speed-ups faster or slower than the CPU share (k = 1 is `inverse`).
    case power

    var formula: String {
        switch self {
        case .flat: "t = a"
        case .inverse: "t = a + b/m"
        case .exponential: "t = a*exp(-m/s)"
        case .cpuShare: "t = a + b*1769/min(m,1769)"
        case .cpuShareParallel: "t = a + b*1769/min(m,1769) + c*1769/m"
        case .cpuShareKnee: "t = a + b*k/min(m,k)"
        case .parrotfish: "t = a0 + a1*exp(-m/a2)"
        case .power: "t = a + b*(1024/m)^k"
        }
    }

    /// The linear coefficients' names, then the shape parameter's (if any).
    var parameterNames: [String] {
        switch self {
        case .flat: ["a"]
        case .inverse, .cpuShare: ["a", "b"]
        case .exponential: ["a", "s"]
        case .cpuShareParallel: ["a", "b", "c"]
        case .parrotfish: ["a0", "a1", "a2"]
        case .power, .cpuShareKnee: ["a", "b", "k"]
        }
    }

    var parameterCount: Int { parameterNames.count }

    /// The shape parameter θ's range, for the forms that have one (fitted by a bounded 1-D search).
    var shapeRange: ClosedRange<Double>? {
        switch self {
        case .parrotfish, .exponential: 16...65536
        case .power: 0.05...3
        case .cpuShareKnee: 128...10240
        default: nil
        }
    }

    var linearCount: Int { shapeRange == nil ? parameterCount : parameterCount - 1 }

    /// The basis functions at m for shape θ (ignored by the forms without one).
    func bases(_ m: Double, _ theta: Double) -> [Double] {
        switch self {
        case .flat: [1]
        case .inverse: [1, 1 / m]
        case .cpuShare: [1, 1769 / min(m, 1769)]
        case .cpuShareParallel: [1, 1769 / min(m, 1769), 1769 / m]
        case .parrotfish: [1, exp(-m / theta)]
        case .exponential: [exp(-m / theta)]
        case .power: [1, pow(1024 / m, theta)]
        case .cpuShareKnee: [1, theta / min(m, theta)]
        }
    }

    /// ∂t/∂θ of the shape forms at m.
    func shapeDerivative(_ p: [Double], _ m: Double) -> Double {
        switch self {
        case .parrotfish: p[1] * exp(-m / p[2]) * m / (p[2] * p[2])
        case .exponential: p[0] * exp(-m / p[1]) * m / (p[1] * p[1])
        case .power: p[1] * pow(1024 / m, p[2]) * log(1024 / m)
        case .cpuShareKnee: m < p[2] ? p[1] / m : 0
        default: 0
        }
    }

    func predict(_ p: [Double], _ m: Double) -> Double {
        let theta = shapeRange == nil ? 0 : p[parameterCount - 1]
        var t = 0.0
        for (k, g) in bases(m, theta).enumerated() { t += p[k] * g }
        return t
    }

    /// `allCases` is the order of preference: fewer parameters first, then Lambda's CPU law
    /// before the empirical shapes (below 1769 MB `cpu_share` and `inverse` are the same curve;
    /// only the law says what happens above).
    var complexity: Int { parameterCount }
}
