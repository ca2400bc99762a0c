/// Quantiles of a sample (sorted once; linear interpolation between order statistics,
/// "type 7", numpy's default).
public struct Quantiles: Sendable {
    public let sorted: [Double]
    /// `values` must be sorted ascending.
    public init(sorted values: [Double]) { sorted = values }
    public init(_ values: [Double]) { sorted = sortedValues(values) }
    public var count: Int { sorted.count }
    public var isEmpty: Bool { sorted.isEmpty }
    /// NaN for an empty sample.
    public func callAsFunction(_ q: Double) -> Double {
        guard !sorted.isEmpty else { return .nan }
        let pos = q * Double(sorted.count - 1)
        let i = Int(pos)
        let f = pos - Double(i)
        return i + 1 < sorted.count ? sorted[i] + f * (sorted[i + 1] - sorted[i]) : sorted[i]
    }
    /// nil for an empty sample.
    public func at(_ q: Double) -> Double? { sorted.isEmpty ? nil : self(q) }
    public var mean: Double { sorted.isEmpty ? .nan : sorted.reduce(0, +) / Double(sorted.count) }
    public var max: Double { sorted.last ?? .nan }
}
