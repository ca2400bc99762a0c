import LeastSquares

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

/// The candidate forms of a duration y against memory m (MB).
enum CurveForm: String, CaseIterable, Sendable {
    /// y = a + b·1769/min(m, 1769): CPU share grows with memory up to one vCPU at 1769 MB.
    case cpuShare = "cpu_share"
    /// y = a + b/m.
    case inverse
    /// y = a + b·k/min(m, k): the CPU-share law with its plateau at a fitted size k instead of
    /// 1769 MB (multi-threaded code keeps gaining up to 2+ vCPUs; a busy host saturates earlier).
    case cpuShareKnee = "cpu_share_knee"
    /// Parrotfish: y = a0 + a1·exp(−m/a2).
    case parrotfish

    var formula: String {
        switch self {
        case .cpuShare: "t = a + b*1769/min(m,1769)"
        case .inverse: "t = a + b/m"
        case .cpuShareKnee: "t = a + b*k/min(m,k)"
        case .parrotfish: "t = a0 + a1*exp(-m/a2)"
        }
    }

    var parameterNames: [String] {
        switch self {
        case .cpuShare, .inverse: ["a", "b"]
        case .cpuShareKnee: ["a", "b", "k"]
        case .parrotfish: ["a0", "a1", "a2"]
        }
    }

    var parameterCount: Int { parameterNames.count }

    func predict(_ p: [Double], _ m: Double) -> Double {
        switch self {
        case .cpuShare: p[0] + p[1] * 1769 / min(m, 1769)
        case .inverse: p[0] + p[1] / m
        case .cpuShareKnee: p[0] + p[1] * p[2] / min(m, p[2])
        case .parrotfish: p[0] + p[1] * exp(-m / p[2])
        }
    }
}

extension CurveForm {
    /// g(m; θ) of the 3-parameter forms y = a + b·g(m; θ).
    func basis(_ m: Double, _ theta: Double) -> Double {
        switch self {
        case .cpuShareKnee: theta / min(m, theta)
        case .parrotfish: exp(-m / theta)
        case .cpuShare: 1769 / min(m, 1769)
        case .inverse: 1 / m
        }
    }

    /// Bounds of θ: the knee within Lambda's memory range, Parrotfish's scale wide but finite.
    var thetaBounds: (lower: Double, upper: Double) {
        self == .cpuShareKnee ? (128, 10240) : (16, 65536)
    }

    /// Starting values of θ to scan.
    func thetaScan(observed: [Double]) -> [Double] {
        var out: [Double] = []
        var t = self == .cpuShareKnee ? 128.0 : 32.0
        while t <= thetaBounds.upper {
            out.append(t)
            t *= self == .cpuShareKnee ? 1.25 : 1.5
        }
        if self == .cpuShareKnee { out += observed }
        return out
    }

    /// ∂y/∂(a, b, θ) of the 3-parameter forms.
    func gradient(_ p: [Double], _ m: Double) -> [Double] {
        switch self {
        case .cpuShareKnee:
            return m < p[2] ? [1, p[2] / m, p[1] / m] : [1, 1, 0]
        case .parrotfish:
            let e = exp(-m / p[2])
            return [1, e, p[1] * e * m / (p[2] * p[2])]
        case .cpuShare: return [1, 1769 / min(m, 1769)]
        case .inverse: return [1, 1 / m]
        }
    }
}

/// A form fitted to size points by weighted least squares.
struct FormFit: Sendable {
    var form: CurveForm
    var parameters: [Double]
    /// Per-invocation standard errors (see `CurveFitter.fit`).
    var standardErrors: [Double]
    var r2: Double?
    /// In-sample MAPE over the sizes, percent.
    var mape: Double

    func predict(_ m: Double) -> Double { form.predict(parameters, m) }
}

/// Fits the candidate forms and chooses one by leave-one-memory-size-out error.
///
/// Weighted least squares on per-size centres with weights nᵢ/centreᵢ²: for a curve in m
/// alone this equals least squares over every kept invocation (Σⱼ(yᵢⱼ−f)² splits into a
/// within-size part that does not depend on the parameters plus nᵢ(ȳᵢ−f)²), in relative
/// terms (noise proportional to duration), and costs O(sizes) instead of O(invocations).
enum CurveFitter {

