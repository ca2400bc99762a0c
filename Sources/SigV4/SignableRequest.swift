/// Access key, secret and optional session token. `description` never shows the secret,
/// so credentials can be logged or interpolated by mistake without leaking.
public struct AWSCredentials: Sendable, Equatable, CustomStringConvertible {
    public var accessKeyId: String
    public var secretAccessKey: String
    public var sessionToken: String?

    public init(accessKeyId: String, secretAccessKey: String, sessionToken: String? = nil) {
        self.accessKeyId = accessKeyId
        self.secretAccessKey = secretAccessKey
        self.sessionToken = sessionToken
    }

    public var description: String {
        "AWSCredentials(\(accessKeyId), secret: <redacted>\(sessionToken == nil ? "" : ", token: <redacted>"))"
    }
}

/// The parts of an HTTP request that Signature V4 covers.
public struct SignableRequest: Sendable {
    public var method: String
    /// The path as sent on the wire (already percent-encoded where needed).
    public var path: String
    /// The raw query string, without '?'; "" when there is none.
    public var query: String
    /// Headers in sending order; names compare case-insensitively. Must include Host.
    public var headers: [(name: String, value: String)]
    public var body: [UInt8]

    public init(method: String, path: String, query: String = "", headers: [(name: String, value: String)], body: [UInt8] = []) {
        self.method = method
        self.path = path
        self.query = query
        self.headers = headers
        self.body = body
    }

    /// The first value of a header (case-insensitive name).
    public func header(_ name: String) -> String? {
        let lower = name.lowercased()
        return headers.first { $0.name.lowercased() == lower }?.value
    }

    mutating func setHeader(_ name: String, _ value: String) {
        let lower = name.lowercased()
        headers.removeAll { $0.name.lowercased() == lower }
        headers.append((name, value))
    }
}
