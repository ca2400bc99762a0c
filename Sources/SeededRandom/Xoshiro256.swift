/// xoshiro256** 1.0 (Blackman and Vigna, 2018): the generator behind rightsize's own schedules.
///
/// Chosen because it is small, fast, has a 2^256 - 1 period and passes BigCrush, and because
/// its output depends only on 64-bit integer arithmetic, so every machine gives the same bits.
/// Swift's `SystemRandomNumberGenerator` and `Hasher` are deliberately not used: the first is
/// not seedable and the second is seeded per process.
public struct Xoshiro256StarStar: RandomNumberGenerator, Sendable {
    public private(set) var state: (UInt64, UInt64, UInt64, UInt64)

    /// `state` must not be all zero (the one state the generator never leaves).
    public init(state: (UInt64, UInt64, UInt64, UInt64)) {
        precondition(state != (0, 0, 0, 0), "xoshiro256** state must not be all zero")
        self.state = state
    }

    public mutating func next() -> UInt64 {
        let result = rotateLeft(state.1 &* 5, 7) &* 9
        let t = state.1 << 17
        state.2 ^= state.0
        state.3 ^= state.1
        state.1 ^= state.2
        state.0 ^= state.3
        state.2 ^= t
        state.3 = rotateLeft(state.3, 45)
        return result
    }

    /// A uniform double in [0, 1): the top 53 bits of one output times 2^-53.
    public mutating func nextUnitInterval() -> Double {
        Double(next() >> 11) * 0x1.0p-53
    }

    /// A standard exponential variate by inversion, -log(1 - u), with the portable logarithm.
    public mutating func nextStandardExponential() -> Double {
        -PortableMath.log(1.0 - nextUnitInterval())
    }

    func rotateLeft(_ x: UInt64, _ k: UInt64) -> UInt64 { (x << k) | (x >> (64 - k)) }

    /// A uniform index in 0 ..< n: floor(u × n) with u = `nextUnitInterval()`. Written out
    /// (not Swift's `random(in:)`, whose algorithm may change) so seeded orders stay the same.
    public mutating func nextIndex(below n: Int) -> Int {
        min(n - 1, Int(nextUnitInterval() * Double(n)))
    }

    /// Fisher–Yates from the back: for i = n−1 … 1, swap element i with element
    /// `nextIndex(below: i + 1)` (documented, unlike `shuffle(using:)`, so orders are reproducible).
    public mutating func shuffle<T>(_ elements: inout [T]) {
        var i = elements.count - 1
        while i > 0 {
            elements.swapAt(i, nextIndex(below: i + 1))
            i -= 1
        }
    }
}
