import Foundation

/// A profile's `role_arn`: AssumeRole signed with the source's credentials (a
/// `source_profile`, itself possibly a role, or a `credential_source`), with the profile's
/// `role_session_name`, `external_id` and `duration_seconds`. Fetched again (source first)
/// when the role's credentials near expiry.
struct AssumeRoleCredentials: CredentialProvider {
    let profile: String
    let roleArn: String
    let sessionName: String?
    let externalId: String?
    let durationSeconds: Int?
    let source: any CredentialProvider
    let sts: STSClient
    var name: String { "role_arn of profile [\(profile)] (via \(source.name))" }

    func fetch() throws(AWSError) -> ExpiringCredentials {
        let sourceCredentials = try source.fetch().credentials
        return try sts.assumeRole(
            roleArn: roleArn, sessionName: sessionName ?? Self.defaultSessionName(), externalId: externalId,
            durationSeconds: durationSeconds, source: sourceCredentials, provider: name)
    }

    /// The SDKs' default session name form, with rightsize's name.
    static func defaultSessionName() -> String { "rightsize-session-\(Int(Date().timeIntervalSince1970))" }
}

/// OIDC federation (GitHub Actions, EKS service accounts): AssumeRoleWithWebIdentity with the
/// token in `web_identity_token_file` / AWS_WEB_IDENTITY_TOKEN_FILE, read at every fetch
/// (the issuer rotates it).
struct WebIdentityCredentials: CredentialProvider {
    let tokenFile: String
    let roleArn: String
    let sessionName: String?
    let origin: String
    let sts: STSClient
    var name: String { "web identity (\(origin))" }

    func fetch() throws(AWSError) -> ExpiringCredentials {
        guard let data = FileManager.default.contents(atPath: tokenFile) else {
            throw .credentialsFailed(provider: name, problem: "cannot read the web identity token file \(tokenFile)")
        }
        let token = String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        return try sts.assumeRoleWithWebIdentity(
            roleArn: roleArn, sessionName: sessionName ?? AssumeRoleCredentials.defaultSessionName(), token: token, provider: name)
    }
}
