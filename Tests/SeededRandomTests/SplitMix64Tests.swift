import SeededRandom
import Testing

@Suite struct SplitMix64Tests {
    /// Reference outputs of the published algorithm for seed 0.
    @Test func referenceSequence() {
        var g = SplitMix64(seed: 0)
        #expect(g.next() == 0xE220_A839_7B1D_CDAF)
        #expect(g.next() == 0x6E78_9E6A_A1B9_65F4)
        #expect(g.next() == 0x06C4_5D18_8009_454F)
    }

    @Test func unitsStayInRange() {
        var g = SplitMix64(seed: 42)
        for _ in 0..<100_000 {
            let u = g.unit()
            let o = g.openUnit()
            #expect(u >= 0 && u < 1)
            #expect(o > 0 && o < 1)
        }
    }

    @Test func seedsFromNamesAreFNV1a() {
        #expect(SplitMix64.seed(from: "") == 0xCBF2_9CE4_8422_2325)
        #expect(SplitMix64.seed(from: "a") == 0xAF63_DC4C_8601_EC8C)
        #expect(SplitMix64.seed(from: "faas_measure") != SplitMix64.seed(from: "faas_sleep"))
    }

    @Test func normalsAndSignsHaveTheirMoments() {
        var g = SplitMix64(seed: 9)
        let n = 200_000
        var sum = 0.0
        var squares = 0.0
        var signs = 0.0
        for _ in 0..<n {
            let z = g.normal()
            sum += z
            squares += z * z
            let s = g.sign()
            #expect(s == 1 || s == -1)
            signs += s
        }
        #expect(abs(sum / Double(n)) < 0.01)  // mean 0 (sd of the mean 0.0022)
        #expect(abs(squares / Double(n) - 1) < 0.015)  // variance 1 (sd 0.0032)
        #expect(abs(signs / Double(n)) < 0.01)
    }
}
