#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// SplitMix64 (Steele, Lea and Flood 2014): a tiny, fast, platform-independent generator.
///
/// Everything in rightsize that draws random numbers (bootstrap resamples, report
/// sampling, retry jitter, the emulator's log delays) seeds one of these explicitly, so
/// the same inputs give the same bytes on every machine and run. Swift's
/// SystemRandomNumberGenerator and Hasher are never used for results.
public struct SplitMix64: RandomNumberGenerator, Sendable {
    public private(set) var state: UInt64

    public init(seed: UInt64) { state = seed }

    public mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// Uniform in [0, 1), 53 random bits.
    public mutating func unit() -> Double { Double(next() >> 11) * 0x1.0p-53 }

    /// Uniform in (0, 1): never 0 or 1, so safe for log(u) and log(1 - u).
    public mutating func openUnit() -> Double { (Double(next() >> 11) + 0.5) * 0x1.0p-53 }

    /// Standard normal (Box–Muller on two `openUnit` draws; the C library's log and cos).
    public mutating func normal() -> Double {
        let u1 = openUnit()
        let u2 = openUnit()
        return (-2 * log(u1)).squareRoot() * cos(2 * Double.pi * u2)
    }

    /// −1 or +1 with equal chance (Rademacher), e.g. for a wild bootstrap.
    public mutating func sign() -> Double { next() & 1 == 0 ? -1 : 1 }

    /// A stable 64-bit seed from a name (FNV-1a), to give each function or instance its
    /// own stream derived from one run seed.
    public static func seed(from name: String) -> UInt64 {
        var h: UInt64 = 0xCBF2_9CE4_8422_2325
        for b in name.utf8 { h = (h ^ UInt64(b)) &* 0x100_0000_01B3 }
        return h
    }
}
