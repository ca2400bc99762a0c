/// The Wilson score interval for a proportion: k of n, at 95% unless told. Unlike the normal
/// approximation it stays inside [0, 1] and is sensible at 0 of n and n of n, which is where
/// a cold-start sweep's shares are (≈ 0 below the idle timeout, ≈ 1 above).
public enum BinomialInterval {
    public static func wilson(_ k: Int, of n: Int, z: Double = 1.959964) -> (lower: Double, upper: Double)? {
        guard n > 0 else { return nil }
        let p = Double(k) / Double(n)
        let nn = Double(n)
        let z2 = z * z
        let centre = (p + z2 / (2 * nn)) / (1 + z2 / nn)
        let half = z * (p * (1 - p) / nn + z2 / (4 * nn * nn)).squareRoot() / (1 + z2 / nn)
        return (max(0, centre - half), min(1, centre + half))
    }
}
