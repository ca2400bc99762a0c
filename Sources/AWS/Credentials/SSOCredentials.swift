import CurlHTTP
import Foundation
import Hashing
import JSON
import SigV4

/// IAM Identity Center (SSO) profiles: `sso_account_id` + `sso_role_name` with an
/// `sso_session` section (or the legacy `sso_start_url` + `sso_region` in the profile).
/// The access token is the one `aws sso login` caches in ~/.aws/sso/cache/<sha1>.json
/// (sha1 of the session name, or of the start URL for legacy profiles); GetRoleCredentials
/// on the portal (portal.sso.<sso_region>.amazonaws.com, or AWS_ENDPOINT_URL_SSO) trades
/// it for role credentials. rightsize never refreshes the token itself: an expired or
/// refused one asks for `aws sso login`.
struct SSOCredentials: CredentialProvider {
    let profile: String
    let accountId: String
    let roleName: String
    let region: String
    let cacheKey: String
    let cacheDirectory: String
    let endpoints: EndpointSettings
    var name: String { "SSO of profile [\(profile)]" }

    var loginHint: String { "run `aws sso login --profile \(profile)`" }

    func fetch() throws(AWSError) -> ExpiringCredentials {
        let path = "\(cacheDirectory)/\(SHA1.hex(cacheKey)).json"
        guard let data = FileManager.default.contents(atPath: path), let json = try? JSONTree.parse(Array(data)),
            let token = json["accessToken"]?.string
        else {
            throw .credentialsFailed(provider: name, problem: "no SSO token in \(path): \(loginHint)")
        }
        if let expires = json["expiresAt"]?.string.flatMap(CredentialFields.date), expires <= Date() {
            throw .credentialsFailed(provider: name, problem: "the SSO token expired: \(loginHint)")
        }
        let endpoint = try endpoints.endpoint(for: .ssoPortal, region: region)
        let query = STSClient.formEncode([("account_id", accountId), ("role_name", roleName)])
        let request = HTTPRequest(
            method: "GET", url: endpoint.url(path: "/federation/credentials", query: query),
            headers: [("Host", endpoint.hostHeader), ("x-amz-sso_bearer_token", token)], timeout: 10)
        let outcome = BlockingHTTP.send(request)
        switch outcome.result {
        case .failure(let error):
            throw .credentialsFailed(provider: name, problem: "GetRoleCredentials at \(endpoint): \(error.message)")
        case .success(let response) where response.status == 200:
            guard let credentials = Self.roleCredentials(response.body) else {
                throw .credentialsFailed(provider: name, problem: "GetRoleCredentials answered without roleCredentials")
            }
            return credentials
        case .success(let response):
            let (code, message) = ErrorBody.codeAndMessage(response)
            var problem = "GetRoleCredentials: HTTP \(response.status) \(code)" + (message.isEmpty ? "" : ": \(message)")
            if response.status == 401 || response.status == 403 || code == "UnauthorizedException" { problem += ": \(loginHint)" }
            throw .credentialsFailed(provider: name, problem: problem)
        }
    }

    /// GetRoleCredentials' answer. A function of its own, outside the typed-throws `fetch`:
    /// Swift 6.3's optimizer (CopyPropagation) crashed on this parsing inlined there.
    static func roleCredentials(_ body: [UInt8]) -> ExpiringCredentials? {
        guard let json = try? JSONTree.parse(body), let role = json["roleCredentials"],
            let key = role["accessKeyId"]?.string, let secret = role["secretAccessKey"]?.string
        else { return nil }
        let expiration = role["expiration"]?.double.map { Date(timeIntervalSince1970: $0 / 1000) }
        return ExpiringCredentials(
            AWSCredentials(accessKeyId: key, secretAccessKey: secret, sessionToken: role["sessionToken"]?.string),
            expiration: expiration)
    }
}
