import Clocks
import Foundation
import SeededRandom
import Synchronization

/// Routes each request to the Lambda API, the CloudWatch Logs API or a gateway route.
final class Router: HTTPRequestHandler {
    let options: EmulatorOptions
    let pool: FunctionPool
    let invoker: Invoker
    let logs: LogStore
    let auth: Authentication
    let logsLimiter: RateLimiter
    private let ids: Mutex<SplitMix64>

    init(options: EmulatorOptions, pool: FunctionPool, invoker: Invoker, logs: LogStore) {
        self.options = options
        self.pool = pool
        self.invoker = invoker
        self.logs = logs
        auth = Authentication(secrets: options.credentials)
        logsLimiter = RateLimiter(ratePerSecond: options.logsRateLimit)
        var random = SystemRandomNumberGenerator()
        ids = Mutex(SplitMix64(seed: random.next()))
    }

    func newRequestId() -> String { ids.withLock { $0.uuid() } }

    func bodyLimit(method: String, path: String) -> Int { Self.bodyLimit(method: method, path: path) }

    func handle(_ request: HTTPRequest) async -> HTTPReply {
        let requestId = newRequestId()
        if request.path.hasPrefix("/2015-03-31/") || request.path == "/2015-03-31" {
            // Before the signature check, which a dropped body could not pass.
            if request.bodyTooLarge {
                if Self.bodyLimit(method: request.method, path: request.path) == CodeArchive.maxRequestBytes {
                    return tooLarge(request.method == "POST" ? "CreateFunction" : "UpdateFunctionCode", requestId)
                }
                return AWSError.lambda(
                    413, "RequestEntityTooLargeException",
                    "Request must be smaller than \(EmulatorOptions.maxPayloadBytes) bytes for the InvokeFunction operation",
                    requestId: requestId)
            }
            if let failure = auth.check(request) { return Authentication.lambdaReply(failure, requestId: requestId) }
            return await lambda(request, requestId: requestId)
        }
        if let target = request.header("X-Amz-Target") {
            guard request.method == "POST", request.path == "/" else {
                return AWSError.logs("UnknownOperationException", nil, requestId: requestId)
            }
            if request.bodyTooLarge {
                return AWSError.logs("SerializationException", "Request entity too large", requestId: requestId, status: 413)
            }
            if let failure = auth.check(request) { return Authentication.logsReply(failure, requestId: requestId) }
            return logsAPI(target: target, request, requestId: requestId)
        }
        if request.path.hasPrefix("/\(EmulatorAPI.pathRoot)/") { return emulatorAPI(request, requestId: requestId) }
        return await gateway(request, requestId: requestId)
    }
}

/// A token bucket: `ratePerSecond` requests per second, bursts up to one second's worth.
final class RateLimiter: Sendable {
    /// 0: no limit (`--logs-rate-limit 0`).
    let rate: Double
    private let bucket: Mutex<TokenBucket>

    init(ratePerSecond: Double) {
        rate = ratePerSecond
        bucket = Mutex(TokenBucket(rate: max(ratePerSecond, 1), capacity: max(1, ratePerSecond)))
    }

    /// false = throttle this request.
    func allow() -> Bool {
        guard rate > 0 else { return true }
        return bucket.withLock { $0.tryTake(nowS: MonotonicClock.milliseconds() / 1000) }
    }
}
