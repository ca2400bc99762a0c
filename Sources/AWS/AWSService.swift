import Foundation

/// An AWS service as far as signing and endpoint resolution need to know it.
public struct AWSService: Sendable, Hashable {
    /// SigV4 service name (credential scope), e.g. "lambda", "logs", "execute-api".
    public var signingName: String
    /// Hostname prefix of the regional endpoint, e.g. "lambda" in lambda.us-east-1.amazonaws.com.
    public var endpointPrefix: String
    /// The service id as the SDKs spell it in AWS_ENDPOINT_URL_<ID> (uppercase, underscores).
    public var environmentID: String

    public init(signingName: String, endpointPrefix: String, environmentID: String) {
        self.signingName = signingName
        self.endpointPrefix = endpointPrefix
        self.environmentID = environmentID
    }

    public static let lambda = AWSService(signingName: "lambda", endpointPrefix: "lambda", environmentID: "LAMBDA")
    public static let cloudWatchLogs = AWSService(signingName: "logs", endpointPrefix: "logs", environmentID: "CLOUDWATCH_LOGS")
    /// STS (assume role) and the IAM Identity Center portal (GetRoleCredentials), for credentials.
    public static let sts = AWSService(signingName: "sts", endpointPrefix: "sts", environmentID: "STS")
    public static let ssoPortal = AWSService(signingName: "awsssoportal", endpointPrefix: "portal.sso", environmentID: "SSO")
    /// IAM-authorised API Gateway URLs: signed, but the URL is the endpoint.
    public static let executeAPI = AWSService(
        signingName: "execute-api", endpointPrefix: "execute-api",
        environmentID: "API_GATEWAY")
}

/// Where a service's requests go: scheme, authority and an optional base path.
public struct AWSEndpoint: Sendable, Hashable, CustomStringConvertible {
    public var scheme: String
    public var host: String
    public var port: Int?
    /// Prefix for every request path ("" or "/something", without a trailing slash).
    public var basePath: String

    /// Parses an endpoint URL; nil unless it is http(s) with a host.
    public init?(url: String) {
        guard let c = URLComponents(string: url), let scheme = c.scheme?.lowercased(), scheme == "http" || scheme == "https",
            let host = c.host, !host.isEmpty
        else { return nil }
        self.scheme = scheme
        self.host = host
        self.port = c.port
        var path = c.percentEncodedPath
        while path.hasSuffix("/") { path.removeLast() }
        self.basePath = path
    }

    /// The default public endpoint of `service` in `region`.
    public static func standard(_ service: AWSService, region: String) -> AWSEndpoint {
        let suffix = region.hasPrefix("cn-") ? "amazonaws.com.cn" : "amazonaws.com"
        return AWSEndpoint(url: "https://\(service.endpointPrefix).\(region).\(suffix)")!
    }

    /// The Host header: the port only when it is not the scheme's default.
    public var hostHeader: String {
        guard let port, !(scheme == "http" && port == 80), !(scheme == "https" && port == 443) else { return host }
        return host.contains(":") ? "[\(host)]:\(port)" : "\(host):\(port)"
    }

    /// Absolute URL of `path` (already encoded, starting with "/") and `query` (without '?').
    public func url(path: String, query: String = "") -> String {
        let authority = host.contains(":") && port == nil ? "[\(host)]" : hostHeader
        return "\(scheme)://\(authority)\(basePath)\(path)" + (query.isEmpty ? "" : "?\(query)")
    }

    public var description: String { url(path: "") }
}
