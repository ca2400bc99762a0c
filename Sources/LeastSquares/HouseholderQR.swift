/// Householder QR factorisation with column pivoting: A·P = Q·R.
///
/// Least squares through QR never forms AᵀA, so it loses half as many digits as the
/// normal equations on ill-conditioned problems (Filip, Wampler5, Longley). Column
/// pivoting orders columns by remaining norm, which reveals the numerical rank.
public struct HouseholderQR: Sendable {
    /// R above the diagonal and the Householder vectors below it (LINPACK layout).
    public private(set) var factors: Matrix
    /// Householder scalars.
    var tau: [Double]
    /// permutation[k] = original column placed at position k.
    public private(set) var permutation: [Int]
    /// Number of columns with |R_kk| above the rank tolerance.
    public private(set) var rank: Int

    public init(_ a: Matrix, pivoting: Bool = true, rankTolerance: Double = 1e-13) {
        var f = a
        let m = a.rows
        let n = a.columns
        var tau = [Double](repeating: 0, count: min(m, n))
        var perm = Array(0..<n)
        var norms = (0..<n).map { j in euclideanNorm(f.storage[(j * m)..<((j + 1) * m)]) }
        var originalNorms = norms
        f.storage.withUnsafeMutableBufferPointer { s in
            for k in 0..<min(m, n) {
                if pivoting {
                    // Bring the column with the largest remaining norm to position k.
                    var best = k
                    for j in (k + 1)..<max(n, k + 1) where norms[j] > norms[best] { best = j }
                    if best != k {
                        for i in 0..<m { s.swapAt(k * m + i, best * m + i) }
                        norms.swapAt(k, best)
                        originalNorms.swapAt(k, best)
                        perm.swapAt(k, best)
                    }
                }
                // Householder vector for column k, rows k..<m.
                let alphaNorm = euclideanNorm(s[(k * m + k)..<(k * m + m)])
                if alphaNorm == 0 {
                    tau[k] = 0
                    continue
                }
                let x0 = s[k * m + k]
                let beta = x0 >= 0 ? -alphaNorm : alphaNorm
                let scale = 1 / (x0 - beta)
                for i in (k + 1)..<m { s[k * m + i] *= scale }
                tau[k] = (beta - x0) / beta
                s[k * m + k] = beta
                // Apply H = I - tau v vᵀ (v_k = 1) to the remaining columns.
                for j in (k + 1)..<max(n, k + 1) {
                    var dot = s[j * m + k]
                    for i in (k + 1)..<m { dot += s[k * m + i] * s[j * m + i] }
                    dot *= tau[k]
                    s[j * m + k] -= dot
                    for i in (k + 1)..<m { s[j * m + i] -= dot * s[k * m + i] }
                    if pivoting {
                        // Downdate the remaining norm; recompute when cancellation makes it inaccurate.
                        if norms[j] != 0 {
                            let t = abs(s[j * m + k]) / norms[j]
                            var t2 = max(0, 1 - t * t)
                            let ratio = norms[j] / originalNorms[j]
                            t2 *= ratio * ratio
                            if t2 <= 1e-8 {
                                norms[j] = k + 1 < m ? euclideanNorm(s[(j * m + k + 1)..<(j * m + m)]) : 0
                                originalNorms[j] = norms[j]
                            } else {
                                norms[j] *= max(0, 1 - t * t).squareRoot()
                            }
                        }
                    }
                }
            }
        }
        factors = f
        self.tau = tau
        permutation = perm
        var r = 0
        let r00 = abs(f.rows > 0 && n > 0 ? f[0, 0] : 0)
        while r < min(m, n), abs(f[r, r]) > rankTolerance * r00 { r += 1 }
        rank = r
    }

    /// Qᵀ·b.
    public func applyQTranspose(_ b: [Double]) -> [Double] {
        var y = b
        let m = factors.rows
        for k in 0..<tau.count where tau[k] != 0 {
            var dot = y[k]
            for i in (k + 1)..<m { dot += factors[i, k] * y[i] }
            dot *= tau[k]
            y[k] -= dot
            for i in (k + 1)..<m { y[i] -= dot * factors[i, k] }
        }
        return y
    }

    /// Q·y (y of length rows).
    public func applyQ(_ y0: [Double]) -> [Double] {
        var y = y0
        let m = factors.rows
        for k in stride(from: tau.count - 1, through: 0, by: -1) where tau[k] != 0 {
            var dot = y[k]
            for i in (k + 1)..<m { dot += factors[i, k] * y[i] }
            dot *= tau[k]
            y[k] -= dot
            for i in (k + 1)..<m { y[i] -= dot * factors[i, k] }
        }
        return y
    }

    /// Solves R·z = c over the leading rank block (c in pivoted order).
    func backSubstitute(_ c: [Double]) -> [Double] {
        var z = [Double](repeating: 0, count: factors.columns)
        for k in stride(from: rank - 1, through: 0, by: -1) {
            var s = c[k]
            for j in (k + 1)..<rank { s -= factors[k, j] * z[j] }
            z[k] = s / factors[k, k]
        }
        return z
    }

    /// Solves Rᵀ·d = g over the leading rank block (g in pivoted order).
    func forwardSubstituteTranspose(_ g: [Double]) -> [Double] {
        var d = [Double](repeating: 0, count: factors.columns)
        for k in 0..<rank {
            var s = g[k]
            for j in 0..<k { s -= factors[j, k] * d[j] }
            d[k] = s / factors[k, k]
        }
        return d
    }

    /// Least-squares solution of A·x ≈ b over the first `rank` pivoted columns
    /// (the others, numerically dependent, get 0: the basic solution).
    public func solve(_ b: [Double]) -> [Double] {
        let qtb = applyQTranspose(b)
        var z = [Double](repeating: 0, count: factors.columns)
        for k in stride(from: rank - 1, through: 0, by: -1) {
            var s = qtb[k]
            for j in (k + 1)..<rank { s -= factors[k, j] * z[j] }
            z[k] = s / factors[k, k]
        }
        var x = [Double](repeating: 0, count: factors.columns)
        for k in 0..<factors.columns { x[permutation[k]] = z[k] }
        return x
    }

    /// (RᵀR)⁻¹ = (AᵀA)⁻¹ in the original column order, over the first `rank` columns
    /// (rows/columns of dependent columns are zero).
    public func inverseNormalMatrix() -> Matrix {
        let n = factors.columns
        // Rinv: upper triangular inverse of the leading rank x rank block.
        var rinv = Matrix(rows: rank, columns: rank)
        for j in 0..<rank {
            rinv[j, j] = 1 / factors[j, j]
            for i in stride(from: j - 1, through: 0, by: -1) {
                var s = 0.0
                for k in (i + 1)...j { s += factors[i, k] * rinv[k, j] }
                rinv[i, j] = -s / factors[i, i]
            }
        }
        var out = Matrix(rows: n, columns: n)
        for a in 0..<rank {
            for b in 0..<rank {
                var s = 0.0
                for k in max(a, b)..<rank { s += rinv[a, k] * rinv[b, k] }
                out[permutation[a], permutation[b]] = s
            }
        }
        return out
    }
}
