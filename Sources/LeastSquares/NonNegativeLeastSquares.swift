/// Weighted linear least squares with every coefficient constrained to be ≥ 0:
/// minimise Σ wᵢ (yᵢ − xᵢ·β)² subject to β ≥ 0.
///
/// Exact for the few columns of a curve model: the solution of this convex problem is the
/// unconstrained least-squares solution on its support (the columns whose coefficient is
/// positive), so trying every support and keeping the best feasible one finds it. That is
/// 2ᵖ small solves — simpler than an active-set method while p ≤ 8, and free of the
/// tolerances such a method needs to decide when a coefficient has reached zero.
///
/// Each support is solved from the Gram matrix of the √w-scaled columns, normalised to unit
/// diagonal (Jacobi scaling), by Cholesky: fit solves thousands of these 6-row problems per
/// curve (the nested cross-validation), and one Gram matrix serves every support. A support
/// whose scaled Gram matrix has a pivot below 1e-10 is numerically dependent and skipped (a
/// smaller support covers it). Residuals are summed directly, not from the normal equations,
/// so near-exact fits still compare correctly.
public enum NonNegativeLeastSquares {
    public static let maxColumns = 8

    public struct Solution: Sendable {
        /// β ≥ 0; exactly 0 for the columns outside the support.
        public var coefficients: [Double]
        /// The columns with a positive coefficient, ascending.
        public var support: [Int]
        /// Σ w r².
        public var residualSumOfSquares: Double
    }

    /// nil when no support gives a finite solution (no rows, or non-finite input).
    public static func fit(design: Matrix, response y: [Double], weights: [Double]? = nil) -> Solution? {
        let p = design.columns
        let n = design.rows
        precondition(p >= 1 && p <= maxColumns, "NonNegativeLeastSquares: 1...\(maxColumns) columns")
        guard n > 0, y.count == n, weights?.count ?? n == n else { return nil }
        // √w-scaled columns (column-major, as Matrix stores them) and response.
        var a = design.storage
        var b = y
        if let weights {
            for i in 0..<n {
                let sw = weights[i].squareRoot()
                b[i] *= sw
                for j in 0..<p { a[j * n + i] *= sw }
            }
        }
        guard b.allSatisfy(\.isFinite), a.allSatisfy(\.isFinite) else { return nil }
        // Gram matrix and Aᵀb, with every column scaled to unit norm.
        var scale = [Double](repeating: 0, count: p)
        for j in 0..<p {
            var s = 0.0
            for i in 0..<n { s += a[j * n + i] * a[j * n + i] }
            scale[j] = s.squareRoot()
        }
        var gram = [Double](repeating: 0, count: p * p)
        var atb = [Double](repeating: 0, count: p)
        for j in 0..<p where scale[j] > 0 {
            for k in j..<p where scale[k] > 0 {
                var s = 0.0
                for i in 0..<n { s += a[j * n + i] * a[k * n + i] }
                gram[j * p + k] = s / (scale[j] * scale[k])
                gram[k * p + j] = gram[j * p + k]
            }
            var t = 0.0
            for i in 0..<n { t += a[j * n + i] * b[i] }
            atb[j] = t / scale[j]
        }
        var best: Solution?
        var support = [Int]()
        var l = [Double](repeating: 0, count: p * p)
        var z = [Double](repeating: 0, count: p)
        support.reserveCapacity(p)
        masks: for mask in 1..<(1 << p) {
            support.removeAll(keepingCapacity: true)
            for j in 0..<p where mask & (1 << j) != 0 {
                guard scale[j] > 0 else { continue masks }
                support.append(j)
            }
            let k = support.count
            // A support larger than the rows cannot be identified; a smaller one will do.
            guard k <= n else { continue }
            // Cholesky of the support's Gram block, then two triangular solves.
            for r in 0..<k {
                for c in 0...r {
                    var s = gram[support[r] * p + support[c]]
                    for q in 0..<c { s -= l[r * p + q] * l[c * p + q] }
                    if r == c {
                        guard s > 1e-10 else { continue masks }
                        l[r * p + r] = s.squareRoot()
                    } else {
                        l[r * p + c] = s / l[c * p + c]
                    }
                }
            }
            for r in 0..<k {
                var s = atb[support[r]]
                for q in 0..<r { s -= l[r * p + q] * z[q] }
                z[r] = s / l[r * p + r]
            }
            for r in stride(from: k - 1, through: 0, by: -1) {
                var s = z[r]
                for q in (r + 1)..<k { s -= l[q * p + r] * z[q] }
                z[r] = s / l[r * p + r]
                guard z[r] >= 0, z[r].isFinite else { continue masks }
            }
            var rss = 0.0
            for i in 0..<n {
                var fitted = 0.0
                for (r, j) in support.enumerated() { fitted += a[j * n + i] * z[r] / scale[j] }
                rss += (b[i] - fitted) * (b[i] - fitted)
            }
            if best == nil || rss < best!.residualSumOfSquares * (1 - 1e-12) {
                var beta = [Double](repeating: 0, count: p)
                for (r, j) in support.enumerated() { beta[j] = z[r] / scale[j] }
                best = Solution(coefficients: beta, support: support, residualSumOfSquares: rss)
            }
        }
        return best
    }
}
