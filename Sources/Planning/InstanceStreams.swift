import Hashing
import SeededRandom

extension Xoshiro256StarStar {
    /// The stream of one instance: the state is the SHA-256 digest of
    /// `"rightsize.plan.v1" || 0x00 || seed as 8 bytes big-endian || UTF-8 instance name`,
    /// read as four big-endian 64-bit words. Each instance's times therefore depend only on
    /// the seed and its own name: adding or removing an instance never changes the others.
    /// Other draws of an instance (its payload order, its idle gaps' order) use the same
    /// construction under their own `domain`, so they never disturb its times.
    public init(seed: UInt64, stream name: String, domain: String = "rightsize.plan.v1") {
        var input = Array(domain.utf8)
        input.append(0)
        for shift in stride(from: 56, through: 0, by: -8) { input.append(UInt8(truncatingIfNeeded: seed >> UInt64(shift))) }
        input.append(contentsOf: name.utf8)
        let digest = SHA256.digest(input)
        func word(_ k: Int) -> UInt64 {
            var w: UInt64 = 0
            for b in digest[(8 * k)..<(8 * k + 8)] { w = w << 8 | UInt64(b) }
            return w
        }
        var s = (word(0), word(1), word(2), word(3))
        if s == (0, 0, 0, 0) { s.0 = 1 }  // probability 2^-256; documented for completeness
        self.init(state: s)
    }
}
