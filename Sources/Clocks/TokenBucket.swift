/// A rate quota: `rate` tokens a second, at most `capacity` saved up. The one token bucket of
/// rightsize: await-logs paces its FilterLogEvents requests with it (CloudWatch Logs allows 5
/// a second per account and region, shared by every function polled) and the emulator
/// enforces that quota with it. Times are seconds on a monotonic clock, passed in, so the
/// arithmetic is testable without waiting.
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
        self.rate = rate
        self.capacity = capacity
        self.tokens = capacity
    }

    /// Takes one token at time `nowS` (seconds on a monotonic clock); returns how long the
    /// caller must wait before sending (0 = now). The token is spent either way.
    public mutating func take(nowS: Double) -> Double {
        refill(nowS)
        tokens -= 1
        return tokens >= 0 ? 0 : -tokens / rate
    }

    /// Takes one token at time `nowS` if there is one (a server deciding whether to throttle);
    /// false, and nothing spent, when the bucket is empty.
    public mutating func tryTake(nowS: Double) -> Bool {
        refill(nowS)
        guard tokens >= 1 else { return false }
        tokens -= 1
        return true
    }

    /// After a throttle: the quota is busier than we thought (another client), so start empty.
    public mutating func drain(nowS: Double) {
        refill(nowS)
        tokens = min(tokens, 0)
    }

    private mutating func refill(_ nowS: Double) {
        if let lastS { tokens = min(capacity, tokens + (nowS - lastS) * rate) }
        lastS = nowS
    }
}
