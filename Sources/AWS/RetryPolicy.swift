import CurlHTTP
import Foundation

/// Control-plane retries: which responses are retried and how often; the delays are `Backoff`'s.
public struct RetryPolicy: Sendable {
    /// Attempts in all, the first included.
    public var maxAttempts: Int
    public var baseDelay: Double
    public var maxDelay: Double

    public init(maxAttempts: Int = 6, baseDelay: Double = 0.1, maxDelay: Double = 5) {
        self.maxAttempts = maxAttempts
        self.baseDelay = baseDelay
        self.maxDelay = maxDelay
    }

    /// No retries at all.
    public static let none = RetryPolicy(maxAttempts: 1)

    /// Error codes that mean "slow down" whatever the HTTP status (400 ThrottlingException...).
    public static let throttlingCodes: Set<String> = [
        "Throttling", "ThrottlingException", "ThrottledException", "RequestThrottledException",
        "TooManyRequestsException", "ProvisionedThroughputExceededException", "TransactionInProgressException",
        "RequestLimitExceeded", "BandwidthLimitExceeded", "LimitExceededException", "RequestThrottled",
        "SlowDown", "PriorRequestNotComplete", "EC2ThrottledException",
    ]

    /// Whether a response is worth another attempt.
    public static func isRetryable(status: Int, code: String?) -> Bool {
        if status == 429 || status >= 500 { return true }
        if let code, throttlingCodes.contains(code) { return true }
        return false
    }

    /// The delays of one request's retries (see `Backoff`).
    public func backoff() -> Backoff { Backoff(baseS: baseDelay, maxS: maxDelay) }

    /// Retry-After in seconds (delta-seconds form; HTTP dates are ignored).
    public static func retryAfter(_ response: HTTPResponse) -> Double? {
        response.header("Retry-After").flatMap { Double($0.trimmingCharacters(in: .whitespaces)) }
    }
}
