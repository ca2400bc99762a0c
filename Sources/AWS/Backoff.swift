import SeededRandom

/// Capped exponential backoff with jitter: the one rule for every retry delay in rightsize
/// (control-plane retries, throttled invocations, CloudWatch Logs throttles).
///
/// Before retry n (n = 1 after the first failure) the wait is uniform in [c/2, c] with
/// c = min(max, base · 2^(n−1)) ("equal jitter": a throttled client always waits a little),
/// and never shorter than the server's Retry-After (capped at 60 s).
///
/// The jitter is the one random draw of the client tools that the run's seed does not
/// determine (besides the seed itself, which plan draws and records when `random_seed` is
/// null): its purpose is to decorrelate clients that retry at once, which a fixed seed shared
/// by every process would defeat, and retry timing is in no output that must be
/// reproducible. Tests pass a seed. (The emulator's request and stream ids are unique names,
/// not draws; its log delays follow `--seed`.)
public struct Backoff: Sendable {
    public var baseS: Double
    public var maxS: Double
    public private(set) var attempt = 0
    private var random: SplitMix64

    public init(baseS: Double = 0.1, maxS: Double = 5, seed: UInt64? = nil) {
        self.baseS = baseS
        self.maxS = maxS
        self.random = SplitMix64(seed: seed ?? UInt64.random(in: .min ... .max))
    }

    /// The delay before retry `n` (counting from 1), in seconds.
    public mutating func delay(forRetry n: Int, retryAfterS: Double? = nil) -> Double {
        let ceiling = min(maxS, baseS * Double(1 << min(max(n - 1, 0), 20)))
        let jittered = ceiling * (0.5 + 0.5 * random.unit())
        return max(jittered, min(retryAfterS ?? 0, 60))
    }

    /// The delay before the next retry of a sequence.
    public mutating func next(retryAfterS: Double? = nil) -> Double {
        attempt += 1
        return delay(forRetry: attempt, retryAfterS: retryAfterS)
    }

    /// After a success: the next failure starts from the base delay again.
    public mutating func reset() { attempt = 0 }
}