    static func fit(_ form: CurveForm, _ points: [SizePoint], start: [Double]? = nil) -> FormFit? {
        guard points.count >= form.parameterCount, points.allSatisfy({ $0.center > 0 }) else { return nil }
        let w = points.map { Double($0.n) / ($0.center * $0.center) }
        let ms = points.map(\.memoryMB)
        let ys = points.map(\.center)
        var params: [Double]
        var unitCovariance: Matrix  // (JᵀWJ)⁻¹
        switch form {
        case .cpuShare, .inverse:
            let g: (Double) -> Double = form == .cpuShare ? { 1769 / min($0, 1769) } : { 1 / $0 }
            let design = Matrix(rowArrays: ms.map { [1, g($0)] })
            guard Set(ms.map(g)).count >= 2 || points.count == 1,
                let f = try? LinearLeastSquares.fit(design: design, response: ys, weights: w, hasIntercept: true),
                f.rank == 2
            else { return nil }
            params = f.coefficients
            unitCovariance = unitScaled(f.covariance, f.residualSumOfSquares, f.degreesOfFreedom, design, w)
        case .parrotfish, .cpuShareKnee:
            guard let f = fitNonlinear(form, ms, ys, w, start: start) else { return nil }
            params = f.parameters
            unitCovariance = f.covariance
            let s2 = f.residualSumOfSquares / Double(max(f.degreesOfFreedom, 1))
            if f.degreesOfFreedom > 0, s2 > 0 {
                for k in unitCovariance.storage.indices { unitCovariance.storage[k] /= s2 }
            } else {
                unitCovariance = jacobianInverse(form, params, ms, w) ?? unitCovariance
            }
        }
        // Residual variance per kept invocation, relative: [Σ withinSS/c² + Σ n(ȳ−f)²/c²] / (N − p).
        var ss = 0.0
        var total = 0
        var wrss = 0.0
        var wtss = 0.0
        var ape = 0.0
        let wmean = zip(w, ys).reduce(0) { $0 + $1.0 * $1.1 } / w.reduce(0, +)
        for (i, pt) in points.enumerated() {
            let r = ys[i] - form.predict(params, ms[i])
            ss += pt.withinSS / (pt.center * pt.center) + w[i] * r * r
            total += pt.n
            wrss += w[i] * r * r
            wtss += w[i] * (ys[i] - wmean) * (ys[i] - wmean)
            ape += abs(r) / ys[i]
        }
        let dof = total - form.parameterCount
        let s2 = dof > 0 ? ss / Double(dof) : .nan
        let se = (0..<form.parameterCount).map { j -> Double in
            let v = unitCovariance[j, j] * s2
            return v >= 0 ? v.squareRoot() : .nan
        }
        let r2: Double? = wtss > 0 && points.count > form.parameterCount ? 1 - wrss / wtss : nil
        return FormFit(form: form, parameters: params, standardErrors: se, r2: r2, mape: 100 * ape / Double(points.count))
    }

    /// A linear fit's covariance divided by its s² (falls back to (XᵀWX)⁻¹ directly when s² is 0).
    static func unitScaled(_ cov: Matrix, _ rss: Double, _ dof: Int, _ design: Matrix, _ w: [Double]) -> Matrix {
        let s2 = dof > 0 ? rss / Double(dof) : 0
        if s2 > 0 {
            var c = cov
            for k in c.storage.indices { c.storage[k] /= s2 }
            return c
        }
        var a = design
        for j in 0..<a.columns { for i in 0..<a.rows { a[i, j] *= w[i].squareRoot() } }
        return HouseholderQR(a, rankTolerance: 1e-15).inverseNormalMatrix()
    }

    static func jacobianInverse(_ form: CurveForm, _ p: [Double], _ ms: [Double], _ w: [Double]) -> Matrix? {
        guard form.parameterCount == 3 else { return nil }
        var j = Matrix(rows: ms.count, columns: 3)
        for (i, m) in ms.enumerated() {
            let g = form.gradient(p, m)
            let sw = w[i].squareRoot()
            for c in 0..<3 { j[i, c] = sw * g[c] }
        }
        return HouseholderQR(j, rankTolerance: 1e-15).inverseNormalMatrix()
    }

