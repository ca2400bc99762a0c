import RecordSchema

/// One FilterLogEvents request.
public struct FilterRequest: Hashable, Sendable {
    public var logGroup: String
    public var startTimeMs: Int64
    public var endTimeMs: Int64
    public var filterPattern: String?
    public var nextToken: String?
    public var limit: Int?
}

/// Thrown by a page source when the service answered ThrottlingException.
public struct ThrottledError: Error, Sendable {
    public init() {}
}

/// Thrown by a page source for a failure worth retrying (no response, 5xx); anything else it
/// throws ends the wait at once (bad credentials, a rejected filter pattern...).
public struct TransientError: Error, Sendable, CustomStringConvertible {
    public var underlying: any Error & Sendable
    public init(_ underlying: any Error & Sendable) { self.underlying = underlying }
    public var description: String { "\(underlying)" }
}
