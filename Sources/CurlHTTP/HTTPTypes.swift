#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// One HTTP request as it goes on the wire: the body is sent as given.
public struct HTTPRequest: Sendable {
    public var method: String
    /// Absolute URL (`http://` or `https://`), path and query already encoded.
    public var url: String
    /// Sent in this order; a `Host` header here replaces the one libcurl would derive.
    public var headers: [(name: String, value: String)]
    public var body: [UInt8]
    /// Whole-request limit, connection included, in seconds.
    public var timeout: Double
    /// Limit on establishing a new connection, in seconds.
    public var connectTimeout: Double

    public init(
        method: String, url: String, headers: [(name: String, value: String)] = [], body: [UInt8] = [],
        timeout: Double = 30, connectTimeout: Double = 10
    ) {
        self.method = method
        self.url = url
        self.headers = headers
        self.body = body
        self.timeout = timeout
        self.connectTimeout = connectTimeout
    }
}

/// The final response of a request (interim 1xx responses are dropped).
public struct HTTPResponse: Sendable {
    public var status: Int
    /// Header fields as received, names as sent by the server.
    public var headers: [(name: String, value: String)]
    public var body: [UInt8]

    public init(status: Int, headers: [(name: String, value: String)], body: [UInt8]) {
        self.status = status
        self.headers = headers
        self.body = body
    }

    /// The first header with this name, compared case-insensitively.
    public func header(_ name: String) -> String? {
        let wanted = name.lowercased()
        return headers.first { $0.name.lowercased() == wanted }?.value
    }

    public var bodyText: String { String(decoding: body, as: UTF8.self) }
}

/// Why a request produced no response.
public struct HTTPError: Error, Sendable, CustomStringConvertible {
    public enum Kind: String, Sendable {
        /// The request's timeout expired (connecting or waiting for the response).
        case timeout
        /// Connection refused or reset, DNS or TLS failure, malformed response...
        case transport
        /// Started, then abandoned by `HTTPClient.cancelAll()`.
        case cancelled
        /// Never started: cancelled by `cancelScheduled()` or `shutdown()` before its due time.
        case notStarted = "not_started"
    }
    public var kind: Kind
    public var message: String

    public init(kind: Kind, message: String) {
        self.kind = kind
        self.message = message
    }
    public var description: String { message }
}

/// What became of a submitted request, with the moments that matter for latency.
public struct HTTPOutcome: Sendable {
    public var result: Result<HTTPResponse, HTTPError>
    /// Monotonic nanoseconds when the request was handed to libcurl (nil: never started).
    public var startedNanos: UInt64?
    /// Monotonic nanoseconds when the completion was observed.
    public var finishedNanos: UInt64

    public init(result: Result<HTTPResponse, HTTPError>, startedNanos: UInt64?, finishedNanos: UInt64) {
        self.result = result
        self.startedNanos = startedNanos
        self.finishedNanos = finishedNanos
    }

    public var response: HTTPResponse? { if case .success(let r) = result { r } else { nil } }
    public var error: HTTPError? { if case .failure(let e) = result { e } else { nil } }
}
