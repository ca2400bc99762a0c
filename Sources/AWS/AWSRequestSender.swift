import CurlHTTP
import Foundation
import SigV4

/// Signs requests for one AWS service and sends them over `HTTPClient`, with the
/// control-plane retry policy. Generic: any JSON or REST API of any service.
///
///     let logs = try AWSRequestSender(http: http, configuration: .resolve(), service: .cloudWatchLogs)
///     let response = try await logs.send(operation: "FilterLogEvents", method: "POST", path: "/",
///         headers: [("Content-Type", "application/x-amz-json-1.1"), ("X-Amz-Target", "Logs_20140328.FilterLogEvents")],
///         body: Array(json.utf8))
public struct AWSRequestSender: Sendable {
    public let http: HTTPClient
    public let service: AWSService
    public let region: String
    public let endpoint: AWSEndpoint
    public var retry: RetryPolicy
    /// Per-attempt timeout, seconds.
    public var timeout: Double
    /// Shared by every sender of a configuration: fetched once, refreshed before expiry.
    public let credentials: RefreshingCredentials

    /// Resolves credentials (fetching them, so that a provider's failure is reported before
    /// anything else is sent), region (unless given) and endpoint; throws the one-line error
    /// for what is missing.
    public init(
        http: HTTPClient, configuration: AWSConfiguration, service: AWSService, region: String? = nil,
        retry: RetryPolicy = RetryPolicy(), timeout: Double = 30
    ) throws(AWSError) {
        let credentials = try configuration.credentialProvider()
        _ = try credentials.current()
        let resolvedRegion: String
        if let region { resolvedRegion = region } else { resolvedRegion = try configuration.requireRegion() }
        let region = resolvedRegion
        self.http = http
        self.service = service
        self.region = region
        self.endpoint = try configuration.endpoint(for: service, region: region)
        self.retry = retry
        self.timeout = timeout
        self.credentials = credentials
    }

    /// A signer with the credentials of this moment (refreshed ones once they are fetched).
    public func signer() -> SigV4Signer {
        // Cannot throw: init fetched once, and forSigning falls back to the last fetched.
        let current = (try? credentials.forSigning()) ?? AWSCredentials(accessKeyId: "", secretAccessKey: "")
        return SigV4Signer(credentials: current, region: region, service: service.signingName)
    }

    /// A signed request to `path` (percent-encoded as on the wire) on this service's endpoint.
    public func signedRequest(
        method: String, path: String, query: String = "", headers: [(name: String, value: String)] = [],
        body: [UInt8] = [], date: Date = Date(), timeout: Double? = nil
    ) -> HTTPRequest {
        AWSRequestSender.sign(
            method: method, url: endpoint.url(path: path, query: query), host: endpoint.hostHeader,
            path: endpoint.basePath + path, query: query, headers: headers, body: body,
            signer: signer(), date: date, timeout: timeout ?? self.timeout)
    }

    /// Signs a request to any URL with `signer` (used for IAM-authorised API Gateway URLs too).
    public static func sign(
        method: String, url: String, host: String, path: String, query: String,
        headers: [(name: String, value: String)], body: [UInt8], signer: SigV4Signer,
        date: Date, timeout: Double
    ) -> HTTPRequest {
        var signable = SignableRequest(
            method: method, path: path.isEmpty ? "/" : path, query: query,
            headers: [("Host", host)] + headers, body: body)
        signer.sign(&signable, date: date)
        return HTTPRequest(method: method, url: url, headers: signable.headers, body: body, timeout: timeout)
    }

    /// Sends with retries; returns a 2xx response, else throws `AWSError.service` / `.transport`.
    /// `operation` names the call in errors (e.g. "GetFunctionConfiguration"). With a
    /// `deadline`, no attempt runs past it and no retry starts that could not end before it,
    /// whatever the server does (answers slowly, or never).
    public func send(
        operation: String, method: String, path: String, query: String = "",
        headers: [(name: String, value: String)] = [], body: [UInt8] = [], deadline: Date? = nil
    ) async throws -> HTTPResponse {
        var attempt = 0
        var backoff = retry.backoff()
        while true {
            attempt += 1
            // Waits for a refresh only past the mandatory time; its failure ends the call.
            _ = try credentials.current()
            var attemptTimeout = timeout
            if let deadline {
                let left = deadline.timeIntervalSinceNow
                guard left > 0 else { throw AWSError.transport(operation: operation, message: "no time left before the deadline") }
                attemptTimeout = min(timeout, left)
            }
            let request = signedRequest(
                method: method, path: path, query: query, headers: headers, body: body, timeout: attemptTimeout)
            let outcome = await http.send(request)
            let failure: AWSError
            var retryAfter: Double?
            switch outcome.result {
            case .success(let response) where (200..<300).contains(response.status):
                return response
            case .success(let response):
                let (code, message) = AWSRequestSender.errorCodeAndMessage(response)
                failure = .service(
                    operation: operation, status: response.status, code: code, message: message,
                    requestId: response.header("x-amzn-RequestId"))
                guard RetryPolicy.isRetryable(status: response.status, code: code) else { throw failure }
                retryAfter = RetryPolicy.retryAfter(response)
            case .failure(let error):
                failure = .transport(operation: operation, message: error.message)
                guard error.kind == .timeout || error.kind == .transport else { throw failure }
            }
            guard attempt < retry.maxAttempts else { throw failure }
            let delay = backoff.next(retryAfterS: retryAfter)
            if let deadline, Date().addingTimeInterval(delay) >= deadline { throw failure }
            try await Task.sleep(nanoseconds: UInt64(delay * 1e9))
        }
    }

    /// The AWS error code and message of an error response, whatever the body (JSON, XML,
    /// empty, a proxy's HTML page): see `ErrorBody`. The message is one line.
    public static func errorCodeAndMessage(_ response: HTTPResponse) -> (code: String, message: String) {
        ErrorBody.codeAndMessage(response)
    }
}