    /// The 3-parameter forms are y = a + b·g(m; θ), linear in (a, b) for a fixed θ: scan θ,
    /// solve (a, b) exactly at each, and start Levenberg–Marquardt (θ bounded) from the best
    /// three scans. Parrotfish's form is known to be hard from a blind start (b and θ trade off
    /// along a curved valley); the knee's objective is only piecewise smooth in θ.
    static func fitNonlinear(_ form: CurveForm, _ ms: [Double], _ ys: [Double], _ w: [Double], start: [Double]?) -> NonlinearFit? {
        let bounds = form.thetaBounds
        var starts: [[Double]] = []
        if let start {
            starts.append(start)
        } else {
            var scans: [(Double, [Double])] = []
            for theta in form.thetaScan(observed: ms) {
                let design = Matrix(rowArrays: ms.map { [1, form.basis($0, theta)] })
                if let f = try? LinearLeastSquares.fit(design: design, response: ys, weights: w, hasIntercept: true), f.rank == 2 {
                    scans.append((f.residualSumOfSquares, f.coefficients + [theta]))
                }
            }
            starts = scans.sorted { $0.0 < $1.0 }.prefix(3).map(\.1)
        }
        guard !starts.isEmpty else { return nil }
        var options = LevenbergMarquardt.Options()
        options.lower = [-.infinity, -.infinity, bounds.lower]
        options.upper = [.infinity, .infinity, bounds.upper]
        options.maxIterations = 200
        options.functionTolerance = 1e-12
        options.stepTolerance = 1e-12
        options.gradientTolerance = 1e-12
        let sw = w.map { $0.squareRoot() }
        return LevenbergMarquardt.minimize(starts: starts, options: options) { p in
            var r = [Double](repeating: 0, count: ms.count)
            var j = Matrix(rows: ms.count, columns: 3)
            for i in 0..<ms.count {
                r[i] = sw[i] * (form.predict(p, ms[i]) - ys[i])
                let g = form.gradient(p, ms[i])
                for c in 0..<3 { j[i, c] = sw[i] * g[c] }
            }
            return (r, j)
        }
    }

    /// Leave-one-memory-size-out MAPE (percent), or nil when the form cannot be fitted without a size.
    static func leaveOneOut(_ form: CurveForm, _ points: [SizePoint]) -> Double? {
        guard let preds = leaveOneOutPredictions(form, points) else { return nil }
        let ape = zip(preds, points).reduce(0) { $0 + abs($1.0 - $1.1.center) / $1.1.center }
        return 100 * ape / Double(points.count)
    }

    /// Each size's prediction by the form fitted without it (nil when a fit is impossible).
    static func leaveOneOutPredictions(_ form: CurveForm, _ points: [SizePoint]) -> [Double]? {
        guard points.count - 1 >= form.parameterCount, points.count >= 3 else { return nil }
        var out: [Double] = []
        for k in points.indices {
            var rest = points
            rest.remove(at: k)
            guard let f = fit(form, rest) else { return nil }
            let pred = f.predict(points[k].memoryMB)
            guard pred.isFinite else { return nil }
            out.append(pred)
        }
        return out
    }

    struct Choice {
        var chosen: FormFit
        var looMape: Double?
        var candidates: [(form: CurveForm, fit: FormFit?, loo: Double?, note: String?)]
        var selection: String
    }

    /// Fits every form, scores each by LOO MAPE, chooses the smallest (ties: CurveForm order), a
    /// 3-parameter form only when it beats the best 2-parameter one by more than 1 percentage
    /// point. With 2 sizes no LOO is possible: the CPU-share law is taken as the prior.
    static func choose(_ points: [SizePoint]) -> Choice? {
        var cands: [(form: CurveForm, fit: FormFit?, loo: Double?, note: String?)] = []
        for form in CurveForm.allCases {
            let f = fit(form, points)
            let loo = f == nil ? nil : leaveOneOut(form, points)
            var note: String?
            if f == nil {
                note = points.count < form.parameterCount ? "needs \(form.parameterCount) memory sizes" : "fit failed"
            } else if loo == nil {
                note = "leave-one-out needs \(max(form.parameterCount + 1, 3)) memory sizes"
            }
            cands.append((form, f, loo, note))
        }
        let scored = cands.filter { $0.fit != nil && $0.loo != nil }
        let simple = scored.filter { $0.form.parameterCount == 2 }.min(by: { $0.loo! < $1.loo! })
        let complex = scored.filter { $0.form.parameterCount == 3 }.min(by: { $0.loo! < $1.loo! })
        // Parsimony: with a handful of sizes a third parameter can fit the noise (and then bend
        // between the sizes), so it must beat the best 2-parameter form by more than the margin.
        let margin = 1.0
        if let best = simple.map({ s in complex.map { $0.loo! < s.loo! - margin ? $0 : s } ?? s }) ?? complex {
            return Choice(
                chosen: best.fit!, looMape: best.loo, candidates: cands,
                selection:
                    "smallest leave-one-memory-size-out MAPE among \(scored.count) forms; a 3-parameter form must beat the best 2-parameter one by more than \(Int(margin)) percentage point"
            )
        }
        if let prior = cands.first(where: { $0.form == .cpuShare && $0.fit != nil }) ?? cands.first(where: { $0.fit != nil }) {
            return Choice(
                chosen: prior.fit!, looMape: nil, candidates: cands,
                selection: "\(points.count) memory sizes: too few to cross-validate; the CPU-share law is used as the prior form")
        }
        return nil
    }
}
