/// Paces requests under a rate quota (CloudWatch Logs: 5 FilterLogEvents per second per
/// account and region, shared by every function we poll).
///
/// `capacity` 1 (the default) spaces requests evenly, so no one-second window ever holds
/// more than `rate` requests, whatever the quota's own bucket allows.
public struct TokenBucket: Sendable {
    public let rate: Double
    public let capacity: Double
    var tokens: Double
    var lastS: Double?

    public init(rate: Double, capacity: Double = 1) {
        precondition(rate > 0 && capacity >= 1)
        self.rate = rate; self.capacity = capacity; self.tokens = capacity
    }

    /// Takes one token at time `nowS` (seconds on a monotonic clock); returns how long the
    /// caller must wait before sending (0 = now). The token is spent either way.
    public mutating func take(nowS: Double) -> Double {
        if let lastS { tokens = min(capacity, tokens + (nowS - lastS) * rate) }
        lastS = nowS
        tokens -= 1
        return tokens >= 0 ? 0 : -tokens / rate
    }

    /// After a throttle: the quota is busier than we thought (another client), so start empty.
    public mutating func drain(nowS: Double) {
        if let lastS { tokens = min(capacity, tokens + (nowS - lastS) * rate) }
        lastS = nowS
        tokens = min(tokens, 0)
    }
}

/// Exponential backoff with full jitter for ThrottlingException retries.
public struct Backoff: Sendable {
    public var baseS: Double
    public var maxS: Double
    public private(set) var attempt = 0
    var rng: SplitMix64

    public init(baseS: Double = 0.2, maxS: Double = 5, seed: UInt64 = 0x5eed) {
        self.baseS = baseS; self.maxS = maxS; self.rng = SplitMix64(seed: seed)
    }

    /// The next delay: uniform in [ceiling/2, ceiling], ceiling = min(max, base * 2^attempt).
    public mutating func next() -> Double {
        let ceiling = min(maxS, baseS * Double(1 << min(attempt, 20)))
        attempt += 1
        let u = Double(rng.next() >> 11) / Double(1 << 53)
        return ceiling * (0.5 + 0.5 * u)
    }

    public mutating func reset() { attempt = 0 }
}

struct SplitMix64: Sendable {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E3779B97F4A7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58476D1CE4E5B9
        z = (z ^ (z >> 27)) &* 0x94D049BB133111EB
        return z ^ (z >> 31)
    }
}
