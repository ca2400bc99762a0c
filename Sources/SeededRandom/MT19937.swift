#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// numpy's legacy `RandomState` stream, for `--compat faasprofiler`.
///
/// FaaSProfiler draws Poisson inter-arrivals with `np.random.seed(seed)` then
/// `np.random.exponential(1/rate, n)`. numpy keeps that legacy stream frozen:
/// - seeding a 32-bit integer is Matsumoto and Nishimura's `init_genrand(seed)`;
/// - `random_sample` is (a >> 5, b >> 6) of two 32-bit outputs: (a * 2^26 + b) / 2^53;
/// - `standard_exponential` is -log(1 - u), and `exponential(scale)` is scale times that.
/// The logarithm is the C library's, as numpy's is, so the times match numpy's on the
/// same machine bit for bit.
public struct MT19937: Sendable {
    static let n = 624
    static let m = 397
    var key: [UInt32]
    var position: Int

    /// `init_genrand(seed)`, numpy's `RandomState.seed(seed)` for 0 <= seed < 2^32.
    public init(seed: UInt32) {
        key = [UInt32](repeating: 0, count: Self.n)
        key[0] = seed
        for i in 1..<Self.n {
            key[i] = 1_812_433_253 &* (key[i - 1] ^ (key[i - 1] >> 30)) &+ UInt32(i)
        }
        position = Self.n
    }

    mutating func regenerate() {
        let upper: UInt32 = 0x8000_0000
        let lower: UInt32 = 0x7FFF_FFFF
        let matrixA: UInt32 = 0x9908_B0DF
        for i in 0..<Self.n {
            let y = (key[i] & upper) | (key[(i + 1) % Self.n] & lower)
            key[i] = key[(i + Self.m) % Self.n] ^ (y >> 1) ^ ((y & 1) == 0 ? 0 : matrixA)
        }
        position = 0
    }

    /// The next tempered 32-bit output (`genrand_int32`).
    public mutating func next32() -> UInt32 {
        if position >= Self.n { regenerate() }
        var y = key[position]
        position += 1
        y ^= y >> 11
        y ^= (y << 7) & 0x9D2C_5680
        y ^= (y << 15) & 0xEFC6_0000
        y ^= y >> 18
        return y
    }

    /// numpy's legacy `random_sample()`: a 53-bit uniform double in [0, 1).
    public mutating func nextDouble() -> Double {
        let a = next32() >> 5
        let b = next32() >> 6
        return (Double(a) * 67_108_864.0 + Double(b)) / 9_007_199_254_740_992.0
    }

    /// numpy's legacy `exponential(scale)`: scale * -log(1 - u), with the C library's log.
    public mutating func nextExponential(scale: Double) -> Double {
        scale * -log(1.0 - nextDouble())  // the C library's log, as numpy's npy_log
    }
}
