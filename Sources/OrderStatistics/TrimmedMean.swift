/// The symmetric trimmed sample and its mean: the "robust mean" of fit and compare.
extension Quantiles {
    /// Drops floor(fraction·n) values from each tail of a sorted sample.
    public static func trimmed(_ sorted: [Double], _ fraction: Double) -> ArraySlice<Double> {
        let k = Int((Double(sorted.count) * fraction).rounded(.down))
        return sorted[k..<(sorted.count - k)]
    }

    /// Mean of `trimmed(sorted, fraction)`; nil for an empty sample.
    public static func trimmedMean(_ sorted: [Double], _ fraction: Double) -> Double? {
        let t = trimmed(sorted, fraction)
        return t.isEmpty ? nil : t.reduce(0, +) / Double(t.count)
    }
}
