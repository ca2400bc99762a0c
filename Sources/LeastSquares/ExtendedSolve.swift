/// Least-squares solve by Householder QR with column pivoting, generic over the float type,
/// so linear fits can run in x87 extended precision (Float80, 64-bit significand) where the
/// platform has it: three extra digits put Wampler5 and Filip's certified values in reach.
enum GenericHouseholder {
    /// Minimises ‖A·x − b‖ (A column-major, rows × columns). Columns beyond the numerical
    /// rank (relative tolerance `tolerance` on |R_kk|) get 0.
    static func solve<T: BinaryFloatingPoint>(_ a0: [T], rows m: Int, columns n: Int, _ b0: [T], tolerance: T) -> [T] {
        var a = a0
        var b = b0
        var perm = Array(0..<n)
        var norms = (0..<n).map { j in (0..<m).reduce(T(0)) { $0 + a[j * m + $1] * a[j * m + $1] } }
        let steps = min(m, n)
        var rank = 0
        var r00: T = 0
        for k in 0..<steps {
            var best = k
            for j in (k + 1)..<n where norms[j] > norms[best] { best = j }
            if best != k {
                for i in 0..<m { a.swapAt(k * m + i, best * m + i) }
                norms.swapAt(k, best)
                perm.swapAt(k, best)
            }
            var alpha: T = 0
            for i in k..<m { alpha += a[k * m + i] * a[k * m + i] }
            alpha = alpha.squareRoot()
            if k == 0 { r00 = alpha }
            if alpha <= tolerance * r00 || alpha == 0 { break }
            rank = k + 1
            let x0 = a[k * m + k]
            let beta: T = x0 >= 0 ? -alpha : alpha
            // v = x − beta·e1, H = I − 2 v vᵀ / (vᵀv)
            a[k * m + k] = x0 - beta
            var vv: T = 0
            for i in k..<m { vv += a[k * m + i] * a[k * m + i] }
            for j in (k + 1)..<n {
                var dot: T = 0
                for i in k..<m { dot += a[k * m + i] * a[j * m + i] }
                let f = 2 * dot / vv
                for i in k..<m { a[j * m + i] -= f * a[k * m + i] }
                norms[j] = 0
                for i in (k + 1)..<m { norms[j] += a[j * m + i] * a[j * m + i] }
            }
            var dot: T = 0
            for i in k..<m { dot += a[k * m + i] * b[i] }
            let f = 2 * dot / vv
            for i in k..<m { b[i] -= f * a[k * m + i] }
            a[k * m + k] = beta
        }
        var z = [T](repeating: 0, count: n)
        for k in stride(from: rank - 1, through: 0, by: -1) {
            var s = b[k]
            for j in (k + 1)..<rank { s -= a[j * m + k] * z[j] }
            z[k] = s / a[k * m + k]
        }
        var x = [T](repeating: 0, count: n)
        for k in 0..<n { x[perm[k]] = z[k] }
        return x
    }
}
