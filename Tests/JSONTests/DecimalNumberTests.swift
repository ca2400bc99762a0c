import JSON
import SeededRandom
import Testing

/// The one number parser: correctly rounded (equal to Swift's own `Double(String)`), the JSON
/// grammar, and the documented one-ulp contract of `exact: false`.
@Suite struct DecimalNumberTests {
    static func parse(_ text: String, exact: Bool = true) -> (Double, Int)? {
        var copy = text
        return copy.withUTF8 { b in DecimalNumber.parse(b, exact: exact).map { ($0.value, $0.end) } }
    }

    @Test func agreesWithSwiftsConversionBitForBit() {
        var random = SplitMix64(seed: 11)
        var texts = [
            "0", "-0", "26.73", "1e-7", "2.2250738585072014e-308", "1.7976931348623157e308", "9007199254740993",
            "0.13531105982440145", "1767225600066.02", "123456789012345678901234", "5e-324", "1E+2",
        ]
        for _ in 0..<20_000 {
            let d = Double(bitPattern: random.next() >> 2)  // finite, positive, all magnitudes
            texts.append("\(d)")
            texts.append(String(random.next() % 100_000_000_000) + "." + String(random.next() % 1000))
        }
        for text in texts {
            #expect(Self.parse(text)?.0.bitPattern == Double(text)?.bitPattern, "\(text)")
        }
    }

    @Test func readsTheLongestNumberAndStopsAtWhatFollows() {
        #expect(Self.parse("12.5 ms")! == (12.5, 4))
        #expect(Self.parse("-3,")! == (-3, 2))
        #expect(Self.parse("7}")! == (7, 1))
    }

    @Test func refusesWhatJSONRefuses() {
        for text in ["", "-", ".5", "01", "1.", "1e", "1e+", "+1", "abc"] {
            #expect(Self.parse(text) == nil, "\(text)")
        }
    }

    @Test func inexactModeIsWithinOneULPAndDeterministic() {
        var random = SplitMix64(seed: 12)
        for _ in 0..<20_000 {
            let text = "\(random.unit() * 1000)"
            let exact = Self.parse(text)!.0
            let fast = Self.parse(text, exact: false)!.0
            #expect(fast == exact || fast == exact.nextUp || fast == exact.nextDown, "\(text)")
            #expect(Self.parse(text, exact: false)!.0 == fast)
        }
    }
}
