import OrderStatistics
import SeededRandom
import Testing

@Suite struct OrderStatisticsTests {
    @Test func sortsLikeTheStandardLibrary() {
        var rng = SplitMix64(seed: 7)
        let mixed = (0..<5000).map { k -> Double in
            let u = rng.unit()
            return k % 7 == 0 ? -u * 1e3 : k % 11 == 0 ? 0 : k % 13 == 0 ? -0.0 : u * 1e6 + (k % 3 == 0 ? 0.5 : 0)
        }
        #expect(radixSorted(mixed) == mixed.sorted())
        let integral = (0..<3000).map { _ in Double(Int(rng.unit() * 300) + 40) }
        #expect(sortedValues(integral) == integral.sorted())
        #expect(sortedValues(mixed) == mixed.sorted())
        #expect(sortedValues([]) == [] && radixSorted([3, 1, 2]) == [1, 2, 3])
    }

    @Test func quantilesInterpolateLikeNumpy() {
        // numpy.quantile([1, 2, 3, 4, 10], [0, 0.25, 0.5, 0.9, 1]) = [1, 2, 3, 7.6, 10]
        let q = Quantiles([10, 3, 1, 4, 2])
        #expect(q(0) == 1 && q(0.25) == 2 && q(0.5) == 3 && abs(q(0.9) - 7.6) < 1e-12 && q(1) == 10)
        #expect(q.mean == 4 && q.max == 10 && q.count == 5)
        #expect(Quantiles([]).at(0.5) == nil && Quantiles([]).callAsFunction(0.5).isNaN)
        #expect(Quantiles(sorted: [5]).at(0.99) == 5)
    }
}
