import Foundation
import SigV4

/// Credentials with the time they stop working (nil: they do not expire).
public struct ExpiringCredentials: Sendable {
    public var credentials: AWSCredentials
    public var expiration: Date?

    public init(_ credentials: AWSCredentials, expiration: Date? = nil) {
        self.credentials = credentials
        self.expiration = expiration
    }
}

/// One source of credentials in the chain (environment, a profile's keys, credential_process,
/// STS, SSO, the container endpoint, instance metadata). `fetch` is synchronous and may block
/// on the network or a child process; `RefreshingCredentials` decides when to call it.
protocol CredentialProvider: Sendable {
    /// Names the provider in messages ("credential_process of profile [dev]"); never a secret.
    var name: String { get }
    func fetch() throws(AWSError) -> ExpiringCredentials
}

/// Keys known when the chain is resolved (environment, shared files).
struct StaticCredentials: CredentialProvider {
    let name: String
    let credentials: AWSCredentials

    func fetch() throws(AWSError) -> ExpiringCredentials { ExpiringCredentials(credentials) }
}

/// The credentials fields that credential_process, the container endpoint and instance
/// metadata share, and the timestamps they use.
enum CredentialFields {
    /// An ISO 8601 time as the AWS tools write it ("2026-01-02T03:04:05Z", with fractional
    /// seconds or an offset, or the CLI's legacy "…UTC" suffix).
    static func date(_ text: String) -> Date? {
        var t = text.trimmingCharacters(in: .whitespaces)
        if t.hasSuffix("UTC") { t = String(t.dropLast(3)) + "Z" }
        let plain = ISO8601DateFormatter()
        if let d = plain.date(from: t) { return d }
        let fractional = ISO8601DateFormatter()
        fractional.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        return fractional.date(from: t)
    }
}
