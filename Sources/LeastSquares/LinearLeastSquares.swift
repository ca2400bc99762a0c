/// Ordinary (optionally weighted) linear least squares: minimise Σ wᵢ (yᵢ − xᵢ·β)².
///
/// Columns are scaled to unit norm before a pivoted Householder QR (so badly scaled
/// predictors, like x¹⁰ next to 1, do not fake a rank deficiency), and iterative
/// refinement of the augmented system (Björck) recovers digits lost to ill-conditioning
/// without the loss plain refinement of x suffers on large-residual problems.
public struct LinearFit: Sendable {
    public var coefficients: [Double]
    /// Standard errors sqrt(s² (XᵀWX)⁻¹ᵢᵢ); 0 for a dependent (dropped) column.
    public var standardErrors: [Double]
    public var covariance: Matrix
    public var residuals: [Double]
    /// Σ w r².
    public var residualSumOfSquares: Double
    /// sqrt(RSS / (n − rank)); NaN when n ≤ rank.
    public var residualStandardDeviation: Double
    /// 1 − RSS/TSS, centred when the model has an intercept column, uncentred otherwise (as NIST certifies).
    public var rSquared: Double
    public var rank: Int
    public var degreesOfFreedom: Int
}

public enum LinearLeastSquares {
    public enum Failure: Error, Equatable, Sendable {
        case noObservations
        case dimensionMismatch
        case nonFinite
    }

    /// `design` is n × p (one row per observation); `weights` default to 1.
    /// `hasIntercept` says whether a constant column is in the model (for R²).
    public static func fit(
        design: Matrix, response y: [Double], weights: [Double]? = nil,
        hasIntercept: Bool
    ) throws -> LinearFit {
        let n = design.rows
        let p = design.columns
        guard n > 0, p > 0 else { throw Failure.noObservations }
        guard y.count == n, weights?.count ?? n == n else { throw Failure.dimensionMismatch }
        guard design.storage.allSatisfy(\.isFinite), y.allSatisfy(\.isFinite),
            weights?.allSatisfy({ $0.isFinite && $0 >= 0 }) ?? true
        else { throw Failure.nonFinite }

        // Weighted problem = ordinary problem on √w-scaled rows.
        let sqrtW = weights.map { $0.map { $0.squareRoot() } }
        var a = design
        var b = y
        if let sqrtW {
            for j in 0..<p { for i in 0..<n { a[i, j] *= sqrtW[i] } }
            for i in 0..<n { b[i] *= sqrtW[i] }
        }
        // Column scaling: solve for γ = D β with unit-norm columns.
        var scale = [Double](repeating: 1, count: p)
        for j in 0..<p {
            let norm = euclideanNorm(a.storage[(j * n)..<((j + 1) * n)])
            // A power of two: scaling is then exact, so it perturbs neither A nor the solution.
            scale[j] = norm > 0 ? Double(sign: .plus, exponent: norm.exponent, significand: 1) : 1
            for i in 0..<n { a[i, j] /= scale[j] }
        }
        let qr = HouseholderQR(a)
        var gamma: [Double]
        #if arch(x86_64) && !os(Windows)
        // Solve in extended precision; the Double QR still gives the rank and covariance.
        gamma = GenericHouseholder.solve(
            a.storage.map { Float80($0) }, rows: n, columns: p, b.map { Float80($0) },
            tolerance: 1e-13
        ).map { Double($0) }
        if qr.rank < p {
            gamma = qr.solve(b)
            refine(qr, a, b, &gamma)
        }
        #else
        gamma = qr.solve(b)
        refine(qr, a, b, &gamma)
        #endif

        let beta = (0..<p).map { gamma[$0] / scale[$0] }
        let r = residual(design, y, beta)
        var rss = 0.0
        for i in 0..<n { rss += (weights?[i] ?? 1) * r[i] * r[i] }
        let dof = n - qr.rank
        let s2 = dof > 0 ? rss / Double(dof) : .nan
        let inv = qr.inverseNormalMatrix()
        var cov = Matrix(rows: p, columns: p)
        for i in 0..<p { for j in 0..<p { cov[i, j] = s2 * inv[i, j] / (scale[i] * scale[j]) } }
        let se = (0..<p).map { cov[$0, $0] > 0 ? cov[$0, $0].squareRoot() : 0 }

        var tss = 0.0
        let wsum = weights?.reduce(0, +) ?? Double(n)
        var mean = 0.0
        if hasIntercept {
            for i in 0..<n { mean += (weights?[i] ?? 1) * y[i] }
            mean /= wsum
        }
        for i in 0..<n { tss += (weights?[i] ?? 1) * (y[i] - mean) * (y[i] - mean) }
        let r2 = tss > 0 ? 1 - rss / tss : .nan
        return LinearFit(
            coefficients: beta, standardErrors: se, covariance: cov, residuals: r,
            residualSumOfSquares: rss, residualStandardDeviation: s2.squareRoot(), rSquared: r2,
            rank: qr.rank, degreesOfFreedom: dof)
    }

    /// Björck's iterative refinement of the augmented system r + A·x = b, Aᵀ·r = 0, with the
    /// system's residuals accumulated in extended precision: three rounds.
    static func refine(_ qr: HouseholderQR, _ a: Matrix, _ b: [Double], _ x: inout [Double]) {
        let n = a.rows
        let p = a.columns
        var r = residual(a, b, x)
        for _ in 0..<3 {
            // f = b − r − A·x and g = −Aᵀ·r.
            let f = residual(a, b, x, minus: r)
            let g = negatedTransposeProduct(a, r)
            let qtf = qr.applyQTranspose(f)
            let gp = (0..<p).map { g[qr.permutation[$0]] }
            let d1 = qr.forwardSubstituteTranspose(gp)
            var c = [Double](repeating: 0, count: p)
            for k in 0..<qr.rank { c[k] = qtf[k] - d1[k] }
            let z = qr.backSubstitute(c)
            var dq = qtf
            for k in 0..<qr.rank { dq[k] = d1[k] }
            let dr = qr.applyQ(dq)
            for k in 0..<p { x[qr.permutation[k]] += z[k] }
            for i in 0..<n { r[i] += dr[i] }
        }
    }

    /// −Aᵀ·r in extended precision where available.
    static func negatedTransposeProduct(_ a: Matrix, _ r: [Double]) -> [Double] {
        (0..<a.columns).map { j in
            #if arch(x86_64) && !os(Windows)
            var s: Float80 = 0
            for i in 0..<a.rows { s -= Float80(a[i, j]) * Float80(r[i]) }
            return Double(s)
            #else
            var s = 0.0
            for i in 0..<a.rows { s -= a[i, j] * r[i] }
            return s
            #endif
        }
    }

    /// b − A·x, accumulated in extended precision on x86 (Float80), else in Double.
    static func residual(_ a: Matrix, _ b: [Double], _ x: [Double], minus r: [Double]? = nil) -> [Double] {
        #if arch(x86_64) && !os(Windows)
        var acc = b.map { Float80($0) }
        if let r { for i in acc.indices { acc[i] -= Float80(r[i]) } }
        for j in 0..<a.columns where x[j] != 0 {
            let xj = Float80(x[j])
            for i in 0..<a.rows { acc[i] -= Float80(a[i, j]) * xj }
        }
        return acc.map { Double($0) }
        #else
        let ax = a.times(x)
        return (0..<b.count).map { b[$0] - (r?[$0] ?? 0) - ax[$0] }
        #endif
    }
}
