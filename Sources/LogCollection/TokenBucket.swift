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
        self.rate = rate
        self.capacity = capacity
        self.tokens = capacity
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
