import LeastSquares

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A form fitted to size points by constrained weighted least squares.
struct FormFit: Sendable {
    var form: CurveForm
    var parameters: [Double]
    /// Per-invocation standard errors (see `CurveFitter.fit`); NaN where undefined.
    var standardErrors: [Double]
    var r2: Double?
    /// In-sample MAPE over the sizes, percent.
    var mape: Double

    func predict(_ m: Double) -> Double { form.predict(parameters, m) }
}

/// Fits one form to size points.
///
/// Weighted least squares on per-size centres with weights nᵢ/centreᵢ²: for a curve in m
/// alone this equals least squares over every kept invocation (Σⱼ(yᵢⱼ−f)² splits into a
/// within-size part that does not depend on the parameters plus nᵢ(ȳᵢ−f)²), in relative
/// terms (noise proportional to duration), and costs O(sizes) instead of O(invocations).
///
/// The linear coefficients are non-negative (NonNegativeLeastSquares); a shape parameter θ
/// is found by a bounded search on the profile RSS(θ): a log-spaced scan, then golden-section
/// refinement around the best scan point. This is exact where Levenberg–Marquardt from a
/// blind start is not (Parrotfish's b and θ trade off along a curved valley), and it can never
/// leave the physical region.
enum CurveFitter {
    static let shapeScanPoints = 20
    static let goldenIterations = 24

    static func fit(_ form: CurveForm, _ points: [SizePoint]) -> FormFit? {
        guard points.count >= form.parameterCount || (form == .flat && !points.isEmpty),
            points.allSatisfy({ $0.center > 0 && $0.center.isFinite })
        else { return nil }
        let w = points.map { Double(max($0.n, 1)) / ($0.center * $0.center) }
        let ms = points.map(\.memoryMB)
        let ys = points.map(\.center)

        func solve(_ theta: Double) -> NonNegativeLeastSquares.Solution? {
            let design = Matrix(rowArrays: ms.map { form.bases($0, theta) })
            return NonNegativeLeastSquares.fit(design: design, response: ys, weights: w)
        }
        var params: [Double]
        if let range = form.shapeRange {
            // The knee's profile is only piecewise smooth, with kinks at the measured sizes: scan those too.
            let extra = form == .cpuShareKnee ? ms.filter { range.contains($0) } : []
            guard let (theta, s) = profileMinimum(range, extra: extra, solve) else { return nil }
            params = s.coefficients + [theta]
        } else {
            guard let s = solve(0) else { return nil }
            params = s.coefficients
        }
        // Positive everywhere: some coefficient of a positive basis must be > 0, and the curve
        // must stay finite and above 0 up to the largest size Lambda offers.
        guard params.prefix(form.linearCount).contains(where: { $0 > 0 }),
            form.predict(params, 10240) > 0, form.predict(params, 128).isFinite
        else { return nil }

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
        let unit = unitCovariance(form, params, ms, w)
        let se = (0..<form.parameterCount).map { j -> Double in
            guard let unit, unit[j, j].isFinite, unit[j, j] >= 0 else { return .nan }
            return (unit[j, j] * s2).squareRoot()
        }
        let r2: Double? = wtss > 0 && points.count > form.parameterCount ? 1 - wrss / wtss : nil
        return FormFit(form: form, parameters: params, standardErrors: se, r2: r2, mape: 100 * ape / Double(points.count))
    }

    /// The θ in `range` minimising the RSS of the non-negative linear fit at θ.
    static func profileMinimum(
        _ range: ClosedRange<Double>, extra: [Double] = [], _ solve: (Double) -> NonNegativeLeastSquares.Solution?
    ) -> (Double, NonNegativeLeastSquares.Solution)? {
        let lo = log(range.lowerBound)
        let hi = log(range.upperBound)
        let step = (hi - lo) / Double(shapeScanPoints - 1)
        var scans: [(x: Double, s: NonNegativeLeastSquares.Solution?)] = []
        for k in 0..<shapeScanPoints {
            let x = lo + Double(k) * step
            scans.append((x, solve(exp(x))))
        }
        for theta in extra { scans.append((log(theta), solve(theta))) }
        guard
            let bestIndex = scans.indices.filter({ scans[$0].s != nil }).min(by: {
                scans[$0].s!.residualSumOfSquares < scans[$1].s!.residualSumOfSquares
            })
        else { return nil }
        var best = (x: scans[bestIndex].x, s: scans[bestIndex].s!)
        // Golden-section search on log θ between the best scan point's neighbours.
        var a = max(lo, best.x - step)
        var b = min(hi, best.x + step)
        let ratio = (5.0.squareRoot() - 1) / 2
        func rss(_ x: Double) -> (Double, NonNegativeLeastSquares.Solution?) {
            let s = solve(exp(x))
            return (s?.residualSumOfSquares ?? .infinity, s)
        }
        var c = b - ratio * (b - a)
        var d = a + ratio * (b - a)
        var fc = rss(c)
        var fd = rss(d)
        for _ in 0..<goldenIterations {
            if fc.0 < fd.0 {
                b = d
                d = c
                fd = fc
                c = b - ratio * (b - a)
                fc = rss(c)
            } else {
                a = c
                c = d
                fc = fd
                d = a + ratio * (b - a)
                fd = rss(d)
            }
        }
        for (x, f) in [(c, fc), (d, fd)] where f.0 < best.s.residualSumOfSquares {
            if let s = f.1 { best = (x, s) }
        }
        return (exp(best.x), best.s)
    }

    /// (JᵀWJ)⁻¹ at the solution, over every parameter (θ included); nil when singular.
    static func unitCovariance(_ form: CurveForm, _ p: [Double], _ ms: [Double], _ w: [Double]) -> Matrix? {
        let k = form.parameterCount
        guard ms.count >= k else { return nil }
        let theta = form.shapeRange == nil ? 0 : p[k - 1]
        var j = Matrix(rows: ms.count, columns: k)
        for (i, m) in ms.enumerated() {
            let sw = w[i].squareRoot()
            for (c, g) in form.bases(m, theta).enumerated() { j[i, c] = sw * g }
            if form.shapeRange != nil { j[i, k - 1] = sw * form.shapeDerivative(p, m) }
        }
        let qr = HouseholderQR(j, rankTolerance: 1e-13)
        guard qr.rank == k else { return nil }
        return qr.inverseNormalMatrix()
    }
}
