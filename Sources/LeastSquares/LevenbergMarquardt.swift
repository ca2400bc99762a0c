/// Nonlinear least squares by Levenberg–Marquardt: minimise ‖r(p)‖², r = √w·(f(x; p) − y).
///
/// - Scaling: the damping term is μ·diag(D²) with Dⱼ the largest norm Jacobian column j
///   has had (Marquardt/MINPACK), so the method is invariant to parameter units.
/// - Each step solves the damped problem [J; √μ·D]·h ≈ [−r; 0] by pivoted Householder QR,
///   never forming JᵀJ (keeps digits on ill-conditioned problems such as Bennett5).
/// - μ is updated by Nielsen's rule; bounds are handled by projecting the step onto the box
///   (the predicted reduction is then recomputed for the projected step).
/// - Standard errors come from s²·(JᵀJ)⁻¹ at the solution, s² = RSS/(n − p).
public struct NonlinearFit: Sendable {
    public var parameters: [Double]
    public var standardErrors: [Double]
    public var covariance: Matrix
    public var residuals: [Double]
    public var residualSumOfSquares: Double
    public var residualStandardDeviation: Double
    public var degreesOfFreedom: Int
    public var iterations: Int
    public var converged: Bool
    public var stopReason: String
}

public enum LevenbergMarquardt {
    public struct Options: Sendable {
        public var maxIterations = 1000
        /// Relative reduction of ‖r‖² below which an accepted step means convergence.
        public var functionTolerance = 1e-15
        /// Relative scaled step size below which iteration stops.
        public var stepTolerance = 1e-15
        /// Largest cosine between r and a Jacobian column for r to count as orthogonal.
        public var gradientTolerance = 1e-15
        public var initialDamping = 1e-3
        public var lower: [Double]?
        public var upper: [Double]?
        public init() {}
    }

    /// Residuals and their Jacobian (n × p, ∂rᵢ/∂pⱼ) at p; nil when not finite there.
    public typealias Evaluate = ([Double]) -> (residuals: [Double], jacobian: Matrix)?

    public static func minimize(start: [Double], options: Options = Options(), evaluate: Evaluate) -> NonlinearFit? {
        let p0 = clamp(start, options)
        guard var (r, jac) = evaluate(p0), r.allSatisfy(\.isFinite), jac.storage.allSatisfy(\.isFinite) else { return nil }
        var p = p0
        let n = r.count
        let np = p.count
        var norm = euclideanNorm(r)
        var diag = columnNorms(jac).map { $0 > 0 ? $0 : 1 }
        var mu = options.initialDamping
        var nu = 2.0
        var iterations = 0
        var converged = false
        var reason = "iteration limit"
        while iterations < options.maxIterations {
            iterations += 1
            if norm == 0 {
                converged = true
                reason = "zero residual"
                break
            }
            // Gradient test: r orthogonal to every Jacobian column.
            let g = jac.transposeTimes(r)
            let colNorms = columnNorms(jac)
            // Active bounds: a parameter on its bound whose descent direction points outside stays put.
            let active = (0..<np).map { j in
                (options.lower.map { p[j] <= $0[j] } ?? false) && g[j] > 0
                    || (options.upper.map { p[j] >= $0[j] } ?? false) && g[j] < 0
            }
            var cosine = 0.0
            for j in 0..<np where colNorms[j] > 0 && !active[j] { cosine = max(cosine, abs(g[j]) / (colNorms[j] * norm)) }
            if cosine <= options.gradientTolerance {
                converged = true
                reason = "gradient"
                break
            }

            // Damped step.
            var a = Matrix(rows: n + np, columns: np)
            for j in 0..<np {
                if active[j] {
                    a[n + j, j] = 1
                    continue
                }
                for i in 0..<n { a[i, j] = jac[i, j] }
                a[n + j, j] = mu.squareRoot() * diag[j]
            }
            var b = [Double](repeating: 0, count: n + np)
            for i in 0..<n { b[i] = -r[i] }
            let h = HouseholderQR(a, rankTolerance: 1e-15).solve(b)
            let candidate = clamp((0..<np).map { p[$0] + h[$0] }, options)
            let step = (0..<np).map { candidate[$0] - p[$0] }
            let scaledStep = euclideanNorm((0..<np).map { diag[$0] * step[$0] })
            let scaledP = euclideanNorm((0..<np).map { diag[$0] * p[$0] })
            if scaledStep <= options.stepTolerance * (scaledP + options.stepTolerance) {
                converged = true
                reason = "step"
                break
            }
            guard let (rNew, jNew) = evaluate(candidate), rNew.allSatisfy(\.isFinite), jNew.storage.allSatisfy(\.isFinite) else {
                mu *= nu
                nu *= 2
                if mu > 1e32 {
                    reason = "not finite near the solution"
                    break
                }
                continue
            }
            let normNew = euclideanNorm(rNew)
            let actual = 1 - (normNew / norm) * (normNew / norm)
            let jh = jac.times(step)
            let predicted: Double
            if step == h {
                // MINPACK's form: exact for the unprojected step and free of cancellation.
                let t1 = euclideanNorm(jh) / norm
                let t2 = mu.squareRoot() * scaledStep / norm
                predicted = t1 * t1 + 2 * t2 * t2
            } else {
                let after = euclideanNorm((0..<n).map { r[$0] + jh[$0] }) / norm
                predicted = 1 - after * after
            }
            let rho = predicted > 0 ? actual / predicted : -1
            if rho > 1e-4 {
                p = candidate
                r = rNew
                jac = jNew
                norm = normNew
                let newNorms = columnNorms(jac)
                for j in 0..<np { diag[j] = max(diag[j], newNorms[j]) }
                let t = 2 * rho - 1
                mu *= max(1.0 / 3.0, 1 - t * t * t)
                nu = 2
                if abs(actual) <= options.functionTolerance && predicted <= options.functionTolerance {
                    converged = true
                    reason = "reduction"
                    break
                }
            } else {
                if predicted <= options.functionTolerance && abs(actual) <= options.functionTolerance {
                    converged = true
                    reason = "reduction"
                    break
                }
                mu *= nu
                nu *= 2
                if mu > 1e32 {
                    converged = true
                    reason = "no further reduction"
                    break
                }
            }
        }
        return finish(p, r, jac, iterations: iterations, converged: converged, reason: reason)
    }

    /// Runs from every start and keeps the smallest residual (for models known to be hard).
    public static func minimize(starts: [[Double]], options: Options = Options(), evaluate: Evaluate) -> NonlinearFit? {
        var best: NonlinearFit?
        for s in starts {
            guard let f = minimize(start: s, options: options, evaluate: evaluate) else { continue }
            if best == nil || f.residualSumOfSquares < best!.residualSumOfSquares { best = f }
        }
        return best
    }

    /// Curve fitting with an automatically differentiated model: y ≈ model(p, x).
    /// `x[i]` holds observation i's predictors.
    public static func curveFit(
        x: [[Double]], y: [Double], weights: [Double]? = nil, starts: [[Double]],
        options: Options = Options(), model: @escaping ([Dual], [Double]) -> Dual
    ) -> NonlinearFit? {
        let sqrtW = weights?.map { $0.squareRoot() }
        return minimize(starts: starts, options: options) { p in
            let vars = Dual.variables(p)
            var r = [Double](repeating: 0, count: y.count)
            var jac = Matrix(rows: y.count, columns: p.count)
            for i in 0..<y.count {
                let f = model(vars, x[i])
                let w = sqrtW?[i] ?? 1
                r[i] = w * (f.value - y[i])
                if !f.gradient.isEmpty { for j in 0..<p.count { jac[i, j] = w * f.gradient[j] } }
            }
            return (r, jac)
        }
    }

    static func clamp(_ p: [Double], _ o: Options) -> [Double] {
        var out = p
        for j in out.indices {
            if let lo = o.lower?[j], out[j] < lo { out[j] = lo }
            if let hi = o.upper?[j], out[j] > hi { out[j] = hi }
        }
        return out
    }

    static func columnNorms(_ m: Matrix) -> [Double] {
        (0..<m.columns).map { j in euclideanNorm(m.storage[(j * m.rows)..<((j + 1) * m.rows)]) }
    }

    static func finish(_ p: [Double], _ r: [Double], _ jac: Matrix, iterations: Int, converged: Bool, reason: String) -> NonlinearFit {
        let n = r.count
        let np = p.count
        let rss = r.reduce(0) { $0 + $1 * $1 }
        let dof = n - np
        let s2 = dof > 0 ? rss / Double(dof) : .nan
        // Covariance through QR of the column-scaled Jacobian.
        var scaled = jac
        var scale = [Double](repeating: 1, count: np)
        for j in 0..<np {
            let c = euclideanNorm(jac.storage[(j * n)..<((j + 1) * n)])
            scale[j] = c > 0 ? c : 1
            for i in 0..<n { scaled[i, j] /= scale[j] }
        }
        let qr = HouseholderQR(scaled, rankTolerance: 1e-15)
        let inv = qr.inverseNormalMatrix()
        var cov = Matrix(rows: np, columns: np)
        for i in 0..<np { for j in 0..<np { cov[i, j] = s2 * inv[i, j] / (scale[i] * scale[j]) } }
        let se = (0..<np).map { cov[$0, $0] >= 0 ? cov[$0, $0].squareRoot() : .nan }
        return NonlinearFit(
            parameters: p, standardErrors: se, covariance: cov, residuals: r, residualSumOfSquares: rss,
            residualStandardDeviation: s2.squareRoot(), degreesOfFreedom: dof, iterations: iterations,
            converged: converged, stopReason: reason)
    }
}
